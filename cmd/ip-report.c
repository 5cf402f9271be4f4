/* ip-report — reports over a case repository for counsellors, networks
 * and funders: summary, kpi, due, indicators, export, and merge of the
 * partials of several repositories. */
#include <nettle/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ip_case.h"
#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_repo.h"
#include "ip_report.h"
#include "ip_scan.h"
#include "ip_schema.h"
#include "ip_share.h"
#include "ip_table.h"
#include "ip_write.h"

enum sub { SUMMARY, KPI, DUE, INDICATORS, EXPORT, MERGE, NSUB };
static const char *const sub_names[NSUB] = {"summary", "kpi", "due", "indicators",
	"export", "merge"};

enum {
	OPT_BY = 0x200, OPT_SINCE, OPT_UNTIL, OPT_WHERE, OPT_WITHIN, OPT_COUNSELLOR,
	OPT_PERIOD, OPT_FIELDS, OPT_ANONYMISE, OPT_KEY_FILE, OPT_DIALECT, OPT_MIN_CELL,
	OPT_NO_CACHE, OPT_JOBS = 'j',
};

struct report {
	struct ip_cli cli;
	enum sub sub;
	struct ip_report_query q;
	const char *by, *within, *counsellor, *fields, *key_file;
	bool anonymise, no_cache;
	enum ip_csv_dialect dialect;
	int min_cell, jobs, bad_options;
	json_t *settings;
	char today[11], due_by[11];
	/* due and export: */
	json_t *items;          /* due: [[due, owner, case, what], ...] */
	json_t *export_fields;  /* export: fact names */
	struct ip_report *agg;
	struct ip_buf out;
	uint8_t key[64];
	size_t key_len, rows;
};

static const struct argp_option options[] = {
	{"by", OPT_BY, "FIELD[,FIELD...]", 0, N_("summary: count by these fields"), 1},
	{"since", OPT_SINCE, "DATE", 0, N_("Only cases opened on or after DATE"), 1},
	{"until", OPT_UNTIL, "DATE", 0, N_("Only cases opened on or before DATE"), 1},
	{"where", OPT_WHERE, "FIELD=VALUE", 0, N_("Only cases with this value; repeatable"), 1},
	{"within", OPT_WITHIN, "N[dwm]", 0, N_("due: what falls due within this time "
	 "(default 14d), and everything overdue"), 2},
	{"counsellor", OPT_COUNSELLOR, "NAME", 0, N_("due: only what NAME owns"), 2},
	{"period", OPT_PERIOD, "YYYY[-QN|-MM]", 0, N_("indicators: the period"), 2},
	{"fields", OPT_FIELDS, "LIST", 0, N_("export: the columns (comma-separated)"), 2},
	{"anonymise", OPT_ANONYMISE, NULL, 0, N_("export: no names, contacts or notes; "
	 "birth dates as quarters; ids as keyed hashes"), 2},
	{"key-file", OPT_KEY_FILE, "FILE", 0, N_("export: the key of the id hashes"), 2},
	{"csv-dialect", OPT_DIALECT, "rfc4180|excel-de", 0, N_("CSV as RFC 4180 (default) "
	 "or for German Excel (';', BOM, CRLF)"), 3},
	{"min-cell", OPT_MIN_CELL, "N", 0, N_("Show counts below N as <N (default 5; 0: "
	 "no suppression, for internal use)"), 3},
	{"jobs", 'j', "N", 0, N_("Parse with N threads (default: the online CPUs)"), 3},
	{"no-cache", OPT_NO_CACHE, NULL, 0, N_("Neither read nor write the report cache"), 3},
	{0}};

static void bad(struct report *r, const char *option, const char *fmt, const char *arg)
{
	ip_error(&(struct ip_where){NULL, 0, 0, option}, fmt, arg);
	r->bad_options++;
}

static int number(struct report *r, const char *arg, const char *option, int max)
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (end == arg || *end || n < 0 || n > max) {
		bad(r, option, "'%s' is not a whole number in range", arg);
		return 0;
	}
	return (int)n;
}

