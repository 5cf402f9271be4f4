/* case.c — fuzz the case validator: whatever the document, validation
 * reports and returns; a case it accepts keeps being valid written out
 * canonically and read again, and gives its report facts. */
#include <stdio.h>
#include <stdlib.h>

#include "doc_oracle.h"
#include "fuzz.h"
#include "ip_case.h"
#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_facts.h"
#include "ip_schema.h"

static void check_valid_case(json_t *root)
{
	json_t *canon = ip_canonical(root, &ip_case_schema);
	fuzz_round_trip(canon);
	struct ip_buf yaml = {0};
	ip_emit(&yaml, canon, IP_FORMAT_YAML);
	struct ip_limits lim = {(size_t)1 << 28, 64, 100000};
	struct ip_docs again = {0};
	if (ip_docs_parse("<canonical>", yaml.s, yaml.len, IP_SYNTAX_YAML, &lim, &again) ||
	    ip_case_validate(&again.v[0])) {
		fprintf(stdout, "a valid case is not valid written out:\n%s\n", yaml.s);
		fflush(stdout);
		abort();
	}
	ip_docs_free(&again);
	ip_buf_free(&yaml);

	struct ip_buf facts = {0};
	struct ip_arena arena = {0};
	struct ip_case_facts f;
	ip_facts_read(canon, &arena, &f);
	ip_facts_of(&f, 30, &facts);
	ip_arena_free(&arena);
	char *fields[IP_NFACTS];
	facts.s[facts.len - 1] = '\0';
	if (!ip_facts_split(facts.s, fields)) {
		fprintf(stdout, "the facts of a valid case do not split\n");
		fflush(stdout);
		abort();
	}
	ip_buf_free(&facts);
	json_decref(canon);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	struct ip_limits lim = IP_LIMITS_DEFAULT;
	struct ip_docs docs = {0};
	if (ip_docs_parse("<fuzz>", (const char *)data, size, IP_SYNTAX_AUTO, &lim, &docs) == 0)
		for (size_t i = 0; i < docs.n; i++)
			if (ip_case_validate(&docs.v[i]) == 0)
				check_valid_case(docs.v[i].root);
	ip_docs_free(&docs);
	return 0;
}
