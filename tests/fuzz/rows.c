/* rows.c — fuzz the rows of an intake file, CSV or JSON Lines (the first
 * byte of the input is 'j' for JSON Lines, else it is CSV), in whatever
 * encoding the bytes look like, its header read with a German import map,
 * down to the case each row makes, and its person's keys for finding one
 * person twice (names of any script through ICU and the sound rules). */
#include "fuzz.h"
#include "ip_case.h"
#include "ip_doc.h"
#include "ip_match.h"
#include "ip_rows.h"
#include "ip_schema.h"

#include <stdlib.h>

/* A person is the same as itself, whatever its name. */
static void match_keys(const struct ip_match *m, const json_t *c)
{
	const json_t *person = json_object_get(c, "person");
	char *exact = ip_match_exact_key(person), *near = ip_match_near_key(m, person);
	struct ip_match_why why = ip_match_compare(m, person, person);
	if (!ip_match_same(&why) || ip_match_near(&why))
		__builtin_trap();
	free(exact);
	free(near);
}

static int open_row(json_t *row, const char *file, int line, void *ctx)
{
	const struct ip_match *m = ctx;
	json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "schema", IP_CASE_SCHEMA,
	                      "id", "BY-MUC-2026-AAAAA", "status", "intake", "opened",
	                      "2026-11-21", "centre", "id", "BY-MUC");
	int rc = 65;
	if (ip_row_fill(c, row, "2026-11-21", file, line, false) == 0) {
		struct ip_doc doc = {(char *)file, c, NULL, line, 0};
		rc = ip_case_validate(&doc) ? 65 : 0;
	}
	if (rc == 0 && m)
		match_keys(m, c);
	json_decref(c);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	if (size == 0)
		return 0;
	static json_t *maps;
	if (!maps)
		maps = json_pack("[{s:s, s:{s:s}, s:[{s:s, s:s}, {s:s, s:s}], s:[{s:s, s:s, s:s}]}]",
		                 "name", "de", "title", "en", "German", "columns", "header",
		                 "Vorname", "field", "given", "header", "Geburtsdatum", "field",
		                 "birth_date", "values", "field", "sex", "from", "w", "to", "female");
	static struct ip_match *match;
	static const struct ip_limits lim = IP_LIMITS_DEFAULT;
	if (!match && ip_match_load(NULL, &lim, &match))
		__builtin_trap();
	struct ip_import im = {.maps = maps, .quiet = true};
	const char *path = data[0] == 'j' ? "rows.jsonl" : "rows.csv";
	ip_rows_read(path, path, (const char *)data + 1, size - 1, &im, open_row, match);
	return 0;
}
