/* Unit tests of lib/, in TAP. */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ip_age.h"
#include "ip_arena.h"
#include "ip_case.h"
#include "ip_codes.h"
#include "ip_csv.h"
#include "ip_text.h"
#include "ip_diag.h"
#include "ip_digest.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_emit.h"
#include "ip_i18n.h"
#include "ip_mustache.h"
#include "ip_partners.h"
#include "ip_plan.h"
#include "ip_referral.h"
#include "ip_schema.h"
#include "ip_visible.h"
#include "ip_vocab.h"
#include "ip_write.h"
#include "unit.h"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <locale.h>
#include <sys/stat.h>
#include <sys/wait.h>

static int n_tests, n_failed;

void ok(int cond, const char *what)
{
	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_tests, what);
}

void unit_quiet(bool on)
{
	static FILE *saved;
	fflush(stderr);
	if (on && !saved) {
		saved = stderr;
		stderr = fopen("/dev/null", "w");
	} else if (!on && saved) {
		fclose(stderr);
		stderr = saved;
		saved = NULL;
	}
}

/* Parse YAML quietly: parse errors go to stderr, silenced here. */
int unit_parse(const char *yaml, struct ip_docs *docs)
{
	static const struct ip_limits lim = IP_LIMITS_DEFAULT;
	*docs = (struct ip_docs){0};
	unit_quiet(true);
	int rc = ip_docs_parse("t.yaml", yaml, strlen(yaml), IP_SYNTAX_YAML, &lim, docs);
	unit_quiet(false);
	return rc;
}

static json_t *value_of(const char *yaml)
{
	struct ip_docs docs;
	if (unit_parse(yaml, &docs) || docs.n != 1)
		return NULL;
	json_t *v = json_incref(json_object_get(docs.v[0].root, "k"));
	ip_docs_free(&docs);
	return v;
}

static void test_core_schema(void)
{
	static const struct {
		const char *yaml;
		json_type type;
	} cases[] = {
		{"k: NO", JSON_STRING}, {"k: yes", JSON_STRING}, {"k: off", JSON_STRING},
		{"k: true", JSON_TRUE}, {"k: False", JSON_FALSE}, {"k: ~", JSON_NULL},
		{"k:", JSON_NULL}, {"k: Null", JSON_NULL}, {"k: 0012", JSON_INTEGER},
		{"k: -3", JSON_INTEGER}, {"k: 0x1F", JSON_INTEGER}, {"k: 0o17", JSON_INTEGER},
		{"k: 1.5", JSON_REAL}, {"k: 1e3", JSON_REAL}, {"k: .5", JSON_REAL},
		{"k: '12'", JSON_STRING}, {"k: \"true\"", JSON_STRING},
		{"k: 2026-11-21", JSON_STRING}, {"k: 1_000", JSON_STRING},
		{"k: 0b101", JSON_STRING}, {"k: 12:30", JSON_STRING},
		/* every spelling of null and the booleans, and near misses of
		 * each first letter the resolver looks at */
		{"k: null", JSON_NULL}, {"k: NULL", JSON_NULL}, {"k: nULL", JSON_STRING},
		{"k: ~x", JSON_STRING}, {"k: none", JSON_STRING}, {"k: Nil", JSON_STRING},
		{"k: True", JSON_TRUE}, {"k: TRUE", JSON_TRUE}, {"k: tRUE", JSON_STRING},
		{"k: false", JSON_FALSE}, {"k: FALSE", JSON_FALSE}, {"k: fALSE", JSON_STRING},
		{"k: Fals", JSON_STRING}, {"k: Tru", JSON_STRING}, {"k: .", JSON_STRING},
		{"k: .in", JSON_STRING}, {"k: -.5", JSON_REAL}, {"k: +12", JSON_INTEGER},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		json_t *v = value_of(cases[i].yaml);
		char what[96];
		snprintf(what, sizeof what, "core schema: '%s' has the right type", cases[i].yaml);
		ok(v && json_typeof(v) == cases[i].type, what);
		json_decref(v);
	}
	json_t *v = value_of("k: 0o17");
	ok(json_integer_value(v) == 15, "core schema: 0o17 is 15");
	json_decref(v);
	static const char *const special[] = {"k: .inf", "k: -.Inf", "k: +.INF", "k: .nan",
	                                      "k: .NaN", "k: .NAN"};
	for (size_t i = 0; i < sizeof special / sizeof *special; i++) {
		char what[96];
		snprintf(what, sizeof what, "core schema: '%s' is refused", special[i]);
		ok(value_of(special[i]) == NULL, what);
	}
	ok(value_of("k: 99999999999999999999") == NULL, "core schema: an integer too large is refused");
}

static void test_plain_text_kept(void)
{
	struct ip_docs docs;
	unit_parse("a: {b: 0012}\n", &docs);
	ok(docs.n == 1 && !strcmp(ip_doc_plain_text(&docs.v[0], "a.b"), "0012"),
	   "plain scalar text is kept for schema-directed strings");
	struct ip_where w = ip_doc_where(&docs.v[0], "a.b");
	ok(w.line == 1 && w.col == 8, "position of a nested value");
	w = ip_doc_where(&docs.v[0], "a.c.d");
	ok(w.line == 1 && w.col == 4, "position falls back to the nearest ancestor");
	ip_docs_free(&docs);
}

static void test_refusals(void)
{
	struct ip_docs docs;
	ok(unit_parse("a: 1\na: 2\n", &docs) == 65, "duplicate key refused");
	ip_docs_free(&docs);
	ok(unit_parse("a: !!binary eA==\n", &docs) == 65, "unknown tag refused");
	ip_docs_free(&docs);
	ok(unit_parse("a: &x [*x]\n", &docs) == 65, "self-referencing alias refused");
	ip_docs_free(&docs);
	ok(unit_parse("? [a]\n: b\n", &docs) == 65, "non-scalar key refused");
	ip_docs_free(&docs);
	ok(unit_parse("a: *nope\n", &docs) == 65, "alias without anchor refused");
	ip_docs_free(&docs);
	ok(unit_parse("a: &x [1, 2]\nb: *x\n", &docs) == 0 &&
	   json_array_size(json_object_get(docs.v[0].root, "b")) == 2, "plain alias expands");
	ip_docs_free(&docs);
	ok(unit_parse("a: !!int '12'\nb: !!str 12\n", &docs) == 0 &&
	   json_is_integer(json_object_get(docs.v[0].root, "a")) &&
	   json_is_string(json_object_get(docs.v[0].root, "b")), "core tags apply");
	ip_docs_free(&docs);
	ok(unit_parse("a: !!int abc\n", &docs) == 65, "a value that does not fit its tag is refused");
	ip_docs_free(&docs);
}

