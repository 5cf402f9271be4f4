/* Unit tests of the domain rules in lib/ that the commands only call: how a
 * plan changes, how an assessment is added, how a referral moves and how a
 * response is received, how a row becomes a case, what falls due, and how
 * a command line is read. In TAP, with tests/unit.c. */
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ip_assess.h"
#include "ip_budget.h"
#include "ip_case.h"
#include "ip_cli.h"
#include "ip_due.h"
#include "ip_export.h"
#include "ip_intake.h"
#include "ip_match.h"
#include "ip_plan.h"
#include "ip_protect.h"
#include "ip_planedit.h"
#include "ip_refer.h"
#include "ip_referral.h"
#include "ip_rows.h"
#include "ip_sign.h"
#include "ip_vocab.h"
#include "unit.h"

static const struct ip_limits lim = IP_LIMITS_DEFAULT;

/* A valid case at intake, as ip-intake opens it. */
static const char base_case[] =
	"schema: integplan/case/1\n"
	"id: BY-MUC-2026-7K3Q9\n"
	"status: intake\n"
	"opened: 2026-11-21\n"
	"centre: {id: BY-MUC, state: DE-BY}\n"
	"counsellors: {host: A. Berger, return: F. Karimi}\n"
	"person: {given: Mariam, family: Ahmadi, birth_date: 1991-04-12, sex: female,\n"
	"         nationality: [AF]}\n"
	"return: {country: AF, region: AF-KAB}\n"
	"consent: [{purpose: referral, recipient: AF-KBL-PH, given: 2026-11-21}]\n";

static json_t *case_of(const char *yaml)
{
	struct ip_docs docs;
	if (unit_parse(yaml, &docs) || docs.n != 1)
		return NULL;
	unit_quiet(true);
	int problems = ip_case_validate(&docs.v[0]);
	unit_quiet(false);
	json_t *c = problems ? NULL : json_incref(docs.v[0].root);
	ip_docs_free(&docs);
	return c;
}

/* Is case c still valid after a change? */
static bool still_valid(json_t *c)
{
	struct ip_doc doc = {"t.yaml", c, NULL, 0, 0};
	unit_quiet(true);
	int problems = ip_case_validate(&doc);
	unit_quiet(false);
	return problems == 0;
}

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int edit(struct ip_plan_edit *e, json_t *c, const char **what)
{
	*what = NULL;
	unit_quiet(true);
	int rc = ip_plan_edit(e, c, "t.yaml", what);
	unit_quiet(false);
	return rc;
}

static void test_plan_edit(void)
{
	json_t *c = case_of(base_case), *tmpl = NULL;
	ok(c != NULL, "domain: the base case is valid");
	ok(!ip_plan_settings_load(&lim) && !ip_plan_template_load("housing", &lim, &tmpl),
	   "plan: the settings and the housing template load");
	struct ip_plan_edit e = {.change = IP_PLAN_NEW, .template_name = "housing",
	                         .template = tmpl, .fields = json_object(),
	                         .today = "2026-11-21", .actor = "tester", .quiet = true,
	                         .lim = &lim};
	const char *what;
	json_t *plan = ip_plan_of(c);
	json_t *measures = NULL;
	ok(!edit(&e, c, &what) && what && strstr(what, "plan from template housing") &&
	   json_array_size(measures = json_object_get(plan, "measures")) == 3 &&
	   !strcmp(str(json_array_get(measures, 0), "id"), "M1") &&
	   !strcmp(str(json_array_get(measures, 0), "owner"), "F. Karimi") &&
	   json_array_size(json_object_get(plan, "follow_ups")) > 0 && still_valid(c),
	   "plan: new gives the template's measures, ids, owners by side and follow-ups");
	ok(!edit(&e, c, &what) && !what, "plan: the same template again changes nothing");

	e.change = IP_PLAN_APPROVE;
	e.side = "host";
	ok(!edit(&e, c, &what) && strstr(what, "approved by the host side") &&
	   !ip_plan_agreed(plan), "plan: one side's approval does not agree the plan");
	e.side = "return";
	ok(!edit(&e, c, &what) && strstr(what, "the plan is agreed") && ip_plan_agreed(plan) &&
	   !strcmp(str(c, "status"), "planned") && still_valid(c),
	   "plan: both sides' approvals agree it and the case is planned");
	ok(!edit(&e, c, &what) && !what, "plan: a second approval of a side changes nothing");

	e.change = IP_PLAN_ADD;
	e.side = NULL;
	json_object_set_new(e.fields, "category", json_string("job-placement"));
	ok(!edit(&e, c, &what) && strstr(what, "measure M4 added (job-placement, return side)") &&
	   strstr(what, "approvals withdrawn") && !ip_plan_agreed(plan) && still_valid(c),
	   "plan: a measure added withdraws both approvals");
	ok(!edit(&e, c, &what) && !what && json_array_size(measures) == 4,
	   "plan: the same measure again is not added twice");

	e.change = IP_PLAN_SET;
	e.measure = "M9";
	ok(edit(&e, c, &what) == 65, "plan: set refuses a measure the plan does not have");
	e.measure = "M4";
	json_object_clear(e.fields);
	json_object_set_new(e.fields, "status", json_string("done"));
	ok(!edit(&e, c, &what) && !strcmp(str(ip_plan_measure(plan, "M4"), "status"), "done"),
	   "plan: set changes the measure's status");

	e.change = IP_PLAN_DEPARTURE;
	e.date = "2027-01-10";
	ok(!edit(&e, c, &what) && !strcmp(str(json_object_get(c, "return"), "departed"),
	                                  "2027-01-10") && !strcmp(str(c, "status"), "departed"),
	   "plan: the departure is recorded and moves the case on");
	e.change = IP_PLAN_ARRIVAL;
	e.date = "2027-01-01";
	ok(edit(&e, c, &what) == 65 && !json_object_get(json_object_get(c, "return"), "arrived"),
	   "plan: an arrival before the departure is refused");
	json_decref(e.fields);
	json_decref(tmpl);
	json_decref(c);
}

