/* cache.c — fuzz the report cache reader. The cache a run reads starts
 * with this version's header and an entry that matches a real case file,
 * whose facts are the first line of the input; the rest of the input
 * follows as more entries. Whatever it holds, a report is made from it
 * (summary, KPIs, indicators and outcomes) without a crash, and the cache written
 * back is sound. An input whose first byte is odd is also, from its second
 * byte on, the changes beside the cache (report.tsv.changes), read first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "ip_run.h"
#include "ip_ckm.h"
#include "ip_figures.h"
#include "ip_indicators.h"
#include "ip_report.h"
#include "ip_share.h"
#include "ip_survey.h"
#include "ip_scan.h"

static char dir[] = "/tmp/ip-fuzz-cache-XXXXXX";
static char *case_path, *cache_path, *changes_path;

static void remove_case(void)
{
	unlink(case_path);
	unlink(cache_path);
	unlink(changes_path);
	rmdir(dir);
}

static void make_case(void)
{
	if (!mkdtemp(dir))
		abort();
	case_path = ip_xasprintf("%s/case.yaml", dir);
	cache_path = ip_xasprintf("%s/report.tsv", dir);
	changes_path = ip_xasprintf("%s.changes", cache_path);
	FILE *f = fopen(case_path, "w");
	if (!f)
		abort();
	fputs("schema: integplan/case/1\nid: BY-MUC-2026-AAAAA\nstatus: intake\n"
	      "opened: 2026-01-05\ncentre:\n  id: BY-MUC\nperson:\n  given: A\n"
	      "  family: B\n  birth_date: 1990-01-01\n  sex: female\n"
	      "  nationality: [AF]\nreturn:\n  country: AF\n", f);
	fclose(f);
	/* changed long before any cache: the racy-git rule lets entries count */
	struct timespec old[2] = {{1577836800, 0}, {1577836800, 0}};
	utimensat(AT_FDCWD, case_path, old, 0);
	atexit(remove_case);
}

/* the days a referral may wait, in the cache's header and its scan alike */
#define REFERRAL_DAYS 30
#define NREPORTS 5 /* summary, kpi, indicators, outcomes, budget */

static void write_cache(const char *path, const uint8_t *data, size_t size)
{
	struct stat st;
	FILE *f = fopen(path, "w");
	if (!f || stat(case_path, &st))
		abort();
	fputs("integplan-report-cache 1", f);
	for (int i = 0; i < IP_NFACTS; i++)
		fprintf(f, "%c%s", i ? ',' : ' ', ip_fact_names[i]);
	fprintf(f, " referral_days=%d\n%s\t%lld\t%lld.%09lld\t%lld.%09lld\t%lld\t",
	        REFERRAL_DAYS, case_path,
	        (long long)st.st_size, (long long)st.st_mtim.tv_sec,
	        (long long)st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
	        (long long)st.st_ctim.tv_nsec, (long long)st.st_ino);
	fwrite(data, 1, size, f);
	fclose(f);
}

static void add_to_all(char *fields[IP_NFACTS], void *ctx)
{
	struct ip_report **reports = ctx;
	for (int i = 0; i < NREPORTS; i++)
		ip_report_add(reports[i], fields);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	if (!case_path)
		make_case();
	write_cache(cache_path, data, size);
	if (size && data[0] & 1)
		write_cache(changes_path, data + 1, size - 1);
	else
		unlink(changes_path);

	struct ip_run run = {.lim = IP_LIMITS_DEFAULT, .quiet = true};
	json_t *by = json_pack("[s, s, s]", "status", "country", "age");
	json_t *where = json_array();
	json_t *bands = json_pack("[i, i, i]", 0, 18, 60);
	static json_t *defs;
	if (!defs) {
		char *path = ip_share_path("indicators.yaml");
		ip_indicators_load(path, &run.lim, &defs);
		free(path);
	}
	static json_t *survey;
	if (!survey)
		ip_survey_load("rss", &run.lim, &survey);
	json_t *sex = json_pack("[s]", "sex");
	json_t *quarter = json_pack("[s]", "quarter");
	struct ip_report_query q[NREPORTS] = {
		{.kind = "summary", .by = by, .where = where, .today = "2026-11-21",
		 .age_bands = bands},
		{.kind = "kpi", .where = where, .today = "2026-11-21", .age_bands = bands},
		{.kind = "indicators", .where = where, .today = "2026-11-21", .period = "2026",
		 .age_bands = bands, .indicators = defs},
		{.kind = "outcomes", .by = sex, .where = where, .today = "2026-11-21",
		 .period = "2026", .age_bands = bands, .survey = survey},
		{.kind = "budget", .by = quarter, .where = where, .today = "2026-11-21",
		 .period = "2026", .age_bands = bands},
	};
	struct ip_report *reports[NREPORTS];
	for (int i = 0; i < NREPORTS; i++)
		reports[i] = ip_report_new(&q[i]);
	struct ip_scan s = {.run = run, .cache = cache_path, .threads = 1,
	                    .referral_days = REFERRAL_DAYS,
	                    .fn = add_to_all, .ctx = reports};
	ip_scan_run(&s, &case_path, 1);
	/* the tables of each partial, perturbed and exact */
	static struct ip_ptable ptable;
	static bool loaded;
	if (!loaded) {
		char *path = ip_share_path("ptable.yaml");
		loaded = ip_ptable_load(path, &run.lim, &ptable) == 0;
		free(path);
	}
	struct ip_protect protect[2] = {
		{.ptable = loaded ? &ptable : NULL, .min_base = 10, .indicators = defs,
		 .amount_noise = IP_PROTECT_AMOUNT_NOISE, .dominance = IP_PROTECT_DOMINANCE},
		{.min_base = 10, .indicators = defs}};
	for (int i = 0; i < NREPORTS; i++) {
		json_t *partial = ip_report_finish(reports[i]);
		for (int p = 0; p < 2; p++)
			json_decref(ip_figures_tables(partial, &protect[p]));
		json_decref(partial);
	}
	json_decref(by);
	json_decref(sex);
	json_decref(quarter);
	json_decref(where);
	json_decref(bands);
	return 0;
}