static void test_utf8(void)
{
	int line, col;
	ok(ip_utf8_valid("ä ü ß محمد Бојан", strlen("ä ü ß محمد Бојан"), &line, &col),
	   "UTF-8: umlauts, Arabic, Cyrillic");
	ok(!ip_utf8_valid("ab\ncd\xff", 6, &line, &col) && line == 2 && col == 3,
	   "UTF-8: bad byte found with its position");
	ok(!ip_utf8_valid("\xc0\xaf", 2, &line, &col), "UTF-8: overlong form refused");
	ok(!ip_utf8_valid("\xed\xa0\x80", 3, &line, &col), "UTF-8: surrogate refused");
	ok(!ip_utf8_valid("a\0b", 3, &line, &col), "UTF-8: NUL refused");
}

/* Each string, written as YAML and read back, is the same string. */
static void test_quoting_round_trip(void)
{
	static const char *const strings[] = {
		"NO", "0012", "true", "null", "", "~", "- x", "-x", "a: b", "a:b", "#x",
		"a #b", "a#b", " lead", "trail ", "tab\there", "line\nbreak", "Müller",
		"'quoted'", "\"dq\"", "[x]", "{x}", "*star", "&amp", "!bang", "%p", "@at",
		"`tick", "|pipe", ">gt", "?", "? x", ":", "x:", "---", "...", "1.5", "1e3",
		".inf", "0x1F", "=cmd|' /C calc'!A0", "{{name}}", "<script>", "\x7f", "\xc2\x85",
		"\xe2\x80\xa8", "a\\b", "محمد", "12:30", "2026-11-21",
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
		json_t *obj = json_pack("{s:s}", "k", strings[i]);
		struct ip_buf b = {0};
		ip_emit(&b, obj, IP_FORMAT_YAML);
		struct ip_docs docs;
		int rc = unit_parse(b.s, &docs);
		json_t *back = rc || docs.n != 1 ? NULL : json_object_get(docs.v[0].root, "k");
		if (!json_is_string(back) || strcmp(json_string_value(back), strings[i])) {
			bad++;
			printf("# round trip failed for [%s]: %s", strings[i], b.s);
		}
		ip_docs_free(&docs);
		ip_buf_free(&b);
		json_decref(obj);
	}
	ok(bad == 0, "YAML strings read back as themselves");
	json_t *obj = json_pack("{s:s, s:s}", "k", "NO", "n", "0012");
	struct ip_buf b = {0};
	ip_emit(&b, obj, IP_FORMAT_YAML);
	ok(!strcmp(b.s, "k: NO\nn: \"0012\"\n"), "quoted exactly when needed");
	ip_buf_free(&b);
	json_decref(obj);
}

/* Reals written as JSON and YAML read back as the same double, and the
 * decimals a case holds are written as they were read. */
static void test_reals_round_trip(void)
{
	static const double reals[] = {0.67, 0.1 + 0.2, 1e-300, 123456.78, 2.5e17,
	                               0.1234567890123456789, -0.0, 1.0 / 3};
	static const enum ip_format formats[] = {IP_FORMAT_JSON, IP_FORMAT_JSONL,
	                                         IP_FORMAT_YAML};
	int bad = 0;
	for (size_t f = 0; f < 3; f++)
		for (size_t i = 0; i < sizeof reals / sizeof *reals; i++) {
			json_t *obj = json_pack("{s:f, s:f}", "k", 0.67, "r", reals[i]);
			struct ip_buf b = {0};
			ip_emit(&b, obj, formats[f]);
			struct ip_docs docs;
			int rc = unit_parse(b.s, &docs);
			json_t *back = rc || docs.n != 1 ? NULL : json_object_get(docs.v[0].root, "r");
			if (!json_is_real(back) || json_real_value(back) != reals[i]) {
				bad++;
				printf("# round trip failed for %.17g: %s", reals[i], b.s);
			}
			ip_docs_free(&docs);
			ip_buf_free(&b);
			json_decref(obj);
		}
	ok(bad == 0, "reals read back as themselves from JSON and YAML");
	json_t *obj = json_pack("{s:f}", "k", 0.67);
	struct ip_buf b = {0};
	ip_emit(&b, obj, IP_FORMAT_JSONL);
	ok(!strcmp(b.s, "{\"k\":0.67}\n"), "a two-decimal score written as read");
	ip_buf_free(&b);
	json_decref(obj);
}

static void test_ids_and_dates(void)
{
	ok(ip_case_id_valid("BY-MUC-2026-7K3Q9"), "case id valid");
	ok(!ip_case_id_valid("BY-MUC-2026-7K3QI"), "case id: I is not Crockford");
	ok(!ip_case_id_valid("../x-2026-7K3Q9"), "case id: no path characters");
	ok(!ip_case_id_valid("BY/MUC-2026-7K3Q9"), "case id: no slash");
	ok(!ip_case_id_valid("-2026-7K3Q9"), "case id: needs a centre");
	char *id = ip_case_id_new("BE-X", 2027);
	ok(ip_case_id_valid(id) && !strncmp(id, "BE-X-2027-", 10), "new ids are valid");
	free(id);
	ok(ip_date_valid("2024-02-29") && !ip_date_valid("2026-02-29") &&
	   !ip_date_valid("2026-02-30") && !ip_date_valid("2026-13-01") &&
	   !ip_date_valid("2026-1-01"), "calendar dates");
	ok(ip_datetime_valid("2026-11-21T09:14:03Z") && !ip_datetime_valid("2026-11-21T25:00:00Z"),
	   "UTC times");
	ok(ip_due_relative_valid("departure+60d") && ip_due_relative_valid("arrival+3m") &&
	   !ip_due_relative_valid("arrival+3") && !ip_due_relative_valid("tomorrow"),
	   "relative due dates");
	ok(ip_years_between("1991-04-12", "2026-04-11") == 34 &&
	   ip_years_between("1991-04-12", "2026-04-12") == 35, "age on a day");
	char d[11];
	ok(ip_date_add("2026-01-31", 1, 'm', d) && !strcmp(d, "2026-02-28"),
	   "a month after the 31st is the month's last day");
	ok(ip_date_add("2024-02-29", 1, 'y', d) && !strcmp(d, "2025-02-28"),
	   "a year after a leap day");
	ok(ip_date_add("2026-12-25", 2, 'w', d) && !strcmp(d, "2027-01-08"), "weeks across a year");
	ok(ip_date_add("2026-03-01", -1, 'd', d) && !strcmp(d, "2026-02-28"), "a day back");
	ok(ip_date_add("1900-01-05", -10, 'd', d) && !strcmp(d, "1899-12-26"),
	   "a date before 1900 is written with four digits");
	ok(!ip_date_add("2026-1-01", 1, 'd', d) && !ip_date_add("2026-01-01", 1, 'x', d),
	   "no sum of a bad date or unit");
	ok(ip_days_between("2026-02-27", "2026-03-01") == 2 &&
	   ip_days_between("2024-02-27", "2024-03-01") == 3 &&
	   ip_days_between("2026-03-01", "2026-02-27") == -2, "days between, leap years");
}