static void date_option(struct report *r, const char **slot, const char *arg, const char *option)
{
	if (!ip_date_valid(arg))
		bad(r, option, "'%s' is not a date (YYYY-MM-DD)", arg);
	*slot = arg;
}

static void add_where(struct report *r, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *field = eq ? ip_xasprintf("%.*s", (int)(eq - arg), arg) : NULL;
	if (!eq || !ip_report_field_known(field))
		bad(r, "--where", "'%s' is not FIELD=VALUE with a field of --by", arg);
	else
		json_array_append_new(r->q.where, json_pack("[s, s]", field, eq + 1));
	free(field);
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct report *r = state->input;
	switch (key) {
	case ARGP_KEY_INIT: state->child_inputs[0] = &r->cli; break;
	case OPT_BY: r->by = arg; break;
	case OPT_SINCE: date_option(r, &r->q.since, arg, "--since"); break;
	case OPT_UNTIL: date_option(r, &r->q.until, arg, "--until"); break;
	case OPT_WHERE: add_where(r, arg); break;
	case OPT_WITHIN: r->within = arg; break;
	case OPT_COUNSELLOR: r->counsellor = arg; break;
	case OPT_PERIOD: r->q.period = arg; break;
	case OPT_FIELDS: r->fields = arg; break;
	case OPT_ANONYMISE: r->anonymise = true; break;
	case OPT_KEY_FILE: r->key_file = arg; break;
	case OPT_DIALECT:
		if (!strcmp(arg, "excel-de"))
			r->dialect = IP_CSV_EXCEL_DE;
		else if (strcmp(arg, "rfc4180"))
			bad(r, "--csv-dialect", "'%s' is not rfc4180 or excel-de", arg);
		break;
	case OPT_MIN_CELL: r->min_cell = number(r, arg, "--min-cell", 1000); break;
	case OPT_JOBS: r->jobs = number(r, arg, "--jobs", 256); break;
	case OPT_NO_CACHE: r->no_cache = true; break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* ---- checking the request ----------------------------------------------- */

static json_t *split_list(const char *s)
{
	json_t *list = json_array();
	while (s && *s) {
		size_t n = strcspn(s, ",");
		json_array_append_new(list, json_stringn(s, n));
		s += n + (s[n] == ',');
	}
	return list;
}

static void check_by(struct report *r)
{
	r->q.by = split_list(r->by ? r->by : "status");
	size_t i;
	json_t *f;
	json_array_foreach(r->q.by, i, f)
		if (!ip_report_field_known(json_string_value(f))) {
			const char *near = ip_nearest(json_string_value(f),
			                              (const char **)ip_report_fields, 19);
			ip_error(&(struct ip_where){NULL, 0, 0, "--by"}, "no field '%s'%s",
			         json_string_value(f), ip_did_you_mean(near));
			r->bad_options++;
		}
}

static void check_within(struct report *r)
{
	const char *w = r->within ? r->within : "14d";
	size_t digits = strspn(w, "0123456789");
	if (!digits || digits > 4 || !w[digits] || !strchr("dwm", w[digits]) || w[digits + 1] ||
	    !ip_date_add(r->today, atoi(w), w[digits], r->due_by))
		bad(r, "--within", "'%s' is not a time like 14d, 2w or 1m", w);
}

static bool read_key(struct report *r)
{
	char *buf = NULL;
	size_t len = 0;
	if (ip_read_all(r->key_file, 4096, &buf, &len))
		return false;
	if (len < 16) {
		ip_error(&(struct ip_where){r->key_file, 0, 0, NULL}, "a key needs at least 16 "
		         "bytes (make one: head -c 32 /dev/urandom >%s)", r->key_file);
		free(buf);
		return false;
	}
	r->key_len = len > sizeof r->key ? sizeof r->key : len;
	memcpy(r->key, buf, r->key_len);
	free(buf);
	return true;
}

static const char *const export_default[] = {"id", "status", "centre", "state", "country",
	"region", "sex", "birth_date", "opened", "planned_departure", "departed", "arrived",
	"closed", "outcome", "agreed", "vulnerabilities", "programmes", "measures",
	"referrals", "counsellor", "given", "family", NULL};

static int fact_index(const char *name)
{
	for (int i = 0; i < F_NFACTS; i++)
		if (!strcmp(ip_fact_names[i], name))
			return i;
	return -1;
}

static bool personal(const char *field)
{
	return !strcmp(field, "given") || !strcmp(field, "family") || !strcmp(field, "counsellor");
}

static void check_export(struct report *r)
{
	r->export_fields = json_array();
	json_t *asked = r->fields ? split_list(r->fields) : NULL;
	for (size_t i = 0; !asked && export_default[i]; i++)
		if (!(r->anonymise && personal(export_default[i])))
			json_array_append_new(r->export_fields, json_string(export_default[i]));
	size_t i;
	json_t *f;
	json_array_foreach(asked, i, f) {
		const char *name = json_string_value(f);
		int k = fact_index(name);
		if (k < 0 || k == F_DUE || k == F_FOLLOW_UPS)
			bad(r, "--fields", "no export field '%s'", name);
		else if (r->anonymise && personal(name))
			bad(r, "--fields", "'%s' identifies a person; --anonymise drops it", name);
		else
			json_array_append(r->export_fields, f);
	}
	json_decref(asked);
	if (r->anonymise && !r->key_file)
		bad(r, "--anonymise", "%s", _("needs --key-file FILE (the same key gives the same hashes)"));
	else if (r->anonymise && !read_key(r))
		r->bad_options++;
}

static int check_request(struct report *r)
{
	if (r->sub == SUMMARY)
		check_by(r);
	if (r->sub == DUE)
		check_within(r);
	if (r->sub == INDICATORS) {
		char from[11], to[11];
		if (!r->q.period)
			bad(r, "--period", "%s", _("indicators need --period YYYY, YYYY-QN or YYYY-MM"));
		else if (!ip_report_period(r->q.period, from, to))
			bad(r, "--period", "'%s' is not a period (2026, 2026-Q3, 2026-07)", r->q.period);
	}
	if (r->sub == EXPORT)
		check_export(r);
	if (r->cli.format_given && r->cli.format == IP_FORMAT_JSONL && r->sub != EXPORT &&
	    r->sub != DUE)
		bad(r, "-f", "%s", _("jsonl is for export and due; use json"));
	return r->bad_options ? IP_EXIT_USAGE : IP_EXIT_OK;
}

/* ---- due ---------------------------------------------------------------- */

static void collect_due(struct report *r, char *f[])
{
	const char *cursor = f[F_DUE];
	char item[768], id[64];
	char *parts[4];
	int np;
	ip_facts_value(f[F_ID], id, sizeof id);
	while (ip_facts_next(&cursor, item, sizeof item, parts, 4, &np)) {
		if (np < 4 || strcmp(parts[1], r->due_by) > 0)
			continue;
		if (r->counsellor && strcmp(parts[2], r->counsellor))
			continue;
		json_array_append_new(r->items, json_pack("[s, s, s, s]", parts[1],
		                                          *parts[2] ? parts[2] : "none", id, parts[3]));
	}
}

static int by_row(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	for (size_t i = 0; i < 4; i++) {
		int c = strcmp(json_string_value(json_array_get(x, i)),
		               json_string_value(json_array_get(y, i)));
		if (c)
			return c;
	}
	return 0;
}

static json_t *sorted_rows(json_t *items)
{
	size_t n = json_array_size(items);
	json_t **v = ip_xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(items, i));
	qsort(v, n, sizeof *v, by_row);
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, v[i]);
	free(v);
	return rows;
}

