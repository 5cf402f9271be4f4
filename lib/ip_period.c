#include "ip_period.h"
#include "ip_grammar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ip_period_units[] = {"year", "quarter", "month", NULL};

bool ip_period_unit_known(const char *unit)
{
	for (const char *const *u = ip_period_units; *u; u++)
		if (!strcmp(*u, unit))
			return true;
	return false;
}

const char *ip_period_unit(const char *p)
{
	size_t n = strlen(p);
	if (n == 4 && strspn(p, "0123456789") == 4)
		return "year";
	if (n == 7 && p[4] == '-' && p[5] == 'Q' && p[6] >= '1' && p[6] <= '4' &&
	    strspn(p, "0123456789") == 4)
		return "quarter";
	if (n == 7 && p[4] == '-')
		return "month";
	return NULL;
}

bool ip_period_range(const char *p, char from[11], char to[11])
{
	const char *unit = ip_period_unit(p);
	char first[24];  /* room for any month number, as the compiler counts */
	int months;
	if (!unit)
		return false;
	if (!strcmp(unit, "year")) {
		snprintf(first, sizeof first, "%.4s-01-01", p);
		months = 12;
	} else if (!strcmp(unit, "quarter")) {
		snprintf(first, sizeof first, "%.4s-%02d-01", p, (p[6] - '1') * 3 + 1);
		months = 3;
	} else {
		snprintf(first, sizeof first, "%.7s-01", p);
		months = 1;
	}
	char next[11];
	if (strlen(first) != 10 || !ip_date_valid(first) || !ip_date_add(first, months, 'm', next))
		return false;
	memcpy(from, first, 11);
	return ip_date_add(next, -1, 'd', to);
}

void ip_period_of(const char *date, const char *unit, char out[24])
{
	if (!strcmp(unit, "year"))
		snprintf(out, 24, "%.4s", date);
	else if (!strcmp(unit, "quarter"))
		snprintf(out, 24, "%.4s-Q%d", date, (atoi(date + 5) + 2) / 3);
	else
		snprintf(out, 24, "%.7s", date);
}

bool ip_period_within(const char *date, const char *from, const char *to)
{
	return *date && strcmp(date, from) >= 0 && strcmp(date, to) <= 0;
}