static void test_nearest(void)
{
	const char *names[] = {"nationality", "languages", "given"};
	ok(!strcmp(ip_nearest("nationalty", names, 3), "nationality"), "did you mean: typo");
	ok(ip_nearest("zzzzzz", names, 3) == NULL, "did you mean: nothing close");
	ok(!strcmp(ip_did_you_mean("nationality"), "; did you mean 'nationality'?"),
	   "did you mean: the phrase");
	ok(!strcmp(ip_did_you_mean(NULL), ""), "did you mean: nothing without a candidate");
	const char *prios[] = {"low", "medium", "high", "urgent"};
	ok(!strcmp(ip_nearest("hihg", prios, 4), "high"), "did you mean: swapped letters");
	const char *sexes[] = {"female", "male", "diverse", "unknown"};
	ok(!strcmp(ip_nearest("m", sexes, 4), "male"), "did you mean: an abbreviation");
}

static void test_csv(void)
{
	const char *text = "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",z\n";
	struct ip_csv c;
	struct ip_csv_record r;
	ip_csv_init(&c, text, strlen(text));
	ok(ip_csv_next(&c, &r) == 1 && r.n == 2 && !strcmp(r.fields[1], "b"), "csv header");
	ip_csv_record_free(&r);
	ok(ip_csv_next(&c, &r) == 1 && !strcmp(r.fields[0], "x, y") &&
	   !strcmp(r.fields[1], "say \"hi\"") && r.line == 2, "csv quotes");
	ip_csv_record_free(&r);
	ok(ip_csv_next(&c, &r) == 1 && !strcmp(r.fields[0], "multi\nline") && r.line == 3,
	   "csv line break inside quotes");
	ip_csv_record_free(&r);
	ok(ip_csv_next(&c, &r) == 0, "csv end");
	ip_csv_init(&c, "\"open", 5);
	ok(ip_csv_next(&c, &r) == -1, "csv unterminated quote");
	ok(ip_csv_sniff("a;b;\"c,d,e\"\nx,y,z,w", 17) == ';' &&
	   ip_csv_sniff("a\tb\tc", 5) == '\t' && ip_csv_sniff("a", 1) == ',' &&
	   ip_csv_sniff("a,b;c", 5) == ',', "csv: the header's separator, quotes and later "
	   "lines aside, a comma on a tie");
	text = "Vorname;Name\nAnna;M\xfcller\n";
	ip_csv_init(&c, text, strlen(text));
	c.separator = ';';
	ok(ip_csv_next(&c, &r) == 1 && r.n == 2 && !strcmp(r.fields[1], "Name"),
	   "csv with semicolons");
	ip_csv_record_free(&r);
}

static void test_text_decode(void)
{
	struct ip_buf out = {0};
	const char *as;
	ok(!ip_text_decode("t", "M\xfcller", 6, NULL, &out, &as) && !strcmp(as, "WINDOWS-1252") &&
	   out.len == 7 && !memcmp(out.s, "M\xc3\xbcller", 7), "text: Windows-1252 when not UTF-8");
	ip_buf_free(&out);
	ok(!ip_text_decode("t", "\xff\xfe" "A\0", 4, NULL, &out, &as) && !strcmp(as, "UTF-16LE") &&
	   out.len == 1 && out.s[0] == 'A', "text: UTF-16 by its byte order mark");
	ip_buf_free(&out);
	ok(!ip_text_decode("t", "\xef\xbb\xbf" "A", 4, NULL, &out, &as) && !strcmp(as, "UTF-8") &&
	   out.len == 1, "text: a UTF-8 byte order mark is dropped");
	ip_buf_free(&out);
	unit_quiet(true);
	ok(ip_text_decode("t", "A\0B", 3, NULL, &out, &as) == 65 &&
	   ip_text_decode("t", "A", 1, "NO-SUCH-CODE", &out, &as) == 64,
	   "text: a NUL byte is refused, an unknown encoding is a usage error");
	unit_quiet(false);
	ip_buf_free(&out);
}

static void test_schema_lookup(void)
{
	ok(ip_schema_lookup("person.birth_date") &&
	   ip_schema_lookup("person.birth_date")->type == IP_T_DATE, "schema lookup");
	ok(ip_schema_lookup("plan.measures.budget.amount") &&
	   ip_schema_lookup("plan.measures.budget.amount")->type == IP_T_AMOUNT,
	   "schema lookup through lists");
	ok(ip_schema_lookup("person.nope") == NULL, "schema lookup of an unknown field");
}

/* Every field of the schema is documented in ip-case(5). */
static int undocumented(const struct ip_field *f, const char *man)
{
	int missing = 0;
	if (f->type == IP_T_ARRAY)
		return undocumented(f->item, man);
	if (f->type != IP_T_OBJECT)
		return 0;
	for (const struct ip_field *k = f->fields; k->name; k++) {
		char *needle = ip_xasprintf("Cm %s", k->name);
		const char *hit = strstr(man, needle);
		size_t n = strlen(needle);
		/* the whole name, not a prefix of a longer one */
		while (hit && (hit[n] == '_' || (hit[n] >= 'a' && hit[n] <= 'z')))
			hit = strstr(hit + 1, needle);
		if (!hit) {
			printf("# ip-case.5 does not document '%s'\n", k->name);
			missing++;
		}
		free(needle);
		missing += undocumented(k, man);
	}
	return missing;
}

static void test_schema_documented(void)
{
	char *man;
	size_t len;
	if (ip_read_all("man/ip-case.5", 1 << 20, &man, &len)) {
		ok(0, "ip-case.5 is readable");
		return;
	}
	ok(undocumented(&ip_case_schema, man) == 0, "every schema field is in ip-case.5");
	free(man);
}

static char *slurp(const char *path)
{
	char *buf;
	size_t len;
	return ip_read_all(path, 1 << 20, &buf, &len) ? NULL : buf;
}

static int quietly(int (*fn)(const char *, const char *, size_t, bool),
                   const char *path, const char *data, bool create_only)
{
	fflush(stderr);
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	dup2(null, 2);
	int rc = fn(path, data, strlen(data), create_only);
	dup2(saved, 2);
	close(null);
	close(saved);
	return rc;
}