static void test_assess(void)
{
	static const char minor_case[] =
		"schema: integplan/case/1\nid: BY-MUC-2026-7K3Q9\nstatus: intake\n"
		"opened: 2026-11-21\ncentre: {id: BY-MUC}\n"
		"person: {given: Amir, family: Ahmadi, birth_date: 2010-04-12, sex: male,\n"
		"         nationality: [AF]}\nreturn: {country: AF}\n";
	struct ip_answers a;
	ip_answers_init(&a);
	unit_quiet(true);
	int bad = ip_answers_add(&a, "education", "isced-9", "--education") +
	          ip_answers_add(&a, "occupation", "12345", "--occupation") +
	          ip_answers_add(&a, "language", "prs:D1", "--language");
	unit_quiet(false);
	ok(bad == 3 && a.problems == 3, "assess: a bad ISCED level, ISCO code or CEFR level "
	   "is refused");
	ip_answers_free(&a);

	ip_answers_init(&a);
	ok(!ip_answers_add(&a, "need", "housing:high", "--need") &&
	   !ip_answers_add(&a, "risk", "medium", "--risk") &&
	   !ip_answers_add(&a, "household", "child:2019-02-01:male", "--household"),
	   "assess: needs with a priority, risk and household members are taken");
	ip_answers_defaults(&a, a.assessment, "2026-11-22", "tester");
	struct ip_rules *rules = NULL;
	ok(!ip_rules_load(NULL, &lim, &rules), "assess: the site's rules load");
	json_t *c = case_of(minor_case);
	struct ip_assess x = {&a, rules, true, false, ""};
	const char *what = NULL;
	unit_quiet(true);
	int rc = ip_assess_apply(&x, c, "t.yaml", &what);
	unit_quiet(false);
	json_t *latest = json_array_get(json_object_get(c, "assessments"), 0);
	ok(!rc && what && ip_ids_have(json_object_get(latest, "vulnerabilities"), "minor") &&
	   json_object_get(latest, "priority") && !strcmp(str(c, "status"), "assessed") &&
	   json_array_size(json_object_get(c, "household")) == 1 && still_valid(c),
	   "assess: a person under 18 is a minor, the rules set a priority, the case is "
	   "assessed");
	what = NULL;
	unit_quiet(true);
	rc = ip_assess_apply(&x, c, "t.yaml", &what);
	unit_quiet(false);
	ok(!rc && !what && json_array_size(json_object_get(c, "assessments")) == 1,
	   "assess: the same assessment again is recorded once");
	ip_rules_free(rules);
	ip_answers_free(&a);
	json_decref(c);
}

/* A case with a referral to AF-KBL-PH, pending: sent from here, or
 * received from BY-MUC (the partner's own case of it). */
static json_t *referred_case(bool received)
{
	char yaml[2048];
	snprintf(yaml, sizeof yaml, "%s"
	         "plan: {measures: [{id: M1, dimension: social, category: housing, side: return,\n"
	         "                   status: open}]}\n"
	         "referrals: [{id: BY-MUC-R-7K3Q9ABX, %sto: AF-KBL-PH, services: [housing],\n"
	         "             date: 2026-11-21, status: pending}]\n", base_case,
	         received ? "from: BY-MUC, " : "");
	return case_of(yaml);
}

static int update(struct ip_update *u, json_t *c, const char **what)
{
	*what = NULL;
	unit_quiet(true);
	int rc = ip_refer_update(u, c, "t.yaml", what);
	unit_quiet(false);
	return rc;
}

static void test_refer_sides(void)
{
	json_t *c = referred_case(false);
	json_t *ref = ip_referral_find(c, "BY-MUC-R-7K3Q9ABX");
	struct ip_update u = {.status = "accepted", .date = "2026-11-23", .today = "2026-11-30",
	                      .actor = "tester"};
	const char *what;
	ok(update(&u, c, &what) == 65 && !strcmp(str(ref, "status"), "pending"),
	   "refer: the referring centre cannot accept its own referral");
	u.status = "revoked";
	u.reason = "no-longer-needed";
	ok(!update(&u, c, &what) && !strcmp(str(ref, "status"), "revoked") && still_valid(c),
	   "refer: the referring centre withdraws a referral that waits for an answer");
	json_decref(c);
	c = referred_case(true);
	ref = ip_referral_find(c, "BY-MUC-R-7K3Q9ABX");
	ok(update(&u, c, &what) == 65 && !strcmp(str(ref, "status"), "pending"),
	   "refer: the partner cannot withdraw the centre's referral");
	json_decref(c);
}

