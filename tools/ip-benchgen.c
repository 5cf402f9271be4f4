/* ip-benchgen — write N realistic case files (canonical YAML) into DIR, for
 * make bench: a household, assessments, a plan with budgets, referrals and
 * history, names in Latin, Arabic and Cyrillic script; the plan approved
 * as ip-plan approves it (the digest of its terms), by both sides once the
 * case is planned. Deterministic for a given N. Usage: ip-benchgen N DIR */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ip_digest.h"
#include "ip_plan.h"

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static unsigned pick(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

#define PICK(a) (a[pick(sizeof a / sizeof *a)])

struct country {
	const char *code, *region, *lang, *partner;
};

static const struct country countries[] = {
	{"AF", "AF-KAB", "prs", "N. Ahmadzai"}, {"AF", "AF-HER", "pbu", "F. Noori"},
	{"IQ", "IQ-BG", "arb", "S. Kareem"}, {"IQ", "IQ-AR", "ckb", "H. Aziz"},
	{"XK", "XK-PR", "sqi", "B. Gashi"}, {"NG", "NG-LA", "eng", "T. Adeyemi"},
	{"GH", "GH-AA", "twi", "E. Boateng"}, {"GM", "GM-B", "mnk", "F. Ceesay"},
	{"SN", "SN-DK", "wol", "M. Ndiaye"}, {"TR", "TR-34", "tur", "E. Kaya"},
	{"SY", "SY-DI", "apc", "R. Haddad"}, {"RS", "RS-00", "srp", "M. Jovanović"},
	{"AL", "AL-11", "sqi", "D. Shehu"}, {"MK", "MK-201", "mkd", "A. Stojanovski"},
	{"GE", "GE-TB", "kat", "T. Kapanadze"},
};
static const char *const given[] = {"Mariam", "Ahmad", "Arben", "Zeynep", "محمد",
	"Layla", "Chinedu", "Ama", "Lamin", "Aïssatou", "Бојан", "Erion", "Fatima",
	"Jörg", "Nino", "Omar", "Grace", "Kwame", "Елена", "Yusuf"};
static const char *const family[] = {"Ahmadi", "Rahimi", "Krasniqi", "Yılmaz",
	"الجبوري", "Hassan", "Okafor", "Mensah", "Jallow", "Diop", "Петровић", "Hoxha",
	"Beridze", "Müller", "Karimi", "Osei", "Bajrami", "Демир", "Sow", "Touré"};
static const char *const centres[][2] = {{"BY-MUC", "DE-BY"}, {"BE-LAF", "DE-BE"},
	{"NW-KOE", "DE-NW"}, {"HH-ZRB", "DE-HH"}, {"BW-STR", "DE-BW"}, {"RP-TRI", "DE-RP"}};
static const char *const statuses[] = {"intake", "assessed", "planned", "referred",
	"departed", "arrived", "reintegrating", "closed"};
static const char *const vulns[] = {"minor", "single-parent", "serious-illness",
	"mental-disorder", "elderly", "pregnant", "trafficking-victim", "disabled"};
static const char *const needs[] = {"housing", "medical", "psychosocial", "income",
	"education", "documents", "family", "legal", "cash", "transport"};
static const char *const prios[] = {"low", "medium", "high", "urgent"};
static const char *const measures[][2] = {{"economic", "business-startup"},
	{"economic", "job-placement"}, {"economic", "vocational-training"},
	{"social", "housing"}, {"social", "medical-care"}, {"social", "schooling"},
	{"psychosocial", "psychosocial-counselling"}, {"travel", "airport-pickup"}};
static const char *const counsellors[] = {"A. Berger", "J. Müller", "S. Özdemir",
	"K. Schäfer", "Weiß, Lena"};
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void date(char *out, int y0, int span)
{
	sprintf(out, "%04d-%02d-%02d", y0 + (int)pick((unsigned)span), 1 + (int)pick(12),
	        1 + (int)pick(28));
}

static void write_case(FILE *f, const char *id, const char *const centre[2], int year)
{
	const struct country *c = &PICK(countries);
	char opened[11], birth[11], child[11], dep[11];
	sprintf(opened, "%04d-%02d-%02d", year, 1 + (int)pick(12), 1 + (int)pick(28));
	date(birth, 1955, 50);
	date(child, 2008, 16);
	/* January to October: the last year's departures are not after today */
	sprintf(dep, "%04d-%02d-%02d", year + 1, 1 + (int)pick(10), 1 + (int)pick(28));
	const char *status = PICK(statuses);
	const char *counsellor = PICK(counsellors);
	bool quote_c = strchr(counsellor, ',') != NULL;
	fprintf(f, "schema: integplan/case/1\nid: %s\nstatus: %s\n", id, status);
	if (!strcmp(status, "closed"))
		fprintf(f, "outcome: completed\n");
	/* a record key as ip-intake makes one (random 32 bits) */
	unsigned long key = ((unsigned long)pick(65536) << 16) | pick(65536);
	fprintf(f, "opened: %s\nrecord_key: %lu\ncentre:\n  id: %s\n  state: %s\n", opened, key,
	        centre[0], centre[1]);
	fprintf(f, "counsellors:\n  host: %s%s%s\n", quote_c ? "\"" : "", counsellor,
	        quote_c ? "\"" : "");
	fprintf(f, "person:\n  given: %s\n  family: %s\n  birth_date: %s\n  sex: %s\n"
	        "  nationality:\n    - %s\n  languages:\n    - %s\n    - deu\n",
	        PICK(given), PICK(family), birth, pick(2) ? "female" : "male", c->code, c->lang);
	if (pick(3) == 0)
		fprintf(f, "household:\n  - relation: child\n    birth_date: %s\n    sex: %s\n"
		        "    returning: true\n", child, pick(2) ? "female" : "male");
	fprintf(f, "return:\n  country: %s\n  region: %s\n  planned_departure: %s\n",
	        c->code, c->region, dep);
	/* a case that has left has its day of departure, one that has arrived
	 * also its day of arrival, as the funders' indicators count them */
	int stage = 0;
	while (strcmp(statuses[stage], status))
		stage++;
	if (stage >= 4)
		fprintf(f, "  departed: %s\n", dep);
	if (stage >= 5)
		fprintf(f, "  arrived: %s\n", dep);
	fprintf(f, "programmes:\n  - REAG-GARP-2\n");
	fprintf(f, "consent:\n  - purpose: counselling\n    given: %s\n"
	        "  - purpose: referral\n    recipient: %s\n    given: %s\n", opened, c->code, opened);
	fprintf(f, "assessments:\n  - date: %s\n    by: %s\n    side: host\n"
	        "    vulnerabilities:\n      - %s\n    needs:\n      - category: %s\n"
	        "        priority: %s\n      - category: %s\n        priority: %s\n",
	        opened, counsellor, PICK(vulns), PICK(needs), PICK(prios), PICK(needs), PICK(prios));
	fprintf(f, "plan:\n  measures:\n");
	/* the terms the approvals are given to, digested as ip-plan approve
	 * does: a plan from "planned" on is agreed by both sides */
	json_t *plan = json_pack("{s:[]}", "measures");
	int nm = 1 + (int)pick(4);
	for (int m = 0; m < nm; m++) {
		const char *const *ms = measures[pick(sizeof measures / sizeof *measures)];
		char mid[16], due[40];
		int amount = 250 * (1 + (int)pick(4));
		snprintf(mid, sizeof mid, "M%d", m + 1);
		snprintf(due, sizeof due, "departure+%dd", 30 * (m + 1));
		fprintf(f, "    - id: %s\n      dimension: %s\n      category: %s\n"
		        "      side: return\n      due: %s\n      status: open\n"
		        "      budget:\n        amount: %d\n        currency: EUR\n"
		        "        programme: REAG-GARP-2\n", mid, ms[0], ms[1], due, amount);
		json_array_append_new(json_object_get(plan, "measures"),
		                      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:i, s:s, s:s}}",
		                                "id", mid, "dimension", ms[0], "category", ms[1],
		                                "side", "return", "due", due, "status", "open",
		                                "budget", "amount", amount, "currency", "EUR",
		                                "programme", "REAG-GARP-2"));
	}
	char digest[IP_DIGEST_SIZE];
	ip_plan_digest(plan, digest);
	json_decref(plan);
	fprintf(f, "  approvals:\n    - side: host\n      by: %s%s%s\n      date: %s\n"
	        "      measures_digest: \"%s\"\n", quote_c ? "\"" : "", counsellor,
	        quote_c ? "\"" : "", opened, digest);
	if (stage >= 2)
		fprintf(f, "    - side: return\n      by: %s\n      date: %s\n"
		        "      measures_digest: \"%s\"\n", c->partner, opened, digest);
	if (pick(2))
		fprintf(f, "referrals:\n  - id: R1\n    to: %s-PH\n    services:\n"
		        "      - business-startup\n    date: %s\n    status: %s\n",
		        c->region, opened, pick(2) ? "pending" : "accepted");
	fprintf(f, "history:\n  - at: %sT09:14:03Z\n    by: intake\n    cmd: ip-intake\n"
	        "    what: case opened\n  - at: %sT10:00:00Z\n    by: intake\n"
	        "    cmd: ip-assess\n    what: assessed\n", opened, opened);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ip-benchgen N DIR\n");
		return 64;
	}
	char *end;
	long n = strtol(argv[1], &end, 10);
	if (end == argv[1] || *end || n < 0) {
		fprintf(stderr, "ip-benchgen: '%s' is not a number of cases\n", argv[1]);
		return 64;
	}
	const char *dir = argv[2];
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		perror(dir);
		return 73;
	}
	char path[4096], id[64];
	for (long i = 0; i < n; i++) {
		const char *const *centre = centres[i % (sizeof centres / sizeof *centres)];
		int year = 2016 + (int)(i % 10);
		/* the counter in base 32 keeps ids unique */
		unsigned long k = (unsigned long)i;
		char code[6];
		for (int j = 4; j >= 0; j--, k /= 32)
			code[j] = crockford[k % 32];
		code[5] = '\0';
		snprintf(id, sizeof id, "%s-%d-%s", centre[0], year, code);
		snprintf(path, sizeof path, "%s/%s.yaml", dir, id);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
		if (!f) {
			perror(path);
			return 73;
		}
		write_case(f, id, centre, year);
		if (fclose(f) != 0) {
			perror(path);
			return 74;
		}
	}
	return 0;
}
