#include "ip_protect.h"

#include "ip_digest.h"

#include <math.h>
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

/* The move of an amount, from -1 to -0.5 or 0.5 to 1: drawn from the cell
 * key mixed, so that it does not follow the count's perturbation, which
 * reads the key as it is; never near 0, so that it always hides. */
static double amount_move(uint32_t key)
{
	uint64_t h = ip_mix64((uint64_t)key ^ 0x9e3779b97f4a7c15ULL);
	double size = 0.5 + 0.5 * (double)(h >> 11) / 9007199254740992.0;  /* 2^53 */
	return h & 1 ? size : -size;
}

json_t *ip_protect_amount(const struct ip_protect *pr, json_int_t cents, json_int_t largest,
                          json_int_t shown_cases, uint32_t key)
{
	if (!pr->ptable)
		return json_real((double)cents / 100.0);
	if (!shown_cases || ip_protect_withheld(pr, shown_cases) ||
	    (double)largest > pr->dominance * (double)cents)
		return json_string("");
	double moved = (double)cents + pr->amount_noise * (double)largest * amount_move(key);
	return json_integer(moved > 0 ? (json_int_t)llround(moved / 100.0) : 0);
}