static void test_writes(void)
{
	char dir[] = "/tmp/ip-unit.XXXXXX";
	if (!mkdtemp(dir)) {
		ok(0, "temp directory");
		return;
	}
	char *path = ip_xasprintf("%s/case.yaml", dir);
	char *link = ip_xasprintf("%s/link.yaml", dir);
	ok(ip_write_file(path, "one\n", 4, true) == 0, "write a new file");
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "a new file is 0600");
	chmod(path, 0640);
	ok(ip_write_file(path, "two\n", 4, false) == 0, "replace a file");
	char *text = slurp(path);
	ok(text && !strcmp(text, "two\n"), "the replacement is in place");
	free(text);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "a replaced file keeps its mode");
	ok(quietly(ip_write_file, path, "three\n", true) == 73, "create-only never replaces");
	text = slurp(path);
	ok(text && !strcmp(text, "two\n"), "... and leaves the old file as it was");
	free(text);
	ok(symlink(path, link) == 0, "make a symlink");
	ok(quietly(ip_write_file, link, "x\n", false) == 73, "no write through a symlink");

	/* A second process cannot take the lock while we hold it. */
	struct ip_lock lk;
	ok(ip_lock_acquire(path, &lk) == 0, "lock a case");
	setenv("IP_LOCK_TIMEOUT", "0.2", 1);
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		struct ip_lock other;
		_exit(ip_lock_acquire(path, &other));
	}
	int status;
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 75, "a locked case is busy (75)");
	ip_lock_release(&lk);
	pid = fork();
	if (pid == 0) {
		struct ip_lock other;
		_exit(ip_lock_acquire(path, &other));
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a released lock can be taken");
	ok(quietly(ip_write_file, path, "four\n", false) == 0, "write after the lock");

	char *listing = ip_xasprintf("ls -A %s | grep -c tmp- >/dev/null", dir);
	ok(system(listing) != 0, "no temp file is left");
	free(listing);
	char *rm = ip_xasprintf("rm -rf %s", dir);
	ok(system(rm) == 0, "clean up");
	free(rm);
	free(path);
	free(link);
}

static const char *spec_partial(const char *name, void *ctx)
{
	return json_string_value(json_object_get(ctx, name));
}

/* The official Mustache spec's core modules, when ../shared has them. */
static void test_mustache_spec(void)
{
	static const char *const modules[] = {"comments", "delimiters", "interpolation",
	                                      "inverted", "partials", "sections", NULL};
	const char *dir = getenv("MUSTACHE_SPEC");
	if (!dir)
		dir = "../shared/conformance/mustache-spec";
	int passed = 0, total = 0;
	for (const char *const *m = modules; *m; m++) {
		char *path = ip_xasprintf("%s/%s.json", dir, *m);
		json_t *spec = json_load_file(path, 0, NULL);
		free(path);
		if (!spec) {
			n_tests++;
			printf("ok %d - mustache spec %s # skip no conformance data in %s\n",
			       n_tests, *m, dir);
			continue;
		}
		size_t i;
		json_t *t;
		json_array_foreach(json_object_get(spec, "tests"), i, t) {
			struct ip_buf out = {0};
			const char *error = NULL;
			int line = 0;
			int rc = ip_mustache_render(json_string_value(json_object_get(t, "template")),
			                            json_object_get(t, "data"), spec_partial,
			                            json_object_get(t, "partials"), &out, &error, &line);
			const char *want = json_string_value(json_object_get(t, "expected"));
			bool good = rc == 0 && !strcmp(out.s, want);
			char what[160];
			snprintf(what, sizeof what, "mustache spec %s: %s", *m,
			         json_string_value(json_object_get(t, "name")));
			ok(good, what);
			if (!good)
				printf("# want [%s]\n# got  [%s] %s\n", want, rc ? "" : out.s,
				       rc ? error : "");
			passed += good;
			total++;
			ip_buf_free(&out);
		}
		json_decref(spec);
	}
	printf("# mustache spec: %d of %d passed\n", passed, total);
}

static void test_mustache_safety(void)
{
	json_t *data = json_pack("{s:s, s:s}", "name", "{{evil}}<script>", "evil", "X");
	struct ip_buf out = {0};
	const char *error;
	int line;
	ip_mustache_render("{{name}}|{{{name}}}", data, NULL, NULL, &out, &error, &line);
	ok(!strcmp(out.s, "{{evil}}&lt;script&gt;|{{evil}}<script>"),
	   "mustache: data is never read as template text");
	ip_buf_free(&out);
	ok(ip_mustache_render("{{#a}}x{{/b}}", data, NULL, NULL, &out, &error, &line) == -1 &&
	   !strcmp(error, "a closing tag does not match the open section"),
	   "mustache: a mismatched close tag is an error");
	ip_buf_free(&out);
	ok(ip_mustache_render("a\n{{#a}}x", data, NULL, NULL, &out, &error, &line) == -1 &&
	   line == 2, "mustache: an unclosed section is an error with its line");
	ip_buf_free(&out);
	json_t *loop = json_pack("{s:s}", "p", "{{>p}}");
	ok(ip_mustache_render("{{>p}}", data, spec_partial, loop, &out, &error, &line) == -1,
	   "mustache: a partial including itself forever is stopped");
	ip_buf_free(&out);
	json_decref(loop);
	json_decref(data);
}

/* ---- referrals ---------------------------------------------------------- */

/* A case with something in every field that must never leave. */
static const char rich_case[] =
	"schema: integplan/case/1\nid: BY-MUC-2026-7K3Q9\nstatus: planned\n"
	"opened: 2026-11-21\ncentre: {id: BY-MUC, state: DE-BY}\n"
	"counsellors: {host: A. Berger}\n"
	"person: {given: Mariam, family: Ahmadi, birth_date: 1991-04-12, sex: female,\n"
	"  nationality: [AF], languages: [prs], contact: {phone: '+49 1', email: m@x.example},\n"
	"  x-secret: SECRET-X}\n"
	"household: [{relation: child, birth_date: 2019-02-01, sex: male, returning: true}]\n"
	"return: {country: AF, region: AF-KAB, planned_departure: 2027-02-01}\n"
	"consent: [{purpose: referral, recipient: AF, given: 2026-11-21}]\n"
	"assessments: [{date: 2026-11-28, by: A. Berger, vulnerabilities: [serious-illness],\n"
	"  needs: [{category: housing, priority: high, note: SECRET-NEED}],\n"
	"  skills: {education: secondary, entrepreneurial: true},\n"
	"  risk: {level: high, note: SECRET-RISK}, note: SECRET-ASSESSMENT}]\n"
	"plan: {measures: [{id: M1, dimension: economic, category: business-startup,\n"
	"  side: return, owner: SECRET-OWNER, due: departure+60d, status: open,\n"
	"  note: SECRET-MEASURE}, {id: M2, dimension: social, category: skills-analysis,\n"
	"  side: host, status: open, note: SECRET-HOST}]}\n"
	"links: [{case: BY-MUC-2025-AAAAA, relation: repeat-return}]\n"
	"notes: [{at: 2026-11-21T09:14:03Z, by: x, text: SECRET-NOTE}]\n"
	"history: [{at: 2026-11-21T09:14:03Z, by: x, cmd: ip-intake, what: SECRET-HISTORY}]\n";

static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '.');
}

/* Every leaf of v (list indices dropped) lies under the profile, or is a
 * return-side measure's, and none is a note or an extension. */
