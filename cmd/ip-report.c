/* ip-report — reports over a case repository for counsellors, networks
 * and funders: summary, kpi, due, indicators, export, and merge of the
 * partials of several repositories. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ip_case.h"
#include "ip_cli.h"
#include "ip_csv.h"
#include "ip_digest.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_due.h"
#include "ip_exit.h"
#include "ip_export.h"
#include "ip_figures.h"
#include "ip_i18n.h"
#include "ip_indicators.h"
#include "ip_ckm.h"
#include "ip_repo.h"
#include "ip_report.h"
#include "ip_partial.h"
#include "ip_period.h"
#include "ip_scan.h"
#include "ip_schema.h"
#include "ip_share.h"
#include "ip_survey.h"
#include "ip_table.h"
#include "ip_write.h"

enum sub { SUMMARY, KPI, DUE, INDICATORS, OUTCOMES, BUDGET, EXPORT, MERGE, NSUB };
/* Tables of counts in every report format but JSON Lines (a partial is
 * one JSON value); due in all of them; export as rows: CSV or JSON. */
#define TABLES (IP_FORMATS_REPORT & ~(1u << IP_FORMAT_JSONL))
#define ROWS (1u << IP_FORMAT_CSV | 1u << IP_FORMAT_JSON | 1u << IP_FORMAT_JSONL)
static const struct ip_sub subs[NSUB] = {
	{"summary", N_("Counts by fields"), TABLES},
	{"kpi", N_("Key figures of the counselling"), TABLES},
	{"due", N_("What falls due, and what is overdue"), IP_FORMATS_REPORT},
	{"indicators", N_("The funders' indicators of a period"), TABLES},
	{"outcomes", N_("Follow-ups due in a period and their survey scores"), TABLES},
	{"budget", N_("Budgets approved and paid in a period, by programme"), TABLES},
	{"export", N_("One row per case"), ROWS},
	{"merge", N_("Combine the partials of several repositories"), TABLES},
};
#undef TABLES
#undef ROWS

struct report {
	struct ip_cli cli;
	enum sub sub;
	struct ip_report_query q;
	const char *by, *within, *fields, *key_file;
	bool no_cache;
	int jobs, bad_options, k;
	int key_status;          /* export --pseudonymise: reading --key-file */
	bool anonymise, pseudonymise;
	bool unprotected;        /* --protection none */
	struct ip_ptable ptable; /* the Cell Key Method's perturbation table */
	struct ip_protect protect;
	json_t *indicators;      /* indicators, merge: the definitions */
	const char *survey_name; /* outcomes */
	json_t *survey;          /* outcomes: the survey's definition */
	json_t *settings;
	char today[11];
	struct ip_due due;       /* due */
	struct ip_export export; /* export */
	struct ip_report *agg;   /* summary, kpi, indicators */
	struct ip_buf out;
};

#define FLAG(m) IP_FLAG(struct report, m)
#define STRING(m) IP_STRING(struct report, m)
#define DATE(m) IP_DATE(struct report, m)
#define INT(m, least, most) IP_INT(struct report, m, least, most)

static void bad(struct report *r, const char *option, const char *fmt, const char *arg)
{
	ip_error(&(struct ip_where){NULL, 0, 0, option}, fmt, arg);
	r->bad_options++;
}

static int take_where(const struct ip_optarg *o)
{
	struct report *r = o->state;
	r->bad_options += ip_report_where(&r->q, o->arg, "--where");
	return 0;
}

static int take_dialect(const struct ip_optarg *o)
{
	struct report *r = o->state;
	if (!strcmp(o->arg, "excel-de"))
		r->export.dialect = IP_CSV_EXCEL_DE;
	else if (strcmp(o->arg, "rfc4180"))
		bad(r, "--csv-dialect", "'%s' is not rfc4180 or excel-de", o->arg);
	return 0;
}

static int take_protection(const struct ip_optarg *o)
{
	struct report *r = o->state;
	if (!strcmp(o->arg, "none"))
		r->unprotected = true;
	else if (strcmp(o->arg, "cell-key"))
		bad(r, "--protection", "'%s' is not cell-key or none", o->arg);
	return 0;
}