static void test_refer_update(void)
{
	json_t *c = referred_case(true);
	json_t *ref = ip_referral_find(c, "BY-MUC-R-7K3Q9ABX");
	struct ip_update u = {.status = "accepted", .date = "2026-11-23", .today = "2026-11-30",
	                      .actor = "tester"};
	const char *what = NULL;
	ok(c && !ip_refer_update(&u, c, "t.yaml", &what) &&
	   !strcmp(str(ref, "status"), "accepted") &&
	   strstr(what, "pending -> accepted") && still_valid(c),
	   "refer: update moves a pending referral to accepted");
	u.status = "pending";
	unit_quiet(true);
	int rc = ip_refer_update(&u, c, "t.yaml", &what);
	unit_quiet(false);
	ok(rc == 65 && !strcmp(str(ref, "status"), "accepted"),
	   "refer: the state machine refuses accepted -> pending");
	u.status = "accepted";
	u.note = "called on Monday";
	what = NULL;
	ok(!ip_refer_update(&u, c, "t.yaml", &what) && strstr(what, ": note") &&
	   json_array_size(json_object_get(ref, "steps")) == 1,
	   "refer: the status it has changes only the note, never a step");
	u.note = NULL;
	u.status = "done";
	unit_quiet(true);
	rc = ip_refer_update(&u, c, "t.yaml", &what);
	unit_quiet(false);
	ok(rc == 65, "refer: done needs a success");
	json_decref(c);
}

static json_t *response(const char *statuses[], size_t n, const char *arrived, int seq)
{
	json_t *steps = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(steps, json_pack("{s:s, s:s, s:s}", "status", statuses[i],
		                                       "date", "2026-11-25", "by", "F. Karimi"));
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:[{s:s, s:s}], s:[{s:s, s:s}]}",
	                         "referral", "BY-MUC-R-7K3Q9ABX", "from", "AF-KBL-PH", "to",
	                         "BY-MUC", "date", "2026-11-25", "seq", seq, "steps", steps,
	                         "measures", "id", "M1", "status", "in-progress", "notes", "at",
	                         "2026-11-25T10:00:00Z", "text", "housing found");
	if (arrived)
		json_object_set_new(body, "arrived", json_string(arrived));
	return json_pack("{s:o}", "response", body);
}

static int receive(json_t *c, json_t *resp, const char **what)
{
	struct ip_receive r = {.response = resp, .package = "resp.json", .today = "2027-02-01"};
	*what = NULL;
	unit_quiet(true);
	int rc = ip_refer_receive(&r, c, "t.yaml", what);
	unit_quiet(false);
	json_decref(resp);
	return rc;
}

static void test_refer_receive(void)
{
	/* the day the responses come in: the arrival they bring is past */
	char *pinned = getenv("IP_NOW") ? strdup(getenv("IP_NOW")) : NULL;
	setenv("IP_NOW", "2027-02-01", 1);
	json_t *c = referred_case(false);
	const char *accepted[] = {"accepted"};
	const char *what;
	ok(!receive(c, response(accepted, 1, "2027-01-12", 1), &what) && what &&
	   !strcmp(str(ip_referral_find(c, "BY-MUC-R-7K3Q9ABX"), "status"), "accepted") &&
	   !strcmp(str(json_object_get(c, "return"), "arrived"), "2027-01-12") &&
	   !strcmp(str(ip_plan_measure(ip_plan_of(c), "M1"), "status"), "in-progress") &&
	   json_array_size(json_object_get(c, "notes")) == 1 && still_valid(c),
	   "refer: a response brings its steps, the arrival, measure status and note");
	ok(receive(c, response(accepted, 1, NULL, 1), &what) == 65,
	   "refer: the same response again is refused as replayed");
	ok(!receive(c, response(accepted, 1, "2027-01-12", 2), &what) && what &&
	   strstr(what, "nothing new") && json_array_size(json_object_get(c, "notes")) == 1,
	   "refer: a later response with nothing new is taken, its note not twice");
	const char *other[] = {"rejected", "done"};
	ok(receive(c, response(other, 2, NULL, 3), &what) == 65,
	   "refer: a response that does not continue the referral's steps is stale");
	json_t *wrong = response((const char *[]){"accepted", "revoked"}, 2, NULL, 3);
	json_object_set_new(json_object_get(wrong, "response"), "from", json_string("IQ-BGW-X"));
	ok(receive(c, wrong, &what) == 65, "refer: a response from another partner is refused");
	json_t *revoke = response((const char *[]){"accepted", "revoked"}, 2, NULL, 3);
	ok(receive(c, revoke, &what) == 65 &&
	   !strcmp(str(ip_referral_find(c, "BY-MUC-R-7K3Q9ABX"), "status"), "accepted"),
	   "refer: a response cannot make the centre's move (revoked)");
	json_decref(c);
	if (pinned)
		setenv("IP_NOW", pinned, 1);
	else
		unsetenv("IP_NOW");
	free(pinned);
}

