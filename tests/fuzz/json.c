/* yaml.c — fuzz the JSON reader (JSON, and JSON Lines: several values): any bytes are read or refused with a
 * message, never crash, leak or hang; what is read writes back the same. */
#include "doc_oracle.h"
#include "fuzz.h"
#include "ip_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	struct ip_limits lim = IP_LIMITS_DEFAULT;
	struct ip_docs docs = {0};
	if (ip_docs_parse("<fuzz>", (const char *)data, size, IP_SYNTAX_JSON, &lim, &docs) == 0)
		for (size_t i = 0; i < docs.n; i++)
			fuzz_round_trip(docs.v[i].root);
	ip_docs_free(&docs);
	return 0;
}