static const struct ip_opt options[] = {
	{"by", 0, "FIELD[,FIELD...]", N_("summary: count by these fields; outcomes: by one; "
	 "budget: periods of a year, quarter or month (default: the whole --period)"), 1,
	 0, STRING(by),
	 .complete = IP_COMPLETE_REPORT_FIELDS},
	{"since", 0, "DATE", N_("Only cases opened on or after DATE"), 1, 0, DATE(q.since)},
	{"until", 0, "DATE", N_("Only cases opened on or before DATE"), 1, 0, DATE(q.until)},
	{"where", 0, "FIELD=VALUE", N_("Only cases with this value; repeatable"), 1, 0,
	 .call = take_where, .flags = IP_OPT_MANY},
	{"within", 0, "N[dwm]", N_("due: what falls due within this time (default 14d), and "
	 "everything overdue"), 2, 0, STRING(within)},
	{"counsellor", 0, "NAME", N_("due: only what NAME owns"), 2, 0,
	 STRING(due.counsellor)},
	{"period", 0, "YYYY[-QN|-MM]", N_("indicators, outcomes, budget: the period"), 2, 0,
	 STRING(q.period)},
	{"survey", 0, "NAME", N_("outcomes: the follow-up survey counted (default rss)"), 2,
	 IP_SUB(OUTCOMES),
	 STRING(survey_name), .complete = IP_COMPLETE_WORDS, .values = "rss rss-baseline"},
	{"fields", 0, "LIST", N_("export: the columns (comma-separated)"), 2, 0, STRING(fields)},
	{"anonymise", 0, NULL, N_("export: anonymous: age bands, months, the country, no id "
	 "or free text, every row shared by --k rows or coarsened or left out"), 2, 0,
	 FLAG(anonymise)},
	{"k", 0, "N", N_("export --anonymise: the least rows that share their values "
	 "(default 5)"), 2, 0, INT(k, 2, 1000)},
	{"pseudonymise", 0, NULL, N_("export: personal data without names: birth dates as "
	 "quarters, ids as keyed hashes (--key-file)"), 2, 0, FLAG(pseudonymise)},
	{"key-file", 0, "FILE", N_("export --pseudonymise: the key of the id hashes"), 2, 0,
	 STRING(key_file),
	 .complete = IP_COMPLETE_FILE},
	{"csv-dialect", 0, "rfc4180|excel-de", N_("CSV as RFC 4180 (default) or for German "
	 "Excel (';', BOM, CRLF)"), 3, 0, .call = take_dialect, .complete = IP_COMPLETE_WORDS,
	 .values = "rfc4180 excel-de"},
	{"protection", 0, "cell-key|none", N_("Perturb every count by the Cell Key Method "
	 "(default), or show exact counts marked not for publication (internal use only)"), 3,
	 0, .call = take_protection, .complete = IP_COMPLETE_WORDS, .values = "cell-key none"},
	{"jobs", 'j', "N", N_("Parse with N threads (default: the online CPUs)"), 3, 0,
	 INT(jobs, 1, 256)},
	{"no-cache", 0, NULL, N_("Neither read nor write the report cache"), 3, 0,
	 FLAG(no_cache)},
	{0}};

static const struct ip_command command = {
	"ip-report", "REPORT [CASE...]",
	N_("Reports over IntegPlan cases: summary, kpi, due, indicators, outcomes, budget, "
	"export; merge "
	"combines the -f json partials of several repositories.\v"
	"Without CASEs, the cases/ of the repository, through its report cache. "
	"Every count shown is perturbed by the Cell Key Method. Exit status: 0 done, 1 a "
	"--where or --counsellor value no case has, 64 usage, "
	"65 bad data, 66 missing input, 74 I/O error."),
	subs, NSUB, N_("report"),
	options, IP_COMPLETE_CASES, IP_FORMATS_REPORT, 4, NULL,
};

/* ---- checking the request ----------------------------------------------- */

static void check_export(struct report *r)
{
	struct ip_export *x = &r->export;
	x->format = r->cli.format;
	x->stream = stdout;
	x->quiet = r->cli.quiet;
	x->k = r->k ? r->k : 5;
	x->age_bands = json_object_get(r->settings, "age_bands");
	x->mode = r->anonymise ? IP_EXPORT_ANONYMOUS : r->pseudonymise ? IP_EXPORT_PSEUDONYMOUS
	        : IP_EXPORT_PERSONAL;
	if (r->anonymise && r->pseudonymise)
		bad(r, "--anonymise", "%s", _("is anonymous, --pseudonymise is not: choose one"));
	else if (r->anonymise && r->key_file)
		bad(r, "--key-file", "%s", _("an anonymous export has no ids to hash; the key is "
		                             "for --pseudonymise"));
	else if (r->k && !r->anonymise)
		bad(r, "--k", "%s", _("is for --anonymise"));
	if (r->pseudonymise && !r->key_file)
		bad(r, "--pseudonymise", "%s", _("needs --key-file FILE (the same key gives the same "
		                                 "hashes)"));
	else if (r->pseudonymise)
		r->key_status = ip_export_key(x, r->key_file);
	r->bad_options += ip_export_columns(x, r->fields, "--fields");
}

/* A protected report over cases opened between two days would let two
 * reports a day apart show which cells the one case of that day is in:
 * protected reports take whole months. */