static bool inside(const json_t *v, const char *path, const json_t *profile)
{
	if (json_is_array(v)) {
		size_t i;
		json_t *item;
		json_array_foreach((json_t *)v, i, item)
			if (!inside(item, path, profile))
				return false;
		return true;
	}
	if (json_is_object(v)) {
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)v, key, val) {
			if (!strcmp(key, "note") || !strncmp(key, "x-", 2) || !strcmp(key, "owner"))
				return false;
			char *sub = ip_path_key(path, key);
			bool ok = inside(val, sub, profile);
			free(sub);
			if (!ok)
				return false;
		}
		return true;
	}
	if (under(path, "plan.measures"))
		return true;
	size_t i;
	json_t *p;
	json_array_foreach((json_t *)profile, i, p)
		if (under(path, json_string_value(p)))
			return true;
	fprintf(stderr, "# outside the profile: %s\n", path);
	return false;
}

static void test_packages_minimal(void)
{
	struct ip_docs docs;
	static const struct ip_limits lim = IP_LIMITS_DEFAULT;
	json_t *dir = NULL;
	ok(unit_parse(rich_case, &docs) == 0 && docs.n == 1 && ip_case_validate(&docs.v[0]) == 0,
	   "the rich case is valid");
	ok(ip_partners_load(NULL, NULL, &lim, &dir) == 0, "the sample partner directory loads");
	/* Every sample profile, and one naming every field a profile may hold
	 * whole (so notes inside them are tested too). */
	json_t *profiles = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(dir, "partners"), i, p)
		if (json_object_get(p, "profile"))
			json_array_append(profiles, json_object_get(p, "profile"));
	json_array_append_new(profiles, json_pack("[ssssssssss]", "status", "opened", "centre",
	                      "counsellors", "person", "household", "return", "programmes",
	                      "assessments", "outcome"));
	bool all_inside = true, no_secret = true, measures_ok = true;
	json_array_foreach(profiles, i, p) {
		json_t *partner = json_pack("{s:s, s:s, s:O}", "id", "AF-KBL-PH", "country", "AF",
		                            "profile", p);
		json_t *ref = json_pack("{s:s, s:s, s:[s], s:s, s:s}", "id", "BY-MUC-R-AAAAAAAA",
		                        "to", "AF-KBL-PH", "services", "business-startup", "date",
		                        "2026-11-21", "status", "pending");
		json_t *pkg = ip_referral_package(docs.v[0].root, partner, ref, "BY-MUC",
		                                  "2026-11-21", NULL);
		all_inside &= inside(json_object_get(pkg, "case"), "", p);
		char *text = json_dumps(pkg, JSON_COMPACT);
		no_secret &= !strstr(text, "SECRET") && !strstr(text, "BY-MUC-2026-7K3Q9") &&
		             !strstr(text, "BY-MUC-2025-AAAAA");
		json_t *ms = json_object_get(json_object_get(json_object_get(pkg, "case"), "plan"),
		                             "measures");
		measures_ok &= json_array_size(ms) == 1 &&
		               !strcmp(json_string_value(json_object_get(json_array_get(ms, 0),
		                       "due")), "2027-04-02");
		free(text);
		json_decref(pkg);
		json_decref(ref);
		json_decref(partner);
	}
	ok(all_inside, "no field outside the profile is in any package");
	ok(no_secret, "no note, history, extension, link or case id is in any package");
	ok(measures_ok, "only return-side measures go, with due dates made absolute");
	json_decref(profiles);
	json_decref(dir);
	ip_docs_free(&docs);
}

static void test_referral_states(void)
{
	static const char *const states[] = {"pending", "accepted", "rejected", "done", "revoked"};
	int allowed = 0;
	for (size_t a = 0; a < 5; a++)
		for (size_t b = 0; b < 5; b++)
			allowed += ip_referral_refuse(states[a], states[b]) == NULL;
	ok(allowed == 5 && !ip_referral_refuse("pending", "accepted") &&
	   !ip_referral_refuse("pending", "revoked") && !ip_referral_refuse("accepted", "revoked") &&
	   ip_referral_refuse("done", "accepted") &&
	   ip_referral_mover("pending", "accepted") == IP_SIDE_PARTNER &&
	   ip_referral_mover("accepted", "done") == IP_SIDE_PARTNER &&
	   ip_referral_mover("pending", "revoked") == IP_SIDE_CENTRE &&
	   ip_referral_mover("done", "revoked") == IP_SIDE_NONE,
	   "the referral state machine has exactly its five moves, each one side's");
	json_t *pkg = json_pack("{s:s, s:{s:s}}", "schema", "x", "case", "given", "Mariam");
	ip_package_seal(pkg);
	bool sealed = ip_package_sealed(pkg);
	json_object_set_new(json_object_get(pkg, "case"), "given", json_string("Maria"));
	ok(sealed && !ip_package_sealed(pkg), "a sealed package shows any change");
	json_decref(pkg);
	char *id = ip_referral_id_new("BY-MUC");
	ok(ip_referral_id_valid(id) && !ip_referral_id_valid("BY-MUC-2026-7K3Q9") &&
	   !ip_referral_id_valid("../R-AAAAAAAA"), "referral ids");
	free(id);
}

/* More than a pipe holds, both ways: neither side may wait on the other. */
static void test_age_large(void)
{
	if (system("command -v age-keygen >/dev/null 2>&1") != 0) {
		printf("ok %d - # SKIP age is not installed\n", ++n_tests);
		return;
	}
	char dir[] = "/tmp/ip-unit-age-XXXXXX";
	if (!mkdtemp(dir))
		return;
	char *key = ip_xasprintf("%s/key", dir);
	char *cmd = ip_xasprintf("age-keygen -o %s 2>/dev/null && age-keygen -y %s >%s.pub",
	                         key, key, key);
	int made = system(cmd);
	char recipient[128] = "";
	char *pub = ip_xasprintf("%s.pub", key);
	FILE *f = fopen(pub, "r");
	if (f && fgets(recipient, sizeof recipient, f))
		recipient[strcspn(recipient, "\n")] = '\0';
	if (f)
		fclose(f);
	size_t len = 3u << 20;
	char *data = ip_xmalloc(len);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)('a' + i % 26);
	/* encrypted here, decrypted by the age tool: empty, one byte, around
	 * the 64 KiB chunk, several chunks */
	static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 131072, 3u << 20};
	bool all = made == 0;
	for (size_t k = 0; all && k < sizeof sizes / sizeof *sizes; k++) {
		struct ip_buf sealed = {0}, opened = {0};
		all = !ip_age_encrypt(recipient, data, sizes[k], &sealed) &&
		      ip_age_encrypted(sealed.s, sealed.len) &&
		      !ip_age_decrypt(key, "t", sealed.s, sealed.len, &opened) &&
		      opened.len == sizes[k] && (!sizes[k] || !memcmp(opened.s, data, sizes[k]));
		if (!all)
			printf("# age: %zu bytes do not come back\n", sizes[k]);
		ip_buf_free(&sealed);
		ip_buf_free(&opened);
	}
	ok(all, "age: encrypted here, decrypted by age, from 0 bytes to 3 MiB");
	/* the same text twice is two different files (a new key each time) */
	struct ip_buf a = {0}, b = {0};
	ok(!ip_age_encrypt(recipient, "x", 1, &a) && !ip_age_encrypt(recipient, "x", 1, &b) &&
	   a.len == b.len && memcmp(a.s, b.s, a.len), "age: a fresh key for every file");
	ip_buf_free(&a);
	ip_buf_free(&b);
	/* one character changed breaks the recipient's checksum */
	char bad[128];
	snprintf(bad, sizeof bad, "%s", recipient);
	bad[10] = bad[10] == 'q' ? 'p' : 'q';
	unit_quiet(true);
	ok(ip_age_encrypt(bad, "x", 1, &a) == IP_EXIT_CANTCREAT && a.len == 0,
	   "age: a recipient with a wrong checksum is refused, nothing written");
	unit_quiet(false);
	ip_buf_free(&a);
	free(data);
	free(cmd);
	cmd = ip_xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		ok(0, "clean up the age keys");
	free(cmd);
	free(pub);
	free(key);
}

