/* package.c — fuzz what a partner's centre receives: referral packages
 * and responses (JSON, JSON Lines). A package the schema accepts is opened
 * as the partner's case, which must then be a valid case; the steps of a
 * response the schema accepts go through the state machine. The digest is
 * checked but, since a fuzzer cannot forge sha256, not required. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "ip_case.h"
#include "ip_doc.h"
#include "ip_referral.h"
#include "ip_schema.h"

static void open_package(const struct ip_doc *pkg)
{
	json_t *c = ip_referral_intake(pkg->root, "AF-KBL-PH", "AF-KBL-PH-2026-AAAAA",
	                               "2026-11-21");
	struct ip_doc doc = {"<intake>", c, NULL, 0, 0};
	/* the schema let it through, but what it names may still be refused:
	 * that is a message, not a crash */
	ip_case_validate(&doc);
	json_decref(c);
}

static void apply_steps(const json_t *response)
{
	json_t *ref = json_pack("{s:s, s:s, s:s, s:s}", "id", "BY-MUC-R-AAAAAAAA", "to",
	                        "AF-KBL-PH", "date", "2026-11-01", "status", "pending");
	const json_t *steps = json_object_get(json_object_get(response, "response"), "steps");
	size_t i;
	json_t *step;
	json_array_foreach(steps, i, step) {
		struct ip_where w = {"<fuzz>", 0, 0, "referral.steps"};
		if (ip_referral_step(ref, step, IP_SIDE_PARTNER, "2027-12-31", &w))
			break;
	}
	json_decref(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	struct ip_limits lim = IP_LIMITS_DEFAULT;
	struct ip_docs docs = {0};
	if (ip_docs_parse("<fuzz>", (const char *)data, size, IP_SYNTAX_JSON, &lim, &docs) == 0) {
		for (size_t i = 0; i < docs.n; i++) {
			struct ip_doc *d = &docs.v[i];
			ip_package_sealed(d->root);
			if (ip_validate(d, &ip_package_schema, "a referral package") == 0)
				open_package(d);
			else if (ip_validate(d, &ip_response_schema, "a response") == 0)
				apply_steps(d->root);
		}
	}
	ip_docs_free(&docs);
	return 0;
}
