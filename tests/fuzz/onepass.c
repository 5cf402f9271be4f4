/* onepass.c — fuzz the one pass over a case's events (ip_onepass.h)
 * against the careful way (ip_docs_parse and ip_case_validate), which it
 * stands in for on the paths that read many cases:
 *  - it never says valid where the careful way finds a problem;
 *  - where both say valid, the values are equal, and so are the facts
 *    lines a report makes of them (the pass's gathered, the careful way's
 *    read from its tree);
 *  - where the careful way says valid and the input holds nothing the pass
 *    leaves to it (an anchor, alias or tag, JSON, a merge's conflicts, an
 *    erased case), the pass says valid too: it is not a pass that is
 *    always unsure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ip_case.h"
#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_facts.h"
#include "ip_onepass.h"

static void fail(const char *what, const char *input)
{
	fprintf(stdout, "one pass: %s:\n%s\n", what, input);
	fflush(stdout);
	abort();
}

/* Nothing in the text the pass leaves to the careful way (JSON too, after
 * a byte order mark, which the pass skips before it tells the two apart). */
static bool plain_yaml(const char *s, size_t size)
{
	size_t bom = size >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3) ? 3 : 0;
	return strlen(s) == size && !strpbrk(s, "&*!") &&
	       ip_docs_sniff("<fuzz>", s + bom, size - bom) == IP_SYNTAX_YAML &&
	       !strstr(s, "x-merge-conflicts") && !strstr(s, "erased");
}

/* The facts line of the pass's facts against the careful way's: the same
 * verdict, but where the digest of a budget needs the tree (a key of its
 * own, a null), and the same line. */
static void check_facts(const char *s, size_t size, const struct ip_limits *lim, bool quick,
                        const json_t *careful)
{
	struct ip_case_facts gathered, read;
	struct ip_arena arena = {0};
	struct ip_buf want = {0}, got = {0};
	bool valid = ip_onepass_case("<fuzz>", s, size, lim, NULL, NULL, &gathered);
	if (valid && !quick)
		fail("valid when gathering facts only", s);
	if (!valid) {
		if (quick && !strstr(s, "budget"))
			fail("not sure when gathering facts", s);
		return;
	}
	ip_facts_of(&gathered, 30, &got);
	ip_facts_read(careful, &arena, &read);
	ip_facts_of(&read, 30, &want);
	if (strcmp(got.s, want.s))
		fail("facts other than those of the careful way's value", s);
	ip_buf_free(&want);
	ip_buf_free(&got);
	ip_arena_free(&arena);
}

/* The case built with only some keys of its root: the verdict of the
 * whole, and the careful way's value (careful) with just those keys. */
static void check_built(const char *s, size_t size, const struct ip_limits *lim, bool quick,
                        const json_t *careful, const struct ip_onepass_keys *built)
{
	json_t *tree = NULL;
	if (ip_onepass_case("<fuzz>", s, size, lim, built, &tree, NULL) != quick)
		fail("another verdict when keys are left out", s);
	if (!tree)
		return;
	json_t *want = json_object(), *v;
	const char *key;
	json_object_foreach((json_t *)careful, key, v) {
		bool listed = false;
		for (const char *const *k = built->keys; *k && !listed; k++)
			listed = !strcmp(*k, key);
		if (listed == built->only)
			json_object_set(want, key, v);
	}
	if (!json_equal(tree, want))
		fail("a value other than the careful way's with only the keys built", s);
	json_decref(want);
	json_decref(tree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	char *s = fuzz_string(data, size);
	struct ip_limits lim = IP_LIMITS_DEFAULT;
	json_t *fast = NULL;
	bool quick = ip_onepass_case("<fuzz>", s, size, &lim, NULL, &fast, NULL);
	struct ip_docs docs = {0};
	bool careful = ip_docs_parse("<fuzz>", s, size, IP_SYNTAX_AUTO, &lim, &docs) == 0 &&
	               docs.n == 1 && ip_case_validate(&docs.v[0]) == 0;
	if (quick && !careful)
		fail("valid, where the careful way finds a problem", s);
	if (quick && !json_equal(fast, docs.v[0].root))
		fail("a value other than the careful way's", s);
	if (careful && !quick && plain_yaml(s, size))
		fail("not sure of a valid case", s);
	/* what a report gathers, and what ip-check and the persons index
	 * build (the plan; the person): the same verdict, the same
	 * case with only those keys */
	static const char *const plan[] = {"plan", NULL}, *const person[] = {"person", NULL};
	static const struct ip_onepass_keys plan_only = {true, plan};
	static const struct ip_onepass_keys person_only = {true, person};
	check_facts(s, size, &lim, quick, quick ? docs.v[0].root : NULL);
	check_built(s, size, &lim, quick, quick ? docs.v[0].root : NULL, &plan_only);
	check_built(s, size, &lim, quick, quick ? docs.v[0].root : NULL, &person_only);
	json_decref(fast);
	ip_docs_free(&docs);
	free(s);
	return 0;
}
