#include "ip_protect.h"

#include <stdint.h>

json_int_t ip_protect_count(const struct ip_protect *pr, json_int_t n, const json_t *key)
{
	return pr->ptable ? ip_ptable_apply(pr->ptable, n, (uint32_t)json_integer_value(key))
	                  : n;
}

json_t *ip_protect_cell(const struct ip_protect *pr, const json_t *n, const json_t *key)
{
	return json_integer(ip_protect_count(pr, json_integer_value(n), key));
}

bool ip_protect_hidden_zero(const struct ip_protect *pr, json_t *count)
{
	if (!pr->ptable || json_integer_value(count) != 0)
		return false;
	json_decref(count);
	return true;
}

bool ip_protect_withheld(const struct ip_protect *pr, json_int_t base)
{
	return pr->ptable && base < pr->min_base;
}

json_t *ip_protect_rate(const struct ip_protect *pr, json_int_t part, json_int_t whole)
{
	if (!whole || ip_protect_withheld(pr, whole))
		return json_string("");
	if (part > whole)
		part = whole;
	return json_sprintf("%.1f %%", 100.0 * (double)part / (double)whole);
}