/* The language follows LANGUAGE, from the catalogue built beside tests/ in
 * share/locale. setlocale after each change empties glibc's cache of
 * translations, as a new process would start without one. */
static void test_language(void)
{
	const char *messages = setlocale(LC_MESSAGES, NULL);
	if (!strcmp(messages, "C") || !strcmp(messages, "POSIX")) {
		printf("ok %d - messages in German # skip the C locale has only English\n",
		       ++n_tests);
		return;
	}
	unsetenv("LANGUAGE");
	setlocale(LC_MESSAGES, "");
	ok(!strcmp(ip_i18n_lang(), "en"), "language: English without a German locale");
	setenv("LANGUAGE", "de", 1);
	setlocale(LC_MESSAGES, "");
	ok(!strcmp(ip_i18n_lang(), "de"), "language: German under LANGUAGE=de");
	ok(!strcmp(ip_did_you_mean("sex"), "; meinten Sie 'sex'?"), "language: German phrase");
	unsetenv("LANGUAGE");
	setlocale(LC_MESSAGES, "");
	ok(!strcmp(ip_did_you_mean("sex"), "; did you mean 'sex'?"), "language: back to English");
}

static void test_vocab_labels(void)
{
	ok(!strcmp(ip_vocab_label("sex", "female", "de"), "weiblich"), "label: German");
	ok(!strcmp(ip_vocab_label("closure-outcome", "lost-contact", "fr"), "lost contact"),
	   "label: English where the language has none");
	ok(!strcmp(ip_vocab_label("sex", "nonesuch", "de"), "nonesuch"), "label: the id when unknown");
	ok(!strcmp(ip_vocab_label("sex", NULL, "de"), ""), "label: nothing for nothing");
}

/* Every id of every vocabulary is known to the one it is in, and to each
 * other exactly when that one lists it too (the lookup keeps all
 * vocabularies' ids in one table): as a scan of the entries says. */
static bool vocab_lists(const char *vocab, const char *id)
{
	return ip_find_id(ip_vocab_entries(vocab), id) != NULL;
}

static void test_vocab_has(void)
{
	size_t asked = 0, wrong = 0, shared = 0;
	const char *name, *other;
	json_t *list, *ignored;
	json_object_foreach(ip_vocab_all(), name, list) {
		size_t i;
		json_t *e;
		json_array_foreach(list, i, e) {
			const char *id = ip_str(e, "id");
			json_object_foreach(ip_vocab_all(), other, ignored) {
				bool want = vocab_lists(other, id);
				wrong += ip_vocab_has(other, id) != want;
				shared += want && strcmp(other, name);
				asked++;
			}
		}
	}
	ok(asked > 1000 && !wrong, "vocab: every id in its vocabularies and no other");
	ok(shared > 0, "vocab: some id is in two vocabularies");
	ok(!ip_vocab_has("sex", "Female") && !ip_vocab_has("sex", "") &&
	   !ip_vocab_has("nonesuch", "female"), "vocab: case, empty and unknown vocabulary");
}

/* Which temp files the next writer removes: those of processes that are
 * gone, an older version's of our own kinds when an hour old; never a live
 * writer's, nor a user's own file. */
static void test_temps_left(void)
{
	char dir[] = "/tmp/ip-unit.XXXXXX";
	if (!mkdtemp(dir)) {
		ok(0, "temp directory");
		return;
	}
	pid_t gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	char *dead = ip_xasprintf(".c.yaml.tmp-%ld", (long)gone);
	char *dead2 = ip_xasprintf(".c.yaml.tmp-%ld-3", (long)gone);
	char *mine = ip_xasprintf(".c.yaml.tmp-%ld", (long)getpid());
	ok(ip_temp_left_over(dir, dead), "a temp file of a process that is gone is left over");
	ok(ip_temp_left_over(dir, dead2), "... also with a serial number");
	ok(!ip_temp_left_over(dir, mine), "this process's own is not");
	ok(!ip_temp_left_over(dir, ".c.yaml.tmp-1"), "a live process's is not");
	ok(!ip_temp_left_over(dir, ".c.yaml.tmp-x1"), "a name that is not a temp file's is not");
	ok(!ip_temp_left_over(dir, "c.yaml"), "a case file is not");
	char *old = ip_xasprintf("%s/.c.yaml.tmp", dir), *user = ip_xasprintf("%s/.notes.tmp", dir);
	FILE *f = fopen(old, "w"), *g = fopen(user, "w");
	if (f)
		fclose(f);
	if (g)
		fclose(g);
	ok(!ip_temp_left_over(dir, ".c.yaml.tmp"), "an older version's fresh temp file is not");
	struct timespec hours_ago[2] = {{time(NULL) - 7200, 0}, {time(NULL) - 7200, 0}};
	utimensat(AT_FDCWD, old, hours_ago, 0);
	utimensat(AT_FDCWD, user, hours_ago, 0);
	ok(ip_temp_left_over(dir, ".c.yaml.tmp"), "... but one two hours old is");
	ok(!ip_temp_left_over(dir, ".notes.tmp"), "a user's own .notes.tmp never is");
	unlink(old);
	unlink(user);
	rmdir(dir);
	free(dead);
	free(dead2);
	free(mine);
	free(old);
	free(user);
}

/* What a terminal, a spreadsheet or a message shows of a value. */
static void test_visible(void)
{
	struct ip_buf b = {0};
	const char *s = "a\x1b]2;x\x07" "b\tc\nd\u202Ee\u200Bf\u200Cg\xC2\x85h";
	ip_visible_add(&b, s, strlen(s), false);
	ok(b.s && !strcmp(b.s, "a\\e]2;x\\ab\\tc\\nd\\u202Ee\\u200Bf\u200Cg\\x85h"),
	   "controls, overrides and the zero-width space escaped; ZWNJ kept");
	ip_buf_free(&b);
	ip_visible_add(&b, s, strlen(s), true);
	ok(b.s && strstr(b.s, "b\tc\nd"), "with lines: tabs and newlines kept");
	ip_buf_free(&b);
	uint32_t cp;
	ok(ip_invisible_find("Ana\xEF\xBB\xBF", false, &cp) && cp == 0xFEFF, "a BOM is found");
	ok(!ip_invisible_find("Arb\xC3\xABn", false, &cp), "a name with a diaeresis is fine");
	ok(!ip_invisible_find("one\ntwo", true, &cp), "free text may have lines");
}

