/* doc_oracle.c — the round-trip property of doc_oracle.h. */
#include "doc_oracle.h"

#include <stdio.h>
#include <stdlib.h>

#include "ip_doc.h"
#include "ip_emit.h"

static void round_trip_as(const json_t *v, enum ip_format format, enum ip_syntax syntax)
{
	struct ip_buf out = {0};
	ip_emit(&out, v, format);
	/* What was written may be larger than what was read (quoting), but
	 * it may not nest deeper or hold more nodes. */
	struct ip_limits lim = {(size_t)1 << 28, 64, 100000};
	struct ip_docs docs = {0};
	int rc = ip_docs_parse("<emitted>", out.s, out.len, syntax, &lim, &docs);
	if (rc || docs.n != 1 || !json_equal(docs.v[0].root, v)) {
		fprintf(stdout, "round trip through %s failed (rc %d, %zu documents):\n%.*s\n",
		        syntax == IP_SYNTAX_YAML ? "YAML" : "JSON", rc, docs.n, (int)out.len, out.s);
		fflush(stdout);
		abort();
	}
	ip_docs_free(&docs);
	ip_buf_free(&out);
}

void fuzz_round_trip(const json_t *v)
{
	round_trip_as(v, IP_FORMAT_YAML, IP_SYNTAX_YAML);
	round_trip_as(v, IP_FORMAT_JSON, IP_SYNTAX_JSON);
}
