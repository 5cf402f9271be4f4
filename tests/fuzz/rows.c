/* rows.c — fuzz the rows of an intake file, CSV or JSON Lines (the first
 * byte of the input is 'j' for JSON Lines, else it is CSV), in whatever
 * encoding the bytes look like, its header read with a German import map,
 * down to the case each row makes. */
#include "fuzz.h"
#include "ip_case.h"
#include "ip_doc.h"
#include "ip_rows.h"
#include "ip_schema.h"

static int open_row(json_t *row, const char *file, int line, void *ctx)
{
	(void)ctx;
	json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "schema", IP_CASE_SCHEMA,
	                      "id", "BY-MUC-2026-AAAAA", "status", "intake", "opened",
	                      "2026-11-21", "centre", "id", "BY-MUC");
	int rc = 65;
	if (ip_row_fill(c, row, "2026-11-21", file, line, false) == 0) {
		struct ip_doc doc = {(char *)file, c, NULL, line, 0};
		rc = ip_case_validate(&doc) ? 65 : 0;
	}
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
	struct ip_import im = {.maps = maps, .quiet = true};
	const char *path = data[0] == 'j' ? "rows.jsonl" : "rows.csv";
	ip_rows_read(path, path, (const char *)data + 1, size - 1, &im, open_row, NULL);
	return 0;
}