static void check_whole_months(struct report *r)
{
	if (r->unprotected || r->sub == DUE || r->sub == EXPORT || r->sub == MERGE)
		return;
	char next[11];
	if (r->q.since && strcmp(r->q.since + 8, "01"))
		bad(r, "--since", "%s is not the first day of a month: a protected report takes "
		    "whole months (or --protection none, for internal use)", r->q.since);
	if (r->q.until && (!ip_date_add(r->q.until, 1, 'd', next) || strcmp(next + 8, "01")))
		bad(r, "--until", "%s is not the last day of a month: a protected report takes "
		    "whole months (or --protection none, for internal use)", r->q.until);
}

/* A budget's periods: a unit no longer than the report's --period. */
static void check_budget_unit(struct report *r)
{
	char from[11], to[11];
	const char *period = r->q.period;
	if (!period || !ip_period_range(period, from, to))
		return;  /* said below */
	const char *whole = ip_period_unit(period);
	const char *unit = r->by ? r->by : whole;
	if (!ip_period_unit_known(unit))
		bad(r, "--by", "'%s' is not year, quarter or month: a budget breaks its period "
		    "down by time", unit);
	else if ((!strcmp(whole, "quarter") && !strcmp(unit, "year")) ||
	         (!strcmp(whole, "month") && strcmp(unit, "month")))
		bad(r, "--by", "%s is longer than the --period", unit);
	else
		r->q.by = json_pack("[s]", unit);
}

static int check_request(struct report *r)
{
	const char *within = r->within ? r->within : "14d";
	if (r->sub == SUMMARY)
		r->bad_options += ip_report_by(&r->q, r->by ? r->by : "status", "--by");
	if (r->sub == DUE && !ip_due_within(r->today, within, r->due.due_by))
		bad(r, "--within", "'%s' is not a time like 14d, 2w or 1m", within);
	if (r->sub == OUTCOMES && r->by) {
		r->bad_options += ip_report_by(&r->q, r->by, "--by");
		if (json_array_size(r->q.by) > 1)
			bad(r, "--by", "%s", _("outcomes break down by one field"));
	}
	if (r->sub == BUDGET)
		check_budget_unit(r);
	if (r->sub == INDICATORS || r->sub == OUTCOMES || r->sub == BUDGET) {
		char from[11], to[11];
		if (!r->q.period)
			bad(r, "--period", _("the %s report needs --period YYYY, YYYY-QN or YYYY-MM"),
			    subs[r->sub].name);
		else if (!ip_period_range(r->q.period, from, to))
			bad(r, "--period", "'%s' is not a period (2026, 2026-Q3, 2026-07)", r->q.period);
	}
	if (r->sub == EXPORT)
		check_export(r);
	check_whole_months(r);
	return r->bad_options ? IP_EXIT_USAGE : r->key_status;
}

/* The protection of the tables: the perturbation table, unless none is
 * asked for, and the base below which rates and medians are withheld. */
static int load_protection(struct report *r)
{
	r->protect.min_base = (int)json_integer_value(json_object_get(r->settings, "min_base"));
	const json_t *noise = json_object_get(r->settings, "amount_noise");
	const json_t *dominance = json_object_get(r->settings, "dominance");
	r->protect.amount_noise = noise ? json_number_value(noise) : IP_PROTECT_AMOUNT_NOISE;
	r->protect.dominance = dominance ? json_number_value(dominance) : IP_PROTECT_DOMINANCE;
	if (r->sub == INDICATORS || r->sub == MERGE) {
		char *defs = ip_share_path("indicators.yaml");
		int rc = ip_indicators_load(defs, &r->cli.lim, &r->indicators);
		free(defs);
		if (rc)
			return rc;
		r->q.indicators = r->protect.indicators = r->indicators;
	}
	if (r->sub == OUTCOMES) {
		int rc = ip_survey_load(r->survey_name ? r->survey_name : "rss", &r->cli.lim,
		                        &r->survey);
		if (rc)
			return rc;
		r->q.survey = r->survey;
	}
	if (r->unprotected)
		return IP_EXIT_OK;
	char *path = ip_share_path("ptable.yaml");
	int rc = ip_ptable_load(path, &r->cli.lim, &r->ptable);
	free(path);
	r->protect.ptable = rc ? NULL : &r->ptable;
	return rc;
}

/* ---- running ------------------------------------------------------------ */

static void on_facts(char *facts[IP_NFACTS], void *ctx)
{
	struct report *r = ctx;
	if (r->sub == DUE)
		ip_due_add(&r->due, facts);
	else if (r->sub == EXPORT)
		ip_export_row(&r->export, facts);
	else
		ip_report_add(r->agg, facts);
}