/* A response of one accepted step on day, perhaps with an arrival. */
static json_t *accepted_on(const char *day, const char *arrived)
{
	json_t *resp = response((const char *[]){"accepted"}, 1, arrived, 1);
	json_t *steps = json_object_get(json_object_get(resp, "response"), "steps");
	json_object_set_new(json_array_get(steps, 0), "date", json_string(day));
	return resp;
}

static void test_refer_dates(void)
{
	json_t *c = referred_case(false);
	json_object_set_new(json_object_get(c, "return"), "departed", json_string("2027-01-20"));
	json_t *ref = ip_referral_find(c, "BY-MUC-R-7K3Q9ABX");
	const char *what;
	ok(receive(c, accepted_on("2026-11-25", "2027-01-12"), &what) == 65 &&
	   !json_object_get(ref, "steps") && !ip_get(c, "return.arrived"),
	   "refer: an arrival before the departure is refused, nothing changed");
	ok(receive(c, accepted_on("2026-11-25", "2027-03-01"), &what) == 65,
	   "refer: an arrival in the future is refused");
	ok(receive(c, accepted_on("2027-06-01", NULL), &what) == 65 &&
	   receive(c, accepted_on("2026-11-01", NULL), &what) == 65 &&
	   !strcmp(str(ref, "status"), "pending"),
	   "refer: a step in the future or before the referral was made is refused");
	ok(!receive(c, accepted_on("2026-11-25", "2027-01-22"), &what) && what,
	   "refer: a plausible answer goes through");
	json_decref(c);
}

static void test_intake_row(void)
{
	struct ip_intake in = {.centre = "BY-MUC", .today = "2026-11-21", .actor = "tester",
	                       .quiet = true, .lim = IP_LIMITS_DEFAULT, .to_stdout = true,
	                       .format = IP_FORMAT_JSON};
	ip_intake_init(&in);
	static const char *const fields[][2] = {{"given", "Mariam"}, {"family", "Ahmadi"},
		{"birth_date", "1991-04-12"}, {"sex", "female"}, {"nationality", "AF"},
		{"return_country", "AF"}};
	json_t *row = json_object();
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		ip_row_add(row, ip_intake_field_named(fields[i][0]), fields[i][1]);
	FILE *saved = stdout;
	stdout = fopen("/dev/null", "w");
	int rc = ip_intake_row(&in, row, "rows.csv", 2, false);
	json_object_set_new(row, "birth_date", json_string("1991-02-30"));
	unit_quiet(true);
	int bad = ip_intake_row(&in, row, "rows.csv", 3, false);
	unit_quiet(false);
	fclose(stdout);
	stdout = saved;
	ok(!rc && in.opened == 1, "intake: a row of the required fields opens a case");
	ok(bad == 65 && in.opened == 1, "intake: a row with an impossible date opens none");
	json_decref(row);
	ip_intake_finish(&in);
}

static void test_due(void)
{
	char by[11];
	ok(ip_due_within("2026-11-21", "14d", by) && !strcmp(by, "2026-12-05") &&
	   ip_due_within("2026-01-31", "1m", by) && !strcmp(by, "2026-02-28") &&
	   !ip_due_within("2026-11-21", "14x", by) && !ip_due_within("2026-11-21", "d", by),
	   "due: --within takes days, weeks and months, nothing else");
	struct ip_due d = {.items = json_array()};
	strcpy(d.due_by, "2026-12-05");
	char f1[] = "BY-MUC-2026-AAAAA", due1[] = "measure|2026-12-01|A. Berger|M1 housing;"
	            "measure|2027-03-01|A. Berger|M2 later";
	char f2[] = "BY-MUC-2026-BBBBB", due2[] = "follow-up|2026-11-01||follow-up 1";
	char *facts1[IP_NFACTS] = {0}, *facts2[IP_NFACTS] = {0};
	facts1[IP_F_ID] = f1, facts1[IP_F_DUE] = due1;
	facts2[IP_F_ID] = f2, facts2[IP_F_DUE] = due2;
	ip_due_add(&d, facts1);
	ip_due_add(&d, facts2);
	json_t *rows = ip_due_rows(&d);
	ok(json_array_size(rows) == 2 &&
	   !strcmp(json_string_value(json_array_get(json_array_get(rows, 0), 0)), "2026-11-01") &&
	   !strcmp(json_string_value(json_array_get(json_array_get(rows, 0), 1)), "none"),
	   "due: overdue first, nothing after the day, no owner is 'none'");
	d.counsellor = "A Berger";
	unit_quiet(true);
	int unmatched = ip_due_unmatched(&d);
	d.counsellor = "A. Berger";
	unmatched += 2 * ip_due_unmatched(&d);
	unit_quiet(false);
	ok(unmatched == 1, "due: a --counsellor no case has is named, one that owns something is not");
	json_decref(rows);
	json_decref(d.items);
	json_decref(d.owners);
}