/* ---- export ------------------------------------------------------------- */

static void keyed_hash(const struct report *r, const char *id, char out[33])
{
	struct hmac_sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	hmac_sha256_set_key(&ctx, r->key_len, r->key);
	hmac_sha256_update(&ctx, strlen(id), (const uint8_t *)id);
	hmac_sha256_digest(&ctx, sizeof digest, digest);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

static const char *export_value(const struct report *r, int k, char *f[], char *buf, size_t n)
{
	ip_facts_value(f[k], buf, n);
	if (r->anonymise && k == F_ID) {
		char hash[33];
		keyed_hash(r, buf, hash);
		snprintf(buf, n, "%s", hash);
	} else if (r->anonymise && k == F_BIRTH && strlen(buf) == 10) {
		snprintf(buf, n, "%.4s-Q%d", f[k], (atoi(f[k] + 5) + 2) / 3);
	} else if (k >= F_VULNS) {
		/* lists as "a;b" with no escapes */
		const char *cursor = f[k];
		char item[256];
		char *parts[1];
		int np;
		size_t used = 0;
		buf[0] = '\0';
		while (ip_facts_next(&cursor, item, sizeof item, parts, 1, &np) && used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ";" : "", parts[0]);
	}
	return buf;
}

static void export_row(struct report *r, char *f[])
{
	enum ip_format fmt = r->cli.format;
	char sep = r->dialect == IP_CSV_EXCEL_DE ? ';' : ',';
	json_t *obj = fmt == IP_FORMAT_CSV ? NULL : json_object();
	size_t i;
	json_t *name;
	char buf[1024];
	json_array_foreach(r->export_fields, i, name) {
		int k = fact_index(json_string_value(name));
		const char *v = export_value(r, k, f, buf, sizeof buf);
		if (obj) {
			json_object_set_new(obj, json_string_value(name), json_string(v));
			continue;
		}
		if (i)
			ip_buf_add(&r->out, &sep, 1);
		ip_csv_field(&r->out, v, sep);
	}
	if (obj) {
		if (fmt == IP_FORMAT_JSON)
			ip_buf_puts(&r->out, r->rows ? ",\n" : "[\n");
		ip_emit(&r->out, obj, IP_FORMAT_JSONL);
		if (fmt == IP_FORMAT_JSON)
			r->out.s[--r->out.len] = '\0';  /* the comma goes after it */
		json_decref(obj);
	} else {
		ip_buf_puts(&r->out, "\r\n");
	}
	r->rows++;
	/* stream: a large export never sits in memory */
	if (r->out.len > 65536) {
		fwrite(r->out.s, 1, r->out.len, stdout);
		r->out.len = 0;
	}
}

static void export_header(struct report *r)
{
	char sep = r->dialect == IP_CSV_EXCEL_DE ? ';' : ',';
	if (r->cli.format != IP_FORMAT_CSV)
		return;
	if (r->dialect == IP_CSV_EXCEL_DE)
		ip_buf_puts(&r->out, "\xEF\xBB\xBF");
	size_t i;
	json_t *name;
	json_array_foreach(r->export_fields, i, name) {
		if (i)
			ip_buf_add(&r->out, &sep, 1);
		ip_buf_puts(&r->out, json_string_value(name));
	}
	ip_buf_puts(&r->out, "\r\n");
}

/* ---- running ------------------------------------------------------------ */

static void on_facts(char *fields[F_NFACTS], void *ctx)
{
	struct report *r = ctx;
	if (r->sub == DUE)
		collect_due(r, fields);
	else if (r->sub == EXPORT)
		export_row(r, fields);
	else
		ip_report_add(r->agg, fields);
}

static enum ip_table_format table_format(enum ip_format f)
{
	return f == IP_FORMAT_CSV ? IP_TABLE_CSV : f == IP_FORMAT_MD ? IP_TABLE_MD
	     : f == IP_FORMAT_HTML ? IP_TABLE_HTML : IP_TABLE_TEXT;
}

/* Render tables and let go of them. */
static void render_tables(struct report *r, json_t *tables, const char *title)
{
	ip_tables_render(tables, table_format(r->cli.format), r->dialect, title, &r->out);
	json_decref(tables);
}

static void finish_due(struct report *r)
{
	json_t *rows = sorted_rows(r->items);
	if (!json_array_size(rows)) {
		json_decref(rows);
		return;  /* nothing due: nothing at all, so cron sends no mail */
	}
	if (r->cli.format == IP_FORMAT_JSON || r->cli.format == IP_FORMAT_JSONL) {
		size_t i;
		json_t *row;
		json_array_foreach(rows, i, row) {
			json_t *obj = json_pack("{s:O, s:O, s:O, s:O}", "due", json_array_get(row, 0),
			                        "owner", json_array_get(row, 1), "case",
			                        json_array_get(row, 2), "what", json_array_get(row, 3));
			ip_emit(&r->out, obj, IP_FORMAT_JSONL);
			json_decref(obj);
		}
	} else {
		char title[64];
		snprintf(title, sizeof title, _("Due by %s"), r->due_by);
		json_t *t = json_pack("{s:s, s:[s, s, s, s], s:o}", "title", title, "columns", _("due"),
		                      _("owner"), _("case"), _("what"), "rows", rows);
		render_tables(r, json_pack("[o]", t), title);
		return;
	}
	json_decref(rows);
}

static void finish_partial(struct report *r, json_t *partial)
{
	if (r->cli.format == IP_FORMAT_JSON) {
		ip_emit(&r->out, partial, IP_FORMAT_JSON);
		return;
	}
	char title[160];
	const char *kind = json_string_value(json_object_get(partial, "report"));
	snprintf(title, sizeof title, _("IntegPlan %s (%lld cases)"), _(kind),
	         (long long)json_integer_value(json_object_get(partial, "cases")));
	render_tables(r, ip_report_tables(partial, r->min_cell), title);
}

static int scan(struct report *r, char **operands, int n)
{
	struct ip_repo repo = {0};
	char *cache = NULL;
	int rc = 0;
	bool whole_repo = n == 0 && !r->cli.files_from;
	if (whole_repo) {
		if ((rc = ip_repo_find(r->cli.dir, true, &repo)))
			return rc;
		ip_cli_use_limits(&r->cli, &repo.lim);
		char *dir = ip_xasprintf("%s/.integplan/cache", repo.dir);
		if (!r->no_cache && ip_mkdir_private(dir) == 0)
			cache = ip_xasprintf("%s/report.tsv", dir);
		free(dir);
	}
	struct ip_scan s = {&r->cli, cache, r->jobs, 0, on_facts, r, 0, 0, 0, 0};
	s.referral_days = (int)json_integer_value(json_object_get(r->settings,
	                                                          "referral_answer_days"));
	rc = ip_scan_run(&s, whole_repo ? &repo.cases : operands, whole_repo ? 1 : n);
	if (!r->cli.quiet)
		fprintf(stderr, _("%s: %zu cases: %zu read, %zu from the cache%s\n"), ip_progname(),
		        s.files, s.parsed, s.cached, s.failed ? _(", some could not be read") : "");
	free(cache);
	if (whole_repo)
		ip_repo_free(&repo);
	return rc;
}

static int run_merge(struct report *r, char **operands, int n)
{
	json_t *merged = NULL;
	int rc = 0;
	if (n == 0) {
		ip_error(NULL, "merge needs the partials to merge (ip-report ... -f json >PART.json)");
		return IP_EXIT_USAGE;
	}
	for (int i = 0; i < n && !rc; i++) {
		struct ip_docs docs = {0};
		rc = ip_docs_load(operands[i], IP_SYNTAX_JSON, &r->cli.lim, &docs);
		const json_t *part = rc ? NULL : docs.v[0].root;
		if (!rc && (!json_is_object(part) ||
		            strcmp(json_string_value(json_object_get(part, "schema")) ?
		                   json_string_value(json_object_get(part, "schema")) : "",
		                   IP_REPORT_SCHEMA))) {
			ip_error(&(struct ip_where){operands[i], 0, 0, NULL}, "not a report partial "
			         "(ip-report summary|kpi|indicators -f json)");
			rc = IP_EXIT_DATAERR;
		}
		if (!rc && ip_validate(&docs.v[0], &ip_report_schema, N_("a report partial")))
			rc = IP_EXIT_DATAERR;
		if (!rc && !merged)
			merged = json_deep_copy(part);
		else if (!rc)
			rc = ip_report_merge(merged, part, operands[i]);
		ip_docs_free(&docs);
	}
	if (!rc)
		finish_partial(r, merged);
	json_decref(merged);
	return rc;
}

static int run(struct report *r, char **operands, int n)
{
	if (r->sub == MERGE)
		return run_merge(r, operands, n);
	r->q.kind = sub_names[r->sub];
	r->q.today = r->today;
	r->q.age_bands = json_object_get(r->settings, "age_bands");
	if (r->sub == DUE) {
		r->items = json_array();
	} else if (r->sub == EXPORT) {
		export_header(r);
	} else {
		r->agg = ip_report_new(&r->q);
	}
	int rc = scan(r, operands, n);
	if (r->sub == DUE)
		finish_due(r);
	else if (r->sub == EXPORT && r->cli.format == IP_FORMAT_JSON)
		ip_buf_puts(&r->out, r->rows ? "\n]\n" : "[]\n");
	else if (r->sub != EXPORT) {
		json_t *partial = ip_report_finish(r->agg);
		finish_partial(r, partial);
		json_decref(partial);
	}
	return rc;
}

static int pick_sub(struct report *r, int argc, char **argv, int *first)
{
	if (*first >= argc) {
		ip_error(NULL, "no report (summary, kpi, due, indicators, export or merge)");
		return IP_EXIT_USAGE;
	}
	r->sub = ip_subcommand(N_("report"), argv[(*first)++], sub_names, NSUB);
	return r->sub < NSUB ? IP_EXIT_OK : IP_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {{&ip_cli_argp, 0, N_("Common options:"), 4}, {0}};
	static const struct argp argp = {options, parse_opt, "REPORT [CASE...]",
		N_("Reports over IntegPlan cases: summary, kpi, due, indicators, export; merge "
		"combines the -f json partials of several repositories.\v"
		"Without CASEs, the cases/ of the repository, through its report cache. "
		"Counts below --min-cell are shown as <N. Exit status: 0 done, 64 usage, "
		"65 bad data, 66 missing input, 74 I/O error."),
		children, NULL, NULL};
	struct report r = {0};
	int first;
	ip_diag_init(argv);
	ip_cli_init(&r.cli);
	r.cli.formats = IP_FORMATS_REPORT;
	r.q.where = json_array();
	r.min_cell = -1;
	ip_date_str(ip_now(), r.today);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	r.jobs = cpus > 0 ? (int)cpus : 1;
	int rc = ip_argp_status(argp_parse(&argp, argc, argv, 0, &first, &r));
	if (!rc)
		rc = pick_sub(&r, argc, argv, &first);
	char *settings = rc ? NULL : ip_share_path("reports.yaml");
	if (!rc)
		rc = ip_load_checked(settings, &ip_reports_schema, N_("the report settings"),
		                     &r.cli.lim, &r.settings);
	free(settings);
	if (!rc && !r.cli.format_given)
		r.cli.format = isatty(STDOUT_FILENO) ? IP_FORMAT_TABLE : IP_FORMAT_CSV;
	if (!rc && r.min_cell < 0)
		r.min_cell = (int)json_integer_value(json_object_get(r.settings, "min_cell"));
	if (!rc)
		rc = check_request(&r);
	if (!rc)
		rc = run(&r, argv + first, argc - first);
	if (r.out.len)
		fwrite(r.out.s, 1, r.out.len, stdout);
	ip_buf_free(&r.out);
	json_decref(r.q.by);
	json_decref(r.q.where);
	json_decref(r.items);
	json_decref(r.export_fields);
	json_decref(r.settings);
	return ip_finish(rc);
}