static void finish_partial(struct report *r, json_t *partial)
{
	ip_figures_render(partial, r->cli.format, r->export.dialect, &r->protect, &r->out);
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
		if (!r->no_cache && (rc = ip_repo_report_cache(&repo, &cache))) {
			ip_repo_free(&repo);
			return rc;
		}
	} else if (r->agg && (rc = ip_repo_find(r->cli.dir, false, &repo)) &&
	           rc != IP_EXIT_NOINPUT) {
		return rc;
	}
	/* the partial names where its cases come from: all of a repository's,
	 * or a selection of them */
	if (r->agg && repo.centre)
		ip_report_source(r->agg, repo.centre, ip_repo_id(&repo), !whole_repo);
	rc = IP_EXIT_OK;
	struct ip_scan s = {.run = ip_cli_run(&r->cli), .cache = cache, .threads = r->jobs,
	                   .fn = on_facts, .ctx = r};
	s.referral_days = (int)json_integer_value(json_object_get(r->settings,
	                                                          "referral_answer_days"));
	rc = ip_scan_run(&s, whole_repo ? &repo.cases : operands, whole_repo ? 1 : n);
	if (!r->cli.quiet) {
		char failed[64] = "";
		if (s.failed)
			snprintf(failed, sizeof failed, ngettext(", %zu could not be read",
			                                         ", %zu could not be read", s.failed),
			         s.failed);
		fprintf(stderr, ngettext("%s: %zu case: %zu read, %zu from the cache%s\n",
		                         "%s: %zu cases: %zu read, %zu from the cache%s\n", s.files),
		        ip_progname(), s.files, s.parsed, s.cached, failed);
	}
	free(cache);
	ip_repo_free(&repo);
	return rc;
}

static int run_merge(struct report *r, char **operands, int n)
{
	if (n == 0) {
		ip_error(NULL, "merge needs the partials to merge (ip-report ... -f json >PART.json)");
		return IP_EXIT_USAGE;
	}
	json_t *merged;
	int rc = ip_partial_merge_files(operands, n, &r->cli.lim, &merged);
	const char *made_by = rc ? NULL : ip_str(merged, "definitions");
	char digest[IP_DIGEST_SIZE];
	ip_digest_json(r->indicators, digest);
	/* the tables are titled and broken down by this site's definitions */
	if (made_by && strcmp(made_by, digest)) {
		ip_error(&(struct ip_where){operands[0], 0, 0, "definitions"}, "the partials were "
		         "counted by other indicator definitions than %s/indicators.yaml",
		         ip_share_dir());
		rc = IP_EXIT_DATAERR;
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
	r->q.kind = subs[r->sub].name;
	r->q.today = r->today;
	r->q.age_bands = json_object_get(r->settings, "age_bands");
	if (r->sub == DUE)
		r->due.items = json_array();
	else if (r->sub == EXPORT)
		ip_export_header(&r->export);
	else
		r->agg = ip_report_new(&r->q);
	int rc = scan(r, operands, n);
	/* a filter that matches nothing the repository has is a typo, not an
	 * empty report: under cron, silence would read as "nothing due" */
	if ((r->sub == DUE && ip_due_unmatched(&r->due)) || (r->agg && ip_report_unmatched(r->agg)))
		rc = ip_exit_merge(rc, IP_EXIT_PROBLEMS);
	if (r->sub == DUE) {
		ip_due_render(&r->due, r->cli.format, r->export.dialect, &r->out);
	} else if (r->sub == EXPORT) {
		ip_export_end(&r->export);
	} else {
		json_t *partial = ip_report_finish(r->agg);
		finish_partial(r, partial);
		json_decref(partial);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct report r = {0};
	struct ip_args args;
	ip_diag_init(argv);
	ip_cli_init(&r.cli);
	r.q.where = json_array();
	ip_date_str(ip_now(), r.today);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	r.jobs = cpus > 0 ? (int)cpus : 1;
	int rc = ip_command_parse(&command, &r, &r.cli, argc, argv, &args);
	r.sub = (enum sub)args.sub;
	char *settings = rc ? NULL : ip_share_path("reports.yaml");
	if (!rc)
		rc = ip_load_checked(settings, &ip_reports_schema, N_("the report settings"),
		                     &r.cli.lim, &r.settings);
	free(settings);
	if (!rc && !r.cli.format_given)
		r.cli.format = isatty(STDOUT_FILENO) ? IP_FORMAT_TABLE : IP_FORMAT_CSV;
	if (!rc)
		rc = load_protection(&r);
	if (!rc)
		rc = check_request(&r);
	if (!rc)
		rc = run(&r, argv + args.first, args.n);
	if (r.out.len)
		fwrite(r.out.s, 1, r.out.len, stdout);
	ip_buf_free(&r.out);
	json_decref(r.q.by);
	json_decref(r.q.where);
	json_decref(r.due.items);
	json_decref(r.due.owners);
	ip_export_free(&r.export);
	json_decref(r.settings);
	json_decref(r.indicators);
	json_decref(r.survey);
	return ip_finish(rc);
}