static void test_export_columns(void)
{
	struct ip_export x = {.mode = IP_EXPORT_PSEUDONYMOUS};
	unit_quiet(true);
	int bad = ip_export_columns(&x, "id,given,nonsense", "--fields");
	unit_quiet(false);
	ok(bad == 2 && json_array_size(x.columns) == 1,
	   "export: a pseudonymised export refuses names and unknown columns");
	ip_export_free(&x);
	x = (struct ip_export){.mode = IP_EXPORT_PSEUDONYMOUS};
	ip_export_columns(&x, NULL, "--fields");
	bool named = false;
	size_t i;
	json_t *col;
	json_array_foreach(x.columns, i, col)
		named |= !strcmp(json_string_value(col), "family");
	ok(json_array_size(x.columns) > 10 && !named,
	   "export: the default columns of a pseudonymised export have no names");
	ip_export_free(&x);
	x = (struct ip_export){.mode = IP_EXPORT_ANONYMOUS};
	unit_quiet(true);
	bad = ip_export_columns(&x, "age,id,region,record_key,vulnerabilities", "--fields");
	unit_quiet(false);
	ok(bad == 4 && json_array_size(x.columns) == 1,
	   "export: an anonymous export has no id, region, record key or vulnerabilities");
	ip_export_free(&x);
}

static void test_sign(void)
{
	struct ip_sign_key key, other;
	struct ip_buf text = {0}, text2 = {0};
	ip_sign_keygen(&key, &text);
	ip_sign_keygen(&other, &text2);
	char path[] = "/tmp/unit-sign-XXXXXX";
	int fd = mkstemp(path);
	bool saved = fd >= 0 && write(fd, text.s, text.len) == (ssize_t)text.len;
	struct ip_sign_key loaded;
	ok(saved && !ip_sign_key_load(path, &loaded) && !strcmp(loaded.public, key.public) &&
	   ip_sign_public_valid(key.public) && !ip_sign_public_valid("ed25519:AAAA") &&
	   strcmp(key.public, other.public), "sign: a key file reads back as the same key");
	if (fd >= 0)
		close(fd);
	unlink(path);
	json_t *doc = json_pack("{s:s, s:{s:s, s:s}}", "schema", "x", "response", "from", "AF-KBL-PH",
	                        "note", "housing found");
	ip_sign_doc(doc, &key, "AF-KBL-PH");
	ok(ip_sign_verify(doc, "AF-KBL-PH", key.public) == IP_SIGN_OK &&
	   ip_sign_verify(doc, "AF-KBL-PH", other.public) == IP_SIGN_BAD &&
	   ip_sign_verify(doc, "IQ-BGD-IOM", key.public) == IP_SIGN_SIGNER,
	   "sign: verified with the signer's key only, as the signer only");
	json_object_set_new(json_object_get(doc, "response"), "note", json_string("forged"));
	ok(ip_sign_verify(doc, "AF-KBL-PH", key.public) == IP_SIGN_BAD,
	   "sign: any change breaks the signature");
	json_object_del(doc, "signature");
	ok(ip_sign_verify(doc, "AF-KBL-PH", key.public) == IP_SIGN_MISSING,
	   "sign: no signature is not a good one");
	json_decref(doc);
	ip_buf_free(&text);
	ip_buf_free(&text2);
}

/* ---- the command line --------------------------------------------------- */

struct fake {
	const char *to, *when, *side;
	bool flag;
	int n;
	int calls;
};

static int count_call(const struct ip_optarg *o)
{
	((struct fake *)o->state)->calls++;
	return 0;
}

static const struct ip_sub fake_subs[] = {{"one", "first", 0}, {"two", "second", 0}};
static const struct ip_opt fake_opts[] = {
	{"to", 0, "X", "one only", 1, IP_SUB(0), IP_STRING(struct fake, to)},
	{"flag", 'F', NULL, "both", 1, 0, IP_FLAG(struct fake, flag)},
	{"n", 0, "N", "a number", 1, IP_SUB(1), IP_INT(struct fake, n, 1, 10)},
	{"when", 0, "DATE", "a date", 1, 0, IP_DATE(struct fake, when), .call = count_call},
	{"list", 0, "V", "alone", 1, 0, .flags = IP_OPT_ALONE},
	{"side", 0, "SIDE", "a case field", 1, 0, IP_STRING(struct fake, side),
	 .field = "plan.measures.side", .call = count_call},
	{0}};
static const struct ip_command fake = {"ip-fake", "SUB", "fake", fake_subs, 2,
	"subcommand", fake_opts, IP_COMPLETE_CASES, IP_FORMATS_DATA, 2, NULL};

static int parse_args(struct fake *f, struct ip_args *args, char *argv[])
{
	int argc = 0;
	while (argv[argc])
		argc++;
	struct ip_cli cli;
	ip_cli_init(&cli);
	*f = (struct fake){0};
	unit_quiet(true);
	int rc = ip_command_parse(&fake, f, &cli, argc, argv, args);
	unit_quiet(false);
	return rc;
}