/* A file read in a thread's scratch gives the same tree, positions and
 * text as one read on the heap; memory from outside the window is still
 * freed, and the next file reuses the scratch. */
/* The digest as jansson's own canonical text gives it. */
static void jansson_digest(const json_t *v, char out[IP_DIGEST_SIZE])
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(text), (const uint8_t *)text);
	sha256_digest(&ctx, sizeof d, d);
	free(text);
	strcpy(out, "sha256:");
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

static bool same_digest(const json_t *v)
{
	char mine[IP_DIGEST_SIZE], theirs[IP_DIGEST_SIZE];
	ip_digest_json(v, mine);
	jansson_digest(v, theirs);
	return !strcmp(mine, theirs);
}

/* A string of bytes that need escaping, plain ASCII and UTF-8. */
static json_t *random_string(unsigned *seed)
{
	static const char *const pieces[] = {"\x01", "\x1f", "\b", "\f", "\n", "\r", "\t",
		"\"", "\\", "/", "\x7f", "a", "Z", " ", "\xc3\xa4", "\xd9\x85",
		"\xe2\x80\xa8", "\xf0\x9f\x98\x80", "M1", "budget"};
	char text[128] = "";
	int n = rand_r(seed) % 12;
	for (int i = 0; i < n; i++)
		strcat(text, pieces[rand_r(seed) % (int)(sizeof pieces / sizeof *pieces)]);
	return json_string(text);
}

static json_t *random_value(unsigned *seed, int depth)
{
	switch (depth > 4 ? 2 + rand_r(seed) % 4 : rand_r(seed) % 6) {
	case 0: {
		json_t *o = json_object();
		for (int n = rand_r(seed) % 8; n > 0; n--) {
			json_t *key = random_string(seed);
			json_object_set_new(o, json_string_value(key), random_value(seed, depth + 1));
			json_decref(key);
		}
		return o;
	}
	case 1: {
		json_t *a = json_array();
		for (int n = rand_r(seed) % 5; n > 0; n--)
			json_array_append_new(a, random_value(seed, depth + 1));
		return a;
	}
	case 2: return random_string(seed);
	case 3: return json_integer((json_int_t)rand_r(seed) - RAND_MAX / 2);
	case 4: return rand_r(seed) % 2 ? json_true() : json_null();
	default: return rand_r(seed) % 2 ? json_false() : json_integer(INT64_MIN);
	}
}

static void test_digest_canonical(void)
{
	char hex[7];
	ip_hex((const uint8_t[]){0x00, 0x9f, 0xff}, 3, hex);
	ok(!strcmp(hex, "009fff"), "hex: lower case, two digits a byte, NUL-terminated");
	static const char *const files[] = {"tests/fixtures/kosovo.yaml",
		"tests/fixtures/norway.yaml", "tests/fixtures/referring-case.yaml"};
	const struct ip_limits lim = IP_LIMITS_DEFAULT;
	bool cases = true, random = true;
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		struct ip_docs docs = {0};
		cases = cases && !ip_case_load(files[i], &lim, &docs) &&
		        same_digest(docs.v[0].root);
		ip_docs_free(&docs);
	}
	ok(cases, "digest: a whole case hashed as jansson writes it");
	unsigned seed = 20261203;
	for (int i = 0; i < 2000 && random; i++) {
		json_t *v = random_value(&seed, 0);
		random = same_digest(v);
		json_decref(v);
	}
	ok(random, "digest: 2,000 random values with escapes, UTF-8 and nesting");
	/* what the writer leaves to jansson: a real, a long object, deep nesting */
	json_t *real = json_pack("{s:f, s:[f]}", "amount", 0.1, "x", 1e300);
	json_t *wide = json_object(), *deep = json_array(), *inner = deep;
	for (int i = 0; i < 100; i++) {
		char key[16];
		snprintf(key, sizeof key, "k%d", i);
		json_object_set_new(wide, key, json_integer(i));
		json_t *next = json_array();
		json_array_append_new(inner, next);
		inner = next;
	}
	json_t *nul_key = json_object();
	json_object_setn_new(nul_key, "a\0b", 3, json_true());
	json_object_set_new(nul_key, "a", json_false());
	ok(same_digest(real) && same_digest(wide) && same_digest(deep) && same_digest(nul_key),
	   "digest: reals, wide and deep values and keys with NUL as jansson writes them");
	json_decref(real);
	json_decref(wide);
	json_decref(deep);
	json_decref(nul_key);
}

/* The terms of a plan as the approvals' digest is defined (the comment
 * of ip_plan_digest), built as a jansson object for the oracle: per
 * measure id, the later of two with one id, its category, dimension,
 * side, due, budget without "paid" and programme, and "cancelled". */
static json_t *oracle_terms(const json_t *plan)
{
	static const char *const keys[] = {"category", "dimension", "side", "due", "budget",
	                                   "programme"};
	json_t *terms = json_object(), *m;
	size_t i;
	json_array_foreach(json_object_get(plan, "measures"), i, m) {
		json_t *t = json_object();
		for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
			if (json_object_get(m, keys[k]))
				json_object_set_new(t, keys[k], json_deep_copy(json_object_get(m, keys[k])));
		json_object_del(json_object_get(t, "budget"), "paid");
		const char *status = json_string_value(json_object_get(m, "status"));
		if (status && !strcmp(status, "cancelled"))
			json_object_set_new(t, "cancelled", json_true());
		const char *id = json_string_value(json_object_get(m, "id"));
		json_object_set_new(terms, id ? id : "", t);
	}
	return terms;
}

/* A random measure: ids from a few (so some repeat), any of the keys with
 * random values, budgets with and without "paid", now and then a real
 * (left to jansson) or a measure that is not an object. */
static json_t *random_measure(unsigned *seed)
{
	static const char *const keys[] = {"category", "dimension", "side", "due", "programme",
	                                   "owner", "note"};
	if (rand_r(seed) % 20 == 0)
		return random_value(seed, 3);
	json_t *m = json_object();
	if (rand_r(seed) % 10)
		json_object_set_new(m, "id", json_sprintf("M%d", rand_r(seed) % 6));
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
		if (rand_r(seed) % 2)
			json_object_set_new(m, keys[k], random_value(seed, 3));
	if (rand_r(seed) % 2) {
		json_t *b = json_pack("{s:i, s:s}", "amount", rand_r(seed) % 5000, "currency", "EUR");
		if (rand_r(seed) % 2)
			json_object_set_new(b, "paid", json_integer(rand_r(seed) % 100));
		if (rand_r(seed) % 15 == 0)
			json_object_set_new(b, "rate", json_real(0.25));
		json_object_set_new(m, "budget", b);
	}
	static const char *const statuses[] = {"open", "done", "cancelled"};
	if (rand_r(seed) % 2)
		json_object_set_new(m, "status", json_string(statuses[rand_r(seed) % 3]));
	return m;
}

