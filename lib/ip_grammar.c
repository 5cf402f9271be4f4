#include "ip_grammar.h"
#include "ip_diag.h"
#include "ip_digest.h"
#include "ip_exit.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

bool ip_centre_id_valid(const char *c)
{
	size_t n = strlen(c);
	if (n == 0 || n > 24 || c[0] == '-' || c[n - 1] == '-' || strstr(c, "--"))
		return false;
	for (; *c; c++)
		if (!(isupper((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-'))
			return false;
	return true;
}

bool ip_case_id_of(const char *id, const char *centre)
{
	size_t n = centre ? strlen(centre) : 0;
	return id && n && !strncmp(id, centre, n) && id[n] == '-' && strlen(id) == n + 11;
}

bool ip_case_id_valid(const char *id)
{
	size_t n = strlen(id);
	/* centre, '-', 4-digit year, '-', 5 code characters */
	if (n < 1 + 1 + 4 + 1 + 5 || n > 24 + 11)
		return false;
	const char *code = id + n - 5, *year = id + n - 10;
	if (year[-1] != '-' || code[-1] != '-')
		return false;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)year[i]))
			return false;
	for (int i = 0; i < 5; i++)
		if (!code[i] || !strchr(crockford, code[i]))
			return false;
	char centre[32];
	size_t cn = (size_t)(year - 1 - id);
	if (cn >= sizeof centre)
		return false;
	memcpy(centre, id, cn);
	centre[cn] = '\0';
	return ip_centre_id_valid(centre);
}

static uint64_t splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint64_t random64(void)
{
	static uint64_t seeded_state;
	static int seeded = -1;
	if (seeded < 0) {
		const char *seed = getenv("IP_RANDOM_SEED");
		seeded = seed && *seed;
		if (seeded)
			seeded_state = strtoull(seed, NULL, 10);
	}
	if (seeded)
		return splitmix(&seeded_state);
	uint64_t r;
	while (getrandom(&r, sizeof r, 0) != sizeof r)
		if (errno != EINTR) {
			ip_error(NULL, "cannot get random bytes: %s", strerror(errno));
			exit(IP_EXIT_SOFTWARE);
		}
	return r;
}

uint32_t ip_record_key_new(const char *case_id)
{
	const char *seed = getenv("IP_RANDOM_SEED");
	if (seed && *seed) {
		/* a stream of its own: seeded case ids stay what they were */
		uint64_t h = ip_fnv1a(case_id, strtoull(seed, NULL, 10) ^ 0x9E3779B97F4A7C15ull);
		return (uint32_t)(splitmix(&h) >> 32);
	}
	uint32_t r;
	while (getrandom(&r, sizeof r, 0) != sizeof r)
		if (errno != EINTR) {
			ip_error(NULL, "cannot get random bytes: %s", strerror(errno));
			exit(IP_EXIT_SOFTWARE);
		}
	return r;
}

char *ip_case_id_new(const char *centre, int year)
{
	uint64_t r = random64();
	char code[6];
	for (int i = 0; i < 5; i++, r >>= 5)
		code[i] = crockford[r & 31];
	code[5] = '\0';
	return ip_xasprintf("%s-%04d-%s", centre, year, code);
}

char *ip_repository_id_new(void)
{
	uint64_t r = random64();
	char code[14];
	for (int i = 0; i < 13; i++, r >>= 5)
		code[i] = crockford[r & 31];
	code[13] = '\0';
	return ip_xstrdup(code);
}

bool ip_repository_id_valid(const char *id)
{
	if (strlen(id) != 13)
		return false;
	for (const char *c = id; *c; c++)
		if (!strchr(crockford, *c))
			return false;
	return true;
}

char *ip_referral_id_new(const char *centre)
{
	uint64_t r = random64();
	char code[9];
	for (int i = 0; i < 8; i++, r >>= 5)
		code[i] = crockford[r & 31];
	code[8] = '\0';
	return ip_xasprintf("%s-R-%s", centre, code);
}

bool ip_referral_id_valid(const char *id)
{
	size_t n = strlen(id);
	const char *r = n > 11 ? id + n - 11 : NULL;
	if (!r || strncmp(r, "-R-", 3))
		return false;
	char *centre = ip_xasprintf("%.*s", (int)(r - id), id);
	bool ok = ip_centre_id_valid(centre);
	free(centre);
	for (const char *c = r + 3; ok && *c; c++)
		ok = strchr(crockford, *c) != NULL;
	return ok;
}

static bool digits_at(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The value of the n digits at s (checked by digits_at): dates are read
 * for every case of a report, so not through atoi. */
static int number_at(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* v (0 <= v < 10^n) in n digits with leading zeros. */
static void put_digits(char *out, int v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

static bool date_prefix_valid(const char *s)
{
	if (!digits_at(s, 4) || s[4] != '-' || !digits_at(s + 5, 2) || s[7] != '-' ||
	    !digits_at(s + 8, 2))
		return false;
	int y = number_at(s, 4), m = number_at(s + 5, 2), d = number_at(s + 8, 2);
	return y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

bool ip_date_valid(const char *s)
{
	return strlen(s) == 10 && date_prefix_valid(s);
}

bool ip_datetime_valid(const char *s)
{
	if (strlen(s) != 20 || !date_prefix_valid(s) || s[10] != 'T' || s[19] != 'Z')
		return false;
	if (!digits_at(s + 11, 2) || s[13] != ':' || !digits_at(s + 14, 2) ||
	    s[16] != ':' || !digits_at(s + 17, 2))
		return false;
	return number_at(s + 11, 2) < 24 && number_at(s + 14, 2) < 60 && number_at(s + 17, 2) < 61;
}

bool ip_due_rule_parse(const char *s, struct ip_due_rule *r)
{
	static const char *const events[] = {"opened", "departure", "arrival", NULL};
	for (const char *const *e = events; *e; e++) {
		size_t n = strlen(*e);
		if (strncmp(s, *e, n) || (s[n] != '+' && s[n] != '-'))
			continue;
		const char *p = s + n + 1;
		size_t d = 0;
		while (isdigit((unsigned char)p[d]))
			d++;
		if (!(d > 0 && d <= 4 && p[d] && strchr("dwmy", p[d]) && !p[d + 1]))
			return false;
		r->event = *e;
		r->amount = (s[n] == '-' ? -1 : 1) * atoi(p);
		r->unit = p[d];
		return true;
	}
	return false;
}

bool ip_due_relative_valid(const char *s)
{
	struct ip_due_rule r;
	return ip_due_rule_parse(s, &r);
}

static time_t pinned_time(void)
{
	const char *now = getenv("IP_NOW");
	if (now && *now) {
		struct tm tm = {0};
		const char *end = NULL;
		if (ip_datetime_valid(now))
			end = strptime(now, "%Y-%m-%dT%H:%M:%SZ", &tm);
		else if (ip_date_valid(now))
			end = strptime(now, "%Y-%m-%d", &tm);
		if (!end || *end) {
			ip_error(NULL, "IP_NOW: '%s' is not a date or UTC time "
			         "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)", now);
			exit(IP_EXIT_USAGE);
		}
		return timegm(&tm);
	}
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	if (epoch && *epoch) {
		char *end;
		errno = 0;
		long long t = strtoll(epoch, &end, 10);
		if (errno || *end || t < 0) {
			ip_error(NULL, "SOURCE_DATE_EPOCH: '%s' is not a number of seconds", epoch);
			exit(IP_EXIT_USAGE);
		}
		return (time_t)t;
	}
	return (time_t)-1;
}

time_t ip_now(void)
{
	time_t t = pinned_time();
	return t != (time_t)-1 ? t : time(NULL);
}

void ip_date_str(time_t t, char out[11])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void ip_datetime_str(time_t t, char out[21])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (the
 * civil-from-days arithmetic: no time zones, no mktime). */
static long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

bool ip_date_add(const char *date, int n, char unit, char out[11])
{
	if (!ip_date_valid(date))
		return false;
	int y = number_at(date, 4), m = number_at(date + 5, 2), d = number_at(date + 8, 2);
	if (unit == 'd' || unit == 'w') {
		civil_from_days(days_from_civil(y, m, d) + (long)n * (unit == 'w' ? 7 : 1),
		                &y, &m, &d);
	} else if (unit == 'm' || unit == 'y') {
		long months = (long)y * 12 + (m - 1) + (long)n * (unit == 'y' ? 12 : 1);
		y = (int)(months / 12);
		m = (int)(months % 12) + 1;
		/* the 31st plus a month is the last day of a shorter month */
		if (d > days_in_month(y, m))
			d = days_in_month(y, m);
	} else {
		return false;
	}
	if (y < 1 || y > 9999)
		return false;
	put_digits(out, y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = '\0';
	return true;
}

long ip_days_between(const char *from, const char *to)
{
	if (!ip_date_valid(from) || !ip_date_valid(to))
		return 0;
	return days_from_civil(number_at(to, 4), number_at(to + 5, 2), number_at(to + 8, 2)) -
	       days_from_civil(number_at(from, 4), number_at(from + 5, 2), number_at(from + 8, 2));
}

int ip_years_between(const char *from, const char *to)
{
	if (!ip_date_valid(from) || !ip_date_valid(to))
		return -1;
	int years = number_at(to, 4) - number_at(from, 4);
	/* Not yet had the birthday this year: compare MM-DD as text. */
	if (strcmp(to + 5, from + 5) < 0)
		years--;
	return years;
}