static void test_command_line(void)
{
	struct fake f;
	struct ip_args a;
	ok(!parse_args(&f, &a, (char *[]){"ip-fake", "--to", "x", "-F", "one", "a.yaml", NULL}) &&
	   a.sub == 0 && !strcmp(f.to, "x") && f.flag && a.n == 1 &&
	   ip_opt_given(&fake, &a, "to") && !ip_opt_given(&fake, &a, "n"),
	   "cli: options land where the table says; the subcommand and operands follow");
	ok(parse_args(&f, &a, (char *[]){"ip-fake", "--to", "x", "two", NULL}) == 64,
	   "cli: an option of another subcommand is refused");
	ok(parse_args(&f, &a, (char *[]){"ip-fake", "--n", "11", "two", NULL}) == 64 &&
	   parse_args(&f, &a, (char *[]){"ip-fake", "--n", "0", "two", NULL}) == 64 &&
	   !parse_args(&f, &a, (char *[]){"ip-fake", "--n", "10", "two", NULL}) && f.n == 10,
	   "cli: a whole number is checked against its range");
	ok(parse_args(&f, &a, (char *[]){"ip-fake", "--when", "2026-02-30", "one", NULL}) == 64 &&
	   f.calls == 0 &&
	   !parse_args(&f, &a, (char *[]){"ip-fake", "--when", "2026-02-28", "one", NULL}) &&
	   f.calls == 1, "cli: a date is checked, and only a good one reaches the call");
	ok(parse_args(&f, &a, (char *[]){"ip-fake", "a.yaml", NULL}) == 64 &&
	   parse_args(&f, &a, (char *[]){"ip-fake", NULL}) == 64 &&
	   !parse_args(&f, &a, (char *[]){"ip-fake", "--list", "x", NULL}) && a.alone,
	   "cli: a subcommand is needed, except with an option that stands alone");
	ok(!parse_args(&f, &a, (char *[]){"ip-fake", "--side", "host", "one", NULL}) &&
	   f.calls == 1 &&
	   parse_args(&f, &a, (char *[]){"ip-fake", "--side", "hots", "one", NULL}) == 64 &&
	   f.calls == 0 &&
	   parse_args(&f, &a, (char *[]){"ip-fake", "--side", "\xff", "one", NULL}) == 64,
	   "cli: a value of a case field is checked against the schema; bad UTF-8 too");
}

/* A person as a case holds it. */
static json_t *person(const char *given, const char *family, const char *birth,
                      const char *nationality)
{
	return json_pack("{s:s, s:s, s:s, s:[s]}", "given", given, "family", family,
	                 "birth_date", birth, "nationality", nationality);
}

/* Do a and b have the same near key, and compare as expected? */
static bool near_pair(const struct ip_match *m, json_t *a, json_t *b,
                      enum ip_match_name name, enum ip_match_birth birth)
{
	char *ka = ip_match_near_key(m, a), *kb = ip_match_near_key(m, b);
	struct ip_match_why why = ip_match_compare(m, a, b);
	bool ok = !strcmp(ka, kb) && why.name == name && why.birth == birth &&
	          why.nationality && ip_match_near(&why);
	if (!ok)
		fprintf(stderr, "# %s | %s: name %d birth %d\n", ka, kb, why.name, why.birth);
	free(ka);
	free(kb);
	json_decref(a);
	json_decref(b);
	return ok;
}