static void test_plan_digest(void)
{
	unsigned seed = 20261203;
	bool same = true;
	for (int i = 0; i < 2000 && same; i++) {
		json_t *plan = json_pack("{s:[]}", "measures");
		for (int n = rand_r(&seed) % 9; n > 0; n--)
			json_array_append_new(json_object_get(plan, "measures"), random_measure(&seed));
		json_t *terms = oracle_terms(plan);
		char mine[IP_DIGEST_SIZE], theirs[IP_DIGEST_SIZE];
		ip_plan_digest(plan, mine);
		jansson_digest(terms, theirs);
		same = !strcmp(mine, theirs);
		json_decref(terms);
		json_decref(plan);
	}
	ok(same, "plan digest: written from the measures, the digest of their terms "
	   "(2,000 random plans: repeated ids, paid budgets, reals, not objects)");
	json_t *none = json_object();
	char mine[IP_DIGEST_SIZE], theirs[IP_DIGEST_SIZE];
	ip_plan_digest(none, mine);
	jansson_digest(none, theirs);
	ok(!strcmp(mine, theirs), "plan digest: a plan without measures agrees to {}");
	json_decref(none);
}

static void test_put_number(void)
{
	struct ip_buf b = {0};
	ip_buf_put_number(&b, 0, 0, '\0');
	ip_buf_put_number(&b, -42, 0, '|');
	ip_buf_put_number(&b, 7, 9, '.');
	ip_buf_put_number(&b, 1234567890123, 3, '\0');
	ip_buf_put_number(&b, LLONG_MIN, 0, '\n');
	ok(b.s && !strcmp(b.s, "0-42|000000007.1234567890123-9223372036854775808\n"),
	   "numbers in decimal: zero, negative, padded, wider than asked, the least");
	ip_buf_free(&b);
}

static void test_scratch(void)
{
	static const char *const files[] = {"tests/fixtures/kosovo.yaml",
	                                    "tests/fixtures/norway.yaml"};
	const struct ip_limits lim = IP_LIMITS_DEFAULT;
	json_t *before_window = json_string("made on the heap");
	bool same = true, placed = true;
	for (size_t i = 0; i < 2 * sizeof files / sizeof *files; i++) {
		const char *file = files[i % 2];
		struct ip_docs heap = {0}, scratch = {0};
		int rc_heap = ip_case_load(file, &lim, &heap);
		ip_scratch_begin();
		int rc_scratch = ip_case_load(file, &lim, &scratch);
		char *text = ip_json_text(scratch.v[0].root, JSON_SORT_KEYS);
		struct ip_where w = ip_doc_where(&scratch.v[0], "person.birth_date");
		struct ip_where h = ip_doc_where(&heap.v[0], "person.birth_date");
		placed = placed && w.line > 0 && w.line == h.line && w.col == h.col;
		if (i == 0)
			json_decref(before_window); /* freed inside: back to the heap */
		ip_docs_free(&scratch);
		ip_scratch_end();
		char *want = ip_json_text(heap.v[0].root, JSON_SORT_KEYS);
		same = same && !rc_heap && !rc_scratch && text && want && !strcmp(text, want);
		free(text); /* ip_json_text's memory is the heap's, in the window too */
		free(want);
		ip_docs_free(&heap);
	}
	ip_scratch_release();
	ok(same, "scratch: a case read in the scratch is the case read on the heap");
	ok(placed, "scratch: positions of a case read in the scratch");
	struct ip_arena a = {0};
	char *x = ip_arena_alloc(&a, 3);
	char *y = ip_arena_alloc(&a, 5);
	ok(ip_arena_owns(&a, x) && ip_arena_owns(&a, y + 4) && !ip_arena_owns(&a, &a) &&
	   (uintptr_t)y % alignof(max_align_t) == 0,
	   "arena: pieces aligned for any object, and known as its own");
	ip_arena_reset(&a);
	ok(ip_arena_alloc(&a, 3) == x, "arena: after a reset the block is given out again");
	ip_arena_free(&a);
}

/* iso-codes' files read in their own shape give every code and English
 * name jansson's reading of them gives. */
static void test_codes_as_jansson_reads_them(void)
{
	static const struct {
		enum ip_codeset set;
		const char *file, *list, *key;
	} files[] = {
		{IP_CODES_COUNTRY, "iso_3166-1.json", "3166-1", "alpha_2"},
		{IP_CODES_REGION, "iso_3166-2.json", "3166-2", "code"},
		{IP_CODES_LANGUAGE, "iso_639-3.json", "639-3", "alpha_3"},
		{IP_CODES_CURRENCY, "iso_4217.json", "4217", "alpha_3"},
	};
	const char *dir = getenv("IP_ISO_CODES") ? getenv("IP_ISO_CODES")
	                                         : "/usr/share/iso-codes/json";
	for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, files[f].file);
		json_t *doc = json_load_file(path, 0, NULL);
		size_t i, n = 0, same = 0;
		json_t *entry;
		json_array_foreach(json_object_get(doc, files[f].list), i, entry) {
			const char *code = json_string_value(json_object_get(entry, files[f].key));
			const char *name = json_string_value(json_object_get(entry, "name"));
			const char *mine = ip_code_name_in(files[f].set, code, "en");
			n++;
			same += mine && name && !strcmp(mine, name);
		}
		char what[160];
		snprintf(what, sizeof what, "codes: %s read without a tree as jansson reads it "
		         "(%zu of %zu)", files[f].file, same, n);
		ok(n > 100 && same == n, what);
		json_decref(doc);
	}
}

int main(void)
{
	char *name[] = {"unit", NULL};
	ip_diag_init(name);
	/* share/ of this tree, whichever directory the tests run from */
	if (!getenv("IP_SHARE"))
		setenv("IP_SHARE", "share/integplan", 1);
	test_core_schema();
	test_plain_text_kept();
	test_put_number();
	test_scratch();
	test_digest_canonical();
	test_plan_digest();
	test_codes_as_jansson_reads_them();
	test_refusals();
	test_utf8();
	test_quoting_round_trip();
	test_reals_round_trip();
	test_ids_and_dates();
	test_nearest();
	test_language();
	test_vocab_labels();
	test_vocab_has();
	test_csv();
	test_text_decode();
	test_schema_lookup();
	test_schema_documented();
	test_writes();
	test_temps_left();
	test_visible();
	test_mustache_safety();
	test_mustache_spec();
	test_packages_minimal();
	test_referral_states();
	test_age_large();
	unit_domain_tests();
	printf("1..%d\n# unit tests end\n", n_tests);
	return n_failed ? 1 : 0;
}