static void test_match(void)
{
	struct ip_match *m = NULL;
	ok(ip_match_load(NULL, &lim, &m) == 0 && m, "match: the shipped rules load");
	if (!m)
		return;
	json_t *a = person("ÏSSATOU ", "Diallo", "1990-03-02", "GN");
	json_t *b = person("Issatou", "Dia\xcc\x88llo\xe2\x80\x8b", "1990-03-02", "GN");
	struct ip_match_why why = ip_match_compare(m, a, b);
	char *ka = ip_match_exact_key(a), *kb = ip_match_exact_key(b);
	ok(ip_match_same(&why) && !ip_match_near(&why) && !strcmp(ka, kb),
	   "match: capitals, a space, NFD and a zero-width space are the same name");
	free(ka);
	free(kb);
	json_decref(a);
	json_decref(b);
	ok(near_pair(m, person("Mohammad", "Ahmadi", "1988-05-06", "AF"),
	             person("Muhammad", "Ahmady", "1988-05-06", "AF"), IP_NAME_SOUND, IP_BIRTH_SAME),
	   "match: Mohammad Ahmadi and Muhammad Ahmady sound alike");
	ok(near_pair(m, person("محمد", "احمدی", "1988-05-06", "AF"),
	             person("Mohammad", "Ahmadi", "1988-05-06", "AF"), IP_NAME_SOUND, IP_BIRTH_SAME),
	   "match: a name in Arabic script and in Latin letters");
	ok(near_pair(m, person("محمد", "الجبوري", "1988-03-15", "IQ"),
	             person("Mohammed", "Al-Jubouri", "1988-03-15", "IQ"), IP_NAME_SOUND,
	             IP_BIRTH_SAME) &&
	   near_pair(m, person("Mohammed", "Aljubouri", "1988-03-15", "IQ"),
	             person("Muhammad", "al Jubouri", "1988-03-15", "IQ"), IP_NAME_SOUND,
	             IP_BIRTH_SAME),
	   "match: the article al- written apart, joined, in Arabic script");
	ok(near_pair(m, person("Сергей", "Иванов", "1979-11-30", "RU"),
	             person("Sergey", "Ivanov", "1979-11-30", "RU"), IP_NAME_SOUND, IP_BIRTH_SAME),
	   "match: a name in Cyrillic and in Latin letters");
	ok(near_pair(m, person("Mehmet", "Yılmaz", "1985-02-01", "TR"),
	             person("Mehmed", "Yilmaz", "1985-01-02", "TR"), IP_NAME_SOUND, IP_BIRTH_SWAPPED),
	   "match: Mehmet and Mehmed, birth day and month swapped");
	ok(near_pair(m, person("Arben", "Krasniqi", "1993-01-01", "XK"),
	             person("Krasniqi", "Arbën", "1993-07-14", "XK"), IP_NAME_SOUND, IP_BIRTH_YEAR),
	   "match: names in the other order, 1 January for the year");
	a = person("Mariam", "Ahmadi", "1991-04-12", "AF");
	b = person("Zeynep", "Yilmaz", "1991-04-12", "AF");
	why = ip_match_compare(m, a, b);
	ok(!ip_match_near(&why) && !ip_match_same(&why), "match: other names are no match");
	json_decref(b);
	b = person("Mariam", "Ahmadi", "1991-04-13", "AF");
	why = ip_match_compare(m, a, b);
	ok(!ip_match_near(&why), "match: another birth day is no match");
	json_decref(b);
	b = person("Mariam", "Ahmadi", "1991-04-12", "IR");
	why = ip_match_compare(m, a, b);
	struct ip_buf words = {0};
	ip_match_explain(&(struct ip_match_why){IP_NAME_SOUND, IP_BIRTH_SWAPPED, true}, &words);
	ok(!ip_match_near(&why) && words.s &&
	   !strcmp(words.s, "names sound alike, birth day and month swapped, same nationality"),
	   "match: another nationality is no match; the reasons in words");
	ip_buf_free(&words);
	json_decref(a);
	json_decref(b);
	ip_match_free(m);

	char path[] = "/tmp/ip-unit-matchXXXXXX";
	int fd = mkstemp(path);
	const char bad[] = "schema: integplan/matching/1\nsource: test\nsounds:\n"
	                   "  - {from: Kh, to: h}\n  - {from: ^$, to: x}\n  - {from: ph, to: \"f-\"}\n";
	bool written = fd >= 0 && write(fd, bad, sizeof bad - 1) == (ssize_t)(sizeof bad - 1);
	if (fd >= 0)
		close(fd);
	m = NULL;
	unit_quiet(true);
	int rc = written ? ip_match_load(path, &lim, &m) : -1;
	unit_quiet(false);
	ok(rc == 65 && !m, "match: rules of other characters are refused");
	unlink(path);
}

/* The key paths of English's words that a language's words lack, each
 * counted (and named on stderr): a word missing falls back to English, so
 * nothing is blank, but a page in Pashto with one English word is a page a
 * partner cannot read whole. Labels are not compared: German's come from
 * vocabularies.yaml, and English has none of its own. */
static int words_missing(const json_t *en, const json_t *own, const char *file, const char *at)
{
	int missing = 0;
	const char *key;
	const json_t *word;
	json_object_foreach((json_t *)en, key, word) {
		char *path = *at ? ip_xasprintf("%s.%s", at, key) : ip_xstrdup(key);
		const json_t *theirs = json_object_get(own, key);
		if (!theirs) {
			fprintf(stderr, "# %s: no %s\n", file, path);
			missing++;
		} else if (json_is_object(word)) {
			missing += words_missing(word, theirs, file, path);
		}
		free(path);
	}
	return missing;
}

static json_t *words_of(const char *path)
{
	struct ip_docs docs = {0};
	json_t *root = NULL;
	if (!ip_docs_load(path, IP_SYNTAX_YAML, &lim, &docs) && docs.n == 1)
		root = json_incref(docs.v[0].root);
	ip_docs_free(&docs);
	return root;
}

static void test_strings_complete(void)
{
	json_t *en = words_of("share/templates/plan/strings.en.yaml");
	glob_t files;
	int found = glob("share/templates/plan/strings.*.yaml", 0, NULL, &files);
	ok(en && !found && files.gl_pathc >= 12, "words: English's and the languages' files load");
	int missing = 0;
	for (size_t i = 0; !found && i < files.gl_pathc; i++) {
		json_t *own = words_of(files.gl_pathv[i]);
		missing += own ? words_missing(en, own, files.gl_pathv[i], "") : 1;
		json_decref(own);
	}
	ok(missing == 0, "words: every shipped language has every word English has");
	if (!found)
		globfree(&files);
	json_decref(en);
}

/* Amounts in a published table: withheld below the base or when one case
 * dominates; else moved by half to all of amount_noise times the largest
 * case's amount, up or down about as often, the same for the same key. */
static void test_protect_amount(void)
{
	struct ip_ptable table = {.deviation = 0, .threshold = 0, .nrows = 1,
	                          .row = {{1, {0}, {1.0}}}};
	struct ip_protect pr = {.ptable = &table, .min_base = 10, .amount_noise = 0.5,
	                        .dominance = 0.8};
	json_t *v = ip_protect_amount(&pr, 1000000, 100000, 9, 7);
	ok(json_is_string(v) && !*json_string_value(v), "amount: withheld below the base");
	json_decref(v);
	v = ip_protect_amount(&pr, 1000000, 900000, 12, 7);
	ok(json_is_string(v) && !*json_string_value(v), "amount: withheld when one case has "
	   "more than the dominance share");
	json_decref(v);
	int within = 0, up = 0, same = 0;
	for (uint32_t key = 0; key < 2000; key++) {
		json_t *a = ip_protect_amount(&pr, 1000000, 100000, 12, key * 2654435761u);
		json_t *b = ip_protect_amount(&pr, 1000000, 100000, 12, key * 2654435761u);
		json_int_t moved = json_integer_value(a) - 10000;  /* in whole units */
		within += (moved >= 250 && moved <= 500) || (moved <= -250 && moved >= -500);
		up += moved > 0;
		same += json_equal(a, b);
		json_decref(a);
		json_decref(b);
	}
	ok(within == 2000, "amount: moved by half to all of the noise share of the largest");
	ok(up > 900 && up < 1100, "amount: moved up about as often as down");
	ok(same == 2000, "amount: the same cases move it alike");
	v = ip_protect_amount(&pr, 1000, 300, 12, 7);
	ok(json_integer_value(v) >= 8 && json_integer_value(v) <= 12, "amount: in whole units");
	json_decref(v);
	struct ip_protect none = {.min_base = 10, .amount_noise = 0.5, .dominance = 0.8};
	v = ip_protect_amount(&none, 123456, 123456, 1, 7);
	ok(json_is_real(v) && json_real_value(v) == 1234.56, "amount: exact without protection");
	json_decref(v);
}

/* A case's budgets in a period: each budget of an agreed plan on the day
 * it was agreed, each payment on its day; one case once per cell. */
static void test_budget_count(void)
{
	json_t *cells = json_object(), *keys = json_object();
	const char *fact = "a|REAG-GARP-2|EUR|100000;p|REAG-GARP-2|EUR|60000|2026-05-04;"
	                   "p|REAG-GARP-2|EUR|40000|2026-08-04;a|REAG-GARP-2|EUR|50000;"
	                   "p|REAG-GARP-2|EUR|1000|2027-01-02;a||AFN|2000000";
	ip_budget_count(cells, keys, fact, "2026-03-20", "quarter", "2026-01-01", "2026-12-31", 5);
	const json_t *q1 = json_object_get(cells, "REAG-GARP-2\x1f" "EUR\x1f" "2026-Q1");
	const json_t *total = json_object_get(cells, "REAG-GARP-2\x1f" "EUR\x1f" "total");
	const json_t *q2 = json_object_get(cells, "REAG-GARP-2\x1f" "EUR\x1f" "2026-Q2");
	ok(json_integer_value(json_object_get(json_object_get(q1, "approved"), "cents")) ==
	   150000 && json_integer_value(json_object_get(json_object_get(q1, "approved"),
	   "cases")) == 1, "budget: two budgets of one case approved on the day agreed");
	ok(json_integer_value(json_object_get(json_object_get(total, "paid"), "cents")) ==
	   100000 && json_integer_value(json_object_get(json_object_get(total, "paid"),
	   "largest")) == 100000, "budget: payments of the period, not of the next year");
	ok(json_integer_value(json_object_get(json_object_get(q2, "paid"), "cents")) == 60000,
	   "budget: a payment in the quarter of its day");
	ok(json_object_get(cells, "none\x1f" "AFN\x1f" "2026-Q1") != NULL,
	   "budget: a budget without a programme, in its own currency");
	json_t *unagreed = json_object(), *ukeys = json_object();
	ip_budget_count(unagreed, ukeys, fact, "", "quarter", "2026-01-01", "2026-12-31", 5);
	ok(!json_object_get(json_object_get(unagreed, "REAG-GARP-2\x1f" "EUR\x1f" "2026-Q1"),
	                    "approved"), "budget: a plan not agreed has approved nothing");
	json_decref(unagreed);
	json_decref(ukeys);
	json_decref(cells);
	json_decref(keys);
}

void unit_domain_tests(void)
{
	test_protect_amount();
	test_budget_count();
	test_plan_edit();
	test_assess();
	test_refer_update();
	test_refer_sides();
	test_refer_receive();
	test_refer_dates();
	test_intake_row();
	test_due();
	test_export_columns();
	test_sign();
	test_match();
	test_command_line();
	test_strings_complete();
}
