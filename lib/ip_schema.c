#include "ip_schema.h"
#include "ip_emit.h"
#include "ip_grammar.h"
#include "ip_codes.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_visible.h"
#include "ip_vocab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the schema --------------------------------------------------------- */

#define END {0}
#define STR(n, fl) {n, IP_T_STRING, fl, NULL, NULL, NULL}
#define TEXT(n, fl) {n, IP_T_STRING, (fl) | IP_FREE_TEXT, NULL, NULL, NULL}
/* The day or time something happened: never after today. */
#define DONE(n, type, fl) {n, type, (fl) | IP_PAST, NULL, NULL, NULL}
#define TYPED(n, t, fl) {n, t, fl, NULL, NULL, NULL}
#define ENUM(n, voc, fl) {n, IP_T_ENUM, fl, voc, NULL, NULL}
#define OBJ(n, fl, kids) {n, IP_T_OBJECT, fl, NULL, kids, NULL}
#define ARR(n, fl, it) {n, IP_T_ARRAY, fl, NULL, NULL, it}
#define ITEM(t) (&(const struct ip_field){"", t, 0, NULL, NULL, NULL})
#define ITEM_ENUM(voc) (&(const struct ip_field){"", IP_T_ENUM, 0, voc, NULL, NULL})
#define ITEM_OBJ(kids) (&(const struct ip_field){"", IP_T_OBJECT, 0, NULL, kids, NULL})

static const struct ip_field centre_f[] = {
	TYPED("id", IP_T_STRING, IP_REQUIRED),
	TYPED("state", IP_T_REGION, 0),
	END};
static const struct ip_field counsellors_f[] = {
	STR("host", 0), STR("return", 0), END};
static const struct ip_field contact_f[] = {
	STR("phone", 0), STR("email", 0), TEXT("address", 0), END};
static const struct ip_field person_f[] = {
	STR("given", IP_REQUIRED),
	STR("family", IP_REQUIRED),
	TYPED("birth_date", IP_T_DATE, IP_REQUIRED),
	ENUM("sex", "sex", IP_REQUIRED),
	ARR("nationality", IP_REQUIRED, ITEM(IP_T_COUNTRY)),
	ARR("languages", 0, ITEM(IP_T_LANGUAGE)),
	ENUM("residence_status", "residence-status", 0),
	/* the day the person entered Germany: the length of stay some
	 * programmes' rules go by */
	DONE("entered", IP_T_DATE, 0),
	OBJ("contact", 0, contact_f),
	END};
static const struct ip_field household_f[] = {
	ENUM("relation", "relation", IP_REQUIRED),
	STR("given", 0),
	STR("family", 0),
	TYPED("birth_date", IP_T_DATE, 0),
	ENUM("sex", "sex", 0),
	TYPED("returning", IP_T_BOOLEAN, 0),
	END};
static const struct ip_field return_f[] = {
	TYPED("country", IP_T_COUNTRY, IP_REQUIRED),
	TYPED("region", IP_T_REGION, 0),
	TYPED("planned_departure", IP_T_DATE, 0),
	DONE("departed", IP_T_DATE, 0),
	DONE("arrived", IP_T_DATE, 0),
	END};
static const struct ip_field consent_f[] = {
	ENUM("purpose", "consent-purpose", IP_REQUIRED),
	STR("recipient", 0),
	DONE("given", IP_T_DATE, IP_REQUIRED),
	DONE("withdrawn", IP_T_DATE, 0),
	END};
static const struct ip_field need_f[] = {
	ENUM("category", "need", IP_REQUIRED),
	ENUM("priority", "priority", 0),
	TEXT("note", 0),
	END};
static const struct ip_field occupation_f[] = {
	STR("isco", IP_REQUIRED), TYPED("years", IP_T_YEARS, 0), END};
static const struct ip_field language_skill_f[] = {
	TYPED("code", IP_T_LANGUAGE, IP_REQUIRED), STR("level", 0), END};
static const struct ip_field skills_f[] = {
	STR("education", 0),
	ARR("occupations", 0, ITEM_OBJ(occupation_f)),
	ARR("languages", 0, ITEM_OBJ(language_skill_f)),
	TYPED("entrepreneurial", IP_T_BOOLEAN, 0),
	END};
static const struct ip_field risk_f[] = {
	ENUM("level", "level", IP_REQUIRED), TEXT("note", 0), END};
static const struct ip_field assessment_f[] = {
	DONE("date", IP_T_DATE, IP_REQUIRED),
	STR("by", IP_REQUIRED),
	ENUM("side", "side", 0),
	ARR("vulnerabilities", 0, ITEM_ENUM("vulnerability")),
	ARR("needs", 0, ITEM_OBJ(need_f)),
	OBJ("skills", 0, skills_f),
	OBJ("risk", 0, risk_f),
	STR("readiness", 0),
	ENUM("priority", "priority", 0),
	ARR("recommended", 0, ITEM_ENUM("measure")),
	ARR("rules", 0, ITEM(IP_T_STRING)),
	TEXT("note", 0),
	END};
/* A payment from a measure's budget (ip-plan pay), in its currency; a
 * programme that pays in instalments has one payment for each. */
static const struct ip_field payment_f[] = {
	DONE("date", IP_T_DATE, IP_REQUIRED),
	TYPED("amount", IP_T_AMOUNT, IP_REQUIRED),
	STR("reference", 0),
	END};
static const struct ip_field budget_f[] = {
	TYPED("amount", IP_T_AMOUNT, IP_REQUIRED),
	TYPED("currency", IP_T_CURRENCY, IP_REQUIRED),
	TYPED("programme", IP_T_PROGRAMME, 0),
	ARR("paid", 0, ITEM_OBJ(payment_f)),
	END};
/* id comes first: a plan template's measures are measure_f + 1, the same
 * fields without the id the plan gives them. */
static const struct ip_field measure_f[] = {
	STR("id", IP_REQUIRED),
	ENUM("dimension", "dimension", IP_REQUIRED),
	ENUM("category", "measure", IP_REQUIRED),
	ENUM("side", "side", IP_REQUIRED),
	STR("owner", 0),
	TYPED("due", IP_T_DUE, 0),
	ENUM("status", "measure-status", 0),
	DONE("status_date", IP_T_DATE, 0),
	/* the day it was begun (first in progress or done): what assistance
	 * counts by, whatever its status later */
	DONE("started", IP_T_DATE, 0),
	OBJ("budget", 0, budget_f),
	TYPED("programme", IP_T_PROGRAMME, 0),
	ARR("addresses", 0, ITEM_ENUM("need")),
	TEXT("note", 0),
	END};
/* An approval agrees to the plan's measures as they were: their digest
 * (ip_plan.h says what it covers). */
static const struct ip_field approval_f[] = {
	ENUM("side", "side", IP_REQUIRED),
	STR("by", IP_REQUIRED),
	DONE("date", IP_T_DATE, IP_REQUIRED),
	DONE("withdrawn", IP_T_DATE, 0),
	STR("measures_digest", 0),
	END};
/* A survey taken (ip_survey.h): the answers, and the scores the library
 * worked out from the survey's definition when they were recorded. */
static const struct ip_field survey_answer_f[] = {
	STR("question", IP_REQUIRED), STR("answer", IP_REQUIRED), END};
static const struct ip_field survey_score_f[] = {
	STR("dimension", IP_REQUIRED), TYPED("score", IP_T_SCORE, IP_REQUIRED), END};
static const struct ip_field survey_taken_f[] = {
	STR("id", IP_REQUIRED),
	DONE("date", IP_T_DATE, IP_REQUIRED),
	STR("by", IP_REQUIRED),
	ARR("answers", IP_REQUIRED, ITEM_OBJ(survey_answer_f)),
	ARR("scores", 0, ITEM_OBJ(survey_score_f)),
	TYPED("composite", IP_T_SCORE, 0),
	ARR("flags", 0, ITEM(IP_T_STRING)),
	END};
/* A follow-up: what both the case and a partner's report of it hold; the
 * case's survey carries the scores, the partner's only the answers. */
#define FOLLOW_UP_FIELDS \
	TYPED("due", IP_T_DUE, IP_REQUIRED), DONE("done", IP_T_DATE, 0), STR("by", 0), \
	TEXT("note", 0)
static const struct ip_field follow_up_f[] = {
	FOLLOW_UP_FIELDS,
	OBJ("survey", 0, survey_taken_f),
	END};
/* A survey as the partner reports it: the answers only; the centre works
 * out the scores from its own definition. */
static const struct ip_field reported_survey_f[] = {
	STR("id", IP_REQUIRED),
	DONE("date", IP_T_DATE, IP_REQUIRED),
	STR("by", IP_REQUIRED),
	ARR("answers", IP_REQUIRED, ITEM_OBJ(survey_answer_f)),
	END};
static const struct ip_field reported_follow_up_f[] = {
	FOLLOW_UP_FIELDS,
	OBJ("survey", 0, reported_survey_f),
	END};
static const struct ip_field plan_f[] = {
	STR("template", 0),
	ARR("measures", 0, ITEM_OBJ(measure_f)),
	ARR("approvals", 0, ITEM_OBJ(approval_f)),
	ARR("follow_ups", 0, ITEM_OBJ(follow_up_f)),
	END};
/* One change of a referral's state, in order: the log both sides keep, so
 * a response can be matched step by step against what the host knows. */
static const struct ip_field step_f[] = {
	ENUM("status", "referral-status", IP_REQUIRED),
	DONE("date", IP_T_DATE, IP_REQUIRED),
	ENUM("success", "referral-success", 0),
	ENUM("reason", "referral-reason", 0),
	STR("by", 0),
	END};
static const struct ip_field referral_f[] = {
	STR("id", IP_REQUIRED),
	STR("from", 0),
	STR("to", IP_REQUIRED),
	ARR("services", 0, ITEM_ENUM("measure")),
	DONE("date", IP_T_DATE, 0),
	ENUM("status", "referral-status", IP_REQUIRED),
	ENUM("success", "referral-success", 0),
	ENUM("reason", "referral-reason", 0),
	ARR("fields", 0, ITEM(IP_T_STRING)),
	DONE("updated", IP_T_DATE, 0),
	ARR("steps", 0, ITEM_OBJ(step_f)),
	TEXT("note", 0),
	/* the last response: sent (partner side) or received (referring side) */
	TYPED("seq", IP_T_COUNT, 0),
	END};
static const struct ip_field link_f[] = {
	TYPED("case", IP_T_CASE_ID, IP_REQUIRED),
	ENUM("relation", "link-relation", IP_REQUIRED),
	END};
static const struct ip_field note_f[] = {
	DONE("at", IP_T_DATETIME, IP_REQUIRED),
	STR("by", IP_REQUIRED),
	TEXT("text", IP_REQUIRED),
	/* a note for the other side of this referral: it travels with every
	 * response to it */
	TYPED("referral", IP_T_REFERRAL_ID, 0),
	END};
static const struct ip_field history_f[] = {
	DONE("at", IP_T_DATETIME, IP_REQUIRED),
	STR("by", IP_REQUIRED),
	STR("cmd", IP_REQUIRED),
	TEXT("what", IP_REQUIRED),
	END};
/* The day the case first reached each status: its status on any day can
 * be told afterwards, whatever changed later. */
static const struct ip_field status_dates_f[] = {
	DONE("intake", IP_T_DATE, 0), DONE("assessed", IP_T_DATE, 0),
	DONE("planned", IP_T_DATE, 0), DONE("referred", IP_T_DATE, 0),
	DONE("departed", IP_T_DATE, 0), DONE("arrived", IP_T_DATE, 0),
	DONE("reintegrating", IP_T_DATE, 0), DONE("closed", IP_T_DATE, 0),
	END};
static const struct ip_field case_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, IP_CASE_SCHEMA, NULL, NULL},
	TYPED("id", IP_T_CASE_ID, IP_REQUIRED),
	ENUM("status", "case-status", IP_REQUIRED),
	OBJ("status_dates", 0, status_dates_f),
	ENUM("outcome", "closure-outcome", 0),
	DONE("opened", IP_T_DATE, IP_REQUIRED),
	DONE("closed", IP_T_DATE, 0),
	/* the Cell Key Method's random key of the case (ip-report(1)) */
	TYPED("record_key", IP_T_COUNT, 0),
	OBJ("centre", IP_REQUIRED, centre_f),
	OBJ("counsellors", 0, counsellors_f),
	OBJ("person", IP_REQUIRED, person_f),
	ARR("household", 0, ITEM_OBJ(household_f)),
	OBJ("return", IP_REQUIRED, return_f),
	ARR("programmes", 0, ITEM(IP_T_PROGRAMME)),
	ARR("consent", 0, ITEM_OBJ(consent_f)),
	ARR("assessments", 0, ITEM_OBJ(assessment_f)),
	OBJ("plan", 0, plan_f),
	/* a survey before or just after return, the follow-ups' baseline */
	OBJ("baseline", 0, survey_taken_f),
	ARR("referrals", 0, ITEM_OBJ(referral_f)),
	ARR("links", 0, ITEM_OBJ(link_f)),
	ARR("notes", 0, ITEM_OBJ(note_f)),
	ARR("history", 0, ITEM_OBJ(history_f)),
	END};

const struct ip_field ip_case_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                        case_f, NULL};

/* What an erased case keeps (ip-case erase): what reports need of it and
 * nothing of the person. */
static const struct ip_field tombstone_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, IP_CASE_SCHEMA, NULL, NULL},
	TYPED("id", IP_T_CASE_ID, IP_REQUIRED),
	ENUM("status", "case-status", IP_REQUIRED),
	ENUM("outcome", "closure-outcome", IP_REQUIRED),
	TYPED("record_key", IP_T_COUNT, 0),
	OBJ("centre", IP_REQUIRED, centre_f),
	ARR("history", 0, ITEM_OBJ(history_f)),
	DONE("erased", IP_T_DATE, IP_REQUIRED),
	TYPED("opened_year", IP_T_COUNT, IP_REQUIRED),
	TYPED("closed_year", IP_T_COUNT, IP_REQUIRED),
	END};

const struct ip_field ip_tombstone_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                             tombstone_f, NULL};

/* Assessment rules (share/integplan/rules/assess.yaml): a rule fires when
 * every condition of "when" holds; lists mean "any of". */
static const struct ip_field when_f[] = {
	ARR("vulnerability", 0, ITEM_ENUM("vulnerability")),
	ARR("need", 0, ITEM_ENUM("need")),
	ARR("risk", 0, ITEM_ENUM("level")),
	TYPED("entrepreneurial", IP_T_BOOLEAN, 0),
	ENUM("side", "side", 0),
	END};
static const struct ip_field rule_f[] = {
	STR("id", IP_REQUIRED),
	OBJ("when", IP_REQUIRED, when_f),
	ENUM("priority", "priority", 0),
	ARR("recommend", 0, ITEM_ENUM("measure")),
	ARR("require", 0, ITEM_ENUM("measure")),
	TEXT("note", 0),
	END};
static const struct ip_field rules_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, "integplan/rules/1", NULL, NULL},
	ARR("rules", IP_REQUIRED | IP_UNIQUE, ITEM_OBJ(rule_f)),
	END};

const struct ip_field ip_rules_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                         rules_f, NULL};

/* Programmes (share/integplan/programmes.yaml): caps on budgets, rules of
 * eligibility and application deadlines that ip-plan check applies, each
 * valid from and to a day and naming its source (ip_programme.h). */
static const struct ip_field weeks_f[] = {
	TYPED("normal", IP_T_YEARS, 0), TYPED("high_demand", IP_T_YEARS, 0), END};
static const struct ip_field source_f[] = {
	STR("id", IP_REQUIRED),
	STR("url", IP_REQUIRED),
	TYPED("read", IP_T_DATE, IP_REQUIRED),
	STR("title", 0),
	END};
/* the amounts of a cap, or of a reduced amount */
#define AMOUNTS_F \
	TYPED("per_adult", IP_T_AMOUNT, 0), \
	TYPED("per_minor", IP_T_AMOUNT, 0), \
	TYPED("per_person", IP_T_AMOUNT, 0), \
	TYPED("family", IP_T_AMOUNT, 0), \
	TYPED("per_case", IP_T_AMOUNT, 0)
#define VALIDITY_F \
	TYPED("valid_from", IP_T_DATE, 0), \
	TYPED("valid_to", IP_T_DATE, 0), \
	STR("source", IP_REQUIRED)
static const struct ip_field cap_f[] = {
	STR("id", IP_REQUIRED),
	ARR("categories", IP_REQUIRED, ITEM_ENUM("measure")),
	AMOUNTS_F,
	ARR("disputed", 0, ITEM(IP_T_AMOUNT)),
	TYPED("currency", IP_T_CURRENCY, IP_REQUIRED),
	VALIDITY_F,
	TEXT("note", 0),
	END};
static const struct ip_field condition_f[] = {
	ARR("nationality", 0, ITEM(IP_T_COUNTRY)),
	ARR("return_country", 0, ITEM(IP_T_COUNTRY)),
	ARR("residence_status", 0, ITEM_ENUM("residence-status")),
	TYPED("vulnerable", IP_T_BOOLEAN, 0),
	TYPED("stay_months_under", IP_T_YEARS, 0),
	END};
static const struct ip_field eligibility_f[] = {
	STR("id", IP_REQUIRED),
	TYPED("programme", IP_T_PROGRAMME, IP_REQUIRED),
	ARR("categories", 0, ITEM_ENUM("measure")),
	OBJ("when", 0, condition_f),
	ARR("unless", 0, ITEM_OBJ(condition_f)),
	{"effect", IP_T_ENUM, IP_REQUIRED, "eligibility-effect", NULL, NULL},
	AMOUNTS_F,
	TYPED("currency", IP_T_CURRENCY, 0),
	VALIDITY_F,
	TEXT("note", 0),
	END};
static const struct ip_field programme_f[] = {
	STR("id", IP_REQUIRED),
	STR("name", IP_REQUIRED),
	STR("operator", 0),
	VALIDITY_F,
	TEXT("notes", 0),
	OBJ("decision_weeks", 0, weeks_f),
	TYPED("apply_weeks_before_departure", IP_T_YEARS, 0),
	TYPED("instalments", IP_T_YEARS, 0),
	ARR("countries", 0, ITEM(IP_T_COUNTRY)),
	ARR("caps", 0, ITEM_OBJ(cap_f)),
	END};
static const struct ip_field programmes_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, "integplan/programmes/1", NULL, NULL},
	ARR("sources", IP_REQUIRED | IP_UNIQUE, ITEM_OBJ(source_f)),
	ARR("programmes", IP_REQUIRED | IP_UNIQUE, ITEM_OBJ(programme_f)),
	ARR("eligibility", IP_UNIQUE, ITEM_OBJ(eligibility_f)),
	END};

const struct ip_field ip_programmes_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                              programmes_f, NULL};

/* The schedule of every plan (share/integplan/plans.yaml). */
static const struct ip_field plans_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, "integplan/plans/1", NULL, NULL},
	TYPED("agree_by", IP_T_DUE, IP_REQUIRED),
	TYPED("assistance_ends", IP_T_DUE, IP_REQUIRED),
	ARR("follow_ups", IP_REQUIRED, ITEM(IP_T_DUE)),
	END};

const struct ip_field ip_plans_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                         plans_f, NULL};

/* The settings of ip-report (share/integplan/reports.yaml). */
static const struct ip_field reports_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, "integplan/reports/1", NULL, NULL},
	TYPED("min_base", IP_T_YEARS, IP_REQUIRED),
	ARR("age_bands", IP_REQUIRED | IP_ASCENDING, ITEM(IP_T_YEARS)),
	TYPED("referral_answer_days", IP_T_YEARS, IP_REQUIRED),
	TYPED("amount_noise", IP_T_SCORE, 0),
	TYPED("dominance", IP_T_SCORE, 0),
	END};

const struct ip_field ip_reports_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                           reports_f, NULL};

/* A plan template (share/templates/plans/NAME.yaml). */
static const struct ip_field text_f[] = {STR("de", 0), STR("en", IP_REQUIRED), END};
static const struct ip_field template_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, "integplan/plan-template/1", NULL, NULL},
	OBJ("title", IP_REQUIRED, text_f),
	OBJ("description", 0, text_f),
	ARR("follow_ups", 0, ITEM(IP_T_DUE)),
	ARR("measures", IP_REQUIRED | IP_UNIQUE, ITEM_OBJ(measure_f + 1)),
	END};

const struct ip_field ip_template_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                            template_f, NULL};

/* A follow-up survey (share/integplan/surveys/NAME.yaml): its source, the
 * dimensions and their weights, the questions with their answers' scores,
 * and the thresholds of sustainable reintegration and of a flag. */
static const struct ip_field survey_source_f[] = {
	STR("name", IP_REQUIRED),
	STR("edition", IP_REQUIRED),
	TEXT("adapted", IP_REQUIRED),
	STR("url", 0),
	TYPED("read", IP_T_DATE, 0),
	END};
static const struct ip_field survey_option_f[] = {
	STR("id", IP_REQUIRED),
	OBJ("text", IP_REQUIRED, text_f),
	TYPED("score", IP_T_SCORE, 0),
	STR("flag", 0),
	END};
static const struct ip_field survey_question_f[] = {
	STR("id", IP_REQUIRED),
	STR("dimension", IP_REQUIRED),
	TYPED("weight", IP_T_AMOUNT, 0),
	OBJ("text", IP_REQUIRED, text_f),
	ARR("answers", IP_REQUIRED | IP_UNIQUE, ITEM_OBJ(survey_option_f)),
	END};
static const struct ip_field survey_dimension_f[] = {
	STR("id", IP_REQUIRED),
	OBJ("title", IP_REQUIRED, text_f),
	TYPED("weight", IP_T_AMOUNT, 0),
	END};
static const struct ip_field survey_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, "integplan/survey/1", NULL, NULL},
	STR("id", IP_REQUIRED),
	OBJ("title", IP_REQUIRED, text_f),
	OBJ("source", IP_REQUIRED, survey_source_f),
	TYPED("threshold", IP_T_SCORE, IP_REQUIRED),
	TYPED("flag_below", IP_T_SCORE, 0),
	ARR("dimensions", IP_REQUIRED | IP_UNIQUE, ITEM_OBJ(survey_dimension_f)),
	ARR("questions", IP_REQUIRED | IP_UNIQUE, ITEM_OBJ(survey_question_f)),
	END};

const struct ip_field ip_survey_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL, survey_f,
                                          NULL};

/* The funders' indicators (share/integplan/indicators.yaml): what each
 * counts, and by what it is broken down; ip_report.c checks the rest. */
static const struct ip_field indicator_f[] = {
	STR("id", IP_REQUIRED),
	OBJ("title", IP_REQUIRED, text_f),
	STR("source", IP_REQUIRED),
	STR("when", IP_REQUIRED),
	ENUM("assisted", "side", 0),
	END};
static const struct ip_field indicators_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, "integplan/indicators/1", NULL, NULL},
	STR("source", IP_REQUIRED),
	ARR("breakdowns", IP_REQUIRED, ITEM(IP_T_STRING)),
	ARR("indicators", IP_REQUIRED, ITEM_OBJ(indicator_f)),
	END};

const struct ip_field ip_indicators_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                              indicators_f, NULL};


/* An import map (share/integplan/import/NAME.yaml, or --map FILE): which
 * column of a spreadsheet export is which intake field, and what its own
 * words for values mean; ip_rows.c checks the fields it names. */
static const struct ip_field import_column_f[] = {
	STR("header", IP_REQUIRED),
	STR("field", IP_REQUIRED),
	END};
static const struct ip_field import_value_f[] = {
	STR("field", IP_REQUIRED),
	STR("from", IP_REQUIRED),
	STR("to", IP_REQUIRED),
	END};
static const struct ip_field import_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, "integplan/import/1", NULL, NULL},
	OBJ("title", IP_REQUIRED, text_f),
	ARR("columns", IP_REQUIRED, ITEM_OBJ(import_column_f)),
	ARR("values", 0, ITEM_OBJ(import_value_f)),
	END};

const struct ip_field ip_import_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL, import_f,
                                          NULL};

/* How names are compared (share/integplan/matching.yaml, ip_match). */
static const struct ip_field sound_f[] = {
	STR("from", IP_REQUIRED),
	STR("to", 0),  /* none: the sound is dropped */
	END};
static const struct ip_field matching_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, "integplan/matching/1", NULL, NULL},
	STR("source", IP_REQUIRED),
	ARR("sounds", IP_REQUIRED, ITEM_OBJ(sound_f)),
	END};

const struct ip_field ip_matching_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL, matching_f,
                                            NULL};

/* The partner directory (share/integplan/partners.yaml, or the file the
 * repository's config names under "partners"). */
static const struct ip_field partner_f[] = {
	STR("id", IP_REQUIRED),
	STR("organisation", IP_REQUIRED),
	ENUM("kind", "partner-kind", IP_REQUIRED),
	TYPED("country", IP_T_COUNTRY, IP_REQUIRED),
	ARR("regions", 0, ITEM(IP_T_REGION)),
	ARR("services", 0, ITEM_ENUM("measure")),
	ARR("profile", 0, ITEM(IP_T_STRING)),
	OBJ("contact", 0, contact_f),
	STR("age", 0),
	STR("sign", 0),
	TEXT("note", 0),
	END};
static const struct ip_field partners_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, "integplan/partners/1", NULL, NULL},
	ARR("partners", IP_REQUIRED, ITEM_OBJ(partner_f)),
	END};

const struct ip_field ip_partners_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                            partners_f, NULL};

/* A referral package: what leaves the centre for a partner. "case" holds
 * only the fields of the partner's profile, so none of it is required. */
static const struct ip_field package_referral_f[] = {
	TYPED("id", IP_T_REFERRAL_ID, IP_REQUIRED),
	TYPED("from", IP_T_CENTRE_ID, IP_REQUIRED),
	TYPED("to", IP_T_CENTRE_ID, IP_REQUIRED),
	TYPED("date", IP_T_DATE, IP_REQUIRED),
	ARR("services", IP_REQUIRED, ITEM_ENUM("measure")),
	ARR("fields", IP_REQUIRED, ITEM(IP_T_STRING)),
	END};
/* Who signed a package or response (ip_sign.h); checked on its own. */
static const struct ip_field signature_f[] = {
	TYPED("by", IP_T_CENTRE_ID, IP_REQUIRED),
	STR("key", IP_REQUIRED),
	STR("value", IP_REQUIRED),
	END};
static const struct ip_field package_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, IP_PACKAGE_SCHEMA, NULL, NULL},
	OBJ("referral", IP_REQUIRED, package_referral_f),
	{"case", IP_T_OBJECT, IP_REQUIRED | IP_PARTIAL, NULL, case_f, NULL},
	STR("digest", IP_REQUIRED),
	OBJ("signature", 0, signature_f),
	END};

const struct ip_field ip_package_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                           package_f, NULL};

/* A case on its way to another centre in Germany (ip-case transfer): the
 * whole case as the sending centre had it, history and all, and the id
 * the receiving centre opens it under. */
static const struct ip_field transfer_body_f[] = {
	TYPED("id", IP_T_CASE_ID, IP_REQUIRED),
	TYPED("case", IP_T_CASE_ID, IP_REQUIRED),
	TYPED("from", IP_T_CENTRE_ID, IP_REQUIRED),
	TYPED("to", IP_T_CENTRE_ID, IP_REQUIRED),
	TYPED("date", IP_T_DATE, IP_REQUIRED),
	END};
static const struct ip_field transfer_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, IP_TRANSFER_SCHEMA, NULL, NULL},
	OBJ("transfer", IP_REQUIRED, transfer_body_f),
	{"case", IP_T_OBJECT, IP_REQUIRED, NULL, case_f, NULL},
	STR("digest", IP_REQUIRED),
	OBJ("signature", 0, signature_f),
	END};

const struct ip_field ip_transfer_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                            transfer_f, NULL};

/* A partner's answer to a referral: everything it knows so far, so that a
 * response lost on the way loses nothing; seq numbers its responses. */
static const struct ip_field measure_status_f[] = {
	STR("id", IP_REQUIRED),
	ENUM("status", "measure-status", IP_REQUIRED),
	TYPED("date", IP_T_DATE, 0),
	TYPED("started", IP_T_DATE, 0),
	END};
static const struct ip_field response_note_f[] = {
	TYPED("at", IP_T_DATETIME, IP_REQUIRED),
	TEXT("text", IP_REQUIRED),
	END};
static const struct ip_field response_body_f[] = {
	TYPED("referral", IP_T_REFERRAL_ID, IP_REQUIRED),
	TYPED("from", IP_T_CENTRE_ID, IP_REQUIRED),
	TYPED("to", IP_T_CENTRE_ID, IP_REQUIRED),
	TYPED("date", IP_T_DATE, IP_REQUIRED),
	TYPED("seq", IP_T_COUNT, IP_REQUIRED),
	ARR("steps", IP_REQUIRED, ITEM_OBJ(step_f)),
	TYPED("arrived", IP_T_DATE, 0),
	ARR("measures", 0, ITEM_OBJ(measure_status_f)),
	ARR("follow_ups", 0, ITEM_OBJ(reported_follow_up_f)),
	ARR("notes", 0, ITEM_OBJ(response_note_f)),
	END};
static const struct ip_field response_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, IP_RESPONSE_SCHEMA, NULL, NULL},
	OBJ("response", IP_REQUIRED, response_body_f),
	STR("digest", IP_REQUIRED),
	OBJ("signature", 0, signature_f),
	END};

const struct ip_field ip_response_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                            response_f, NULL};

/* A response written on paper or typed by hand: the form a referral sheet
 * prints for a partner without IntegPlan, which the referring centre
 * enters for it (ip-refer receive --from-form). */
static const struct ip_field form_measure_f[] = {
	STR("id", IP_REQUIRED),
	ENUM("status", "measure-status", IP_REQUIRED),
	TYPED("date", IP_T_DATE, 0),
	END};
static const struct ip_field form_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, IP_FORM_SCHEMA, NULL, NULL},
	TYPED("referral", IP_T_REFERRAL_ID, IP_REQUIRED),
	TYPED("from", IP_T_CENTRE_ID, IP_REQUIRED),
	ENUM("status", "referral-status", IP_REQUIRED),
	TYPED("date", IP_T_DATE, IP_REQUIRED),
	TEXT("by", IP_REQUIRED),
	ENUM("reason", "referral-reason", 0),
	ENUM("success", "referral-success", 0),
	TYPED("arrived", IP_T_DATE, 0),
	ARR("measures", 0, ITEM_OBJ(form_measure_f)),
	TEXT("note", 0),
	END};

const struct ip_field ip_form_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL, form_f, NULL};

/* A report partial: exact counts, before small cells are suppressed. */
static const struct ip_field report_filter_f[] = {
	TYPED("since", IP_T_DATE, 0),
	TYPED("until", IP_T_DATE, 0),
	ARR("where", 0, ITEM(IP_T_STRING)),
	END};
/* Where a partial's counts come from: a repository, or a selection of its
 * cases (a sum over their ids); a merge takes each source once. */
static const struct ip_field report_source_f[] = {
	TYPED("centre", IP_T_CENTRE_ID, IP_REQUIRED),
	STR("repository", IP_REQUIRED),
	STR("selection", 0),
	END};
/* outcomes: the survey counted, by whose threshold and dimensions the
 * tables are made; only partials of the same definition merge. */
static const struct ip_field report_dimension_f[] = {
	STR("id", IP_REQUIRED),
	OBJ("title", IP_REQUIRED, text_f),
	END};
static const struct ip_field report_survey_f[] = {
	STR("id", IP_REQUIRED),
	TYPED("threshold", IP_T_SCORE, IP_REQUIRED),
	ARR("dimensions", IP_REQUIRED | IP_UNIQUE, ITEM_OBJ(report_dimension_f)),
	STR("digest", IP_REQUIRED),
	END};
static const struct ip_field report_f[] = {
	{"schema", IP_T_CONST, IP_REQUIRED, IP_REPORT_SCHEMA, NULL, NULL},
	STR("report", IP_REQUIRED),
	ARR("sources", 0, ITEM_OBJ(report_source_f)),
	STR("digest", IP_REQUIRED),
	OBJ("filter", IP_REQUIRED, report_filter_f),
	TYPED("cases", IP_T_COUNT, IP_REQUIRED),
	ARR("by", 0, ITEM(IP_T_STRING)),
	TYPED("groups", IP_T_COUNTS, 0),
	TYPED("today", IP_T_DATE, 0),
	TYPED("counts", IP_T_COUNTS, 0),
	TYPED("histograms", IP_T_COUNTS, 0),
	STR("period", 0),
	TYPED("indicators", IP_T_COUNTS, 0),
	OBJ("survey", 0, report_survey_f),
	TYPED("outcomes", IP_T_COUNTS, 0),
	/* budget: amounts in cents approved and paid per cell (ip_budget.h) */
	TYPED("budget", IP_T_COUNTS, 0),
	/* the cell keys of the counts above, in their shape (ip_ckm.h) */
	TYPED("keys", IP_T_COUNTS, IP_REQUIRED),
	/* indicators: the digest of the definitions they were counted by */
	STR("definitions", 0),
	END};

const struct ip_field ip_report_schema = {"", IP_T_OBJECT, IP_REQUIRED, NULL,
                                          report_f, NULL};

/* ---- lookup and description --------------------------------------------- */


/* Whether a field's name is the len bytes at s (a NUL among them never
 * matches): compared in place, as the one pass asks this of every key and
 * a call to strncmp cost more than the compare. */
static bool name_is(const char *name, const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && name[i] && name[i] == s[i])
		i++;
	return i == len && !name[len];
}

const struct ip_field *ip_schema_child_after(const struct ip_field *obj, const char *name,
                                             size_t len, size_t *next)
{
	if (!obj || obj->type != IP_T_OBJECT)
		return NULL;
	const struct ip_field *fields = obj->fields;
	size_t i = *next;
	for (; fields[i].name; i++)
		if (name_is(fields[i].name, name, len))
			goto found;
	for (i = 0; i < *next; i++)
		if (name_is(fields[i].name, name, len))
			goto found;
	return NULL;
found:
	*next = i + 1;
	return &fields[i];
}

static const struct ip_field *child_field(const struct ip_field *obj,
                                          const char *name, size_t len)
{
	size_t from_first = 0;
	return ip_schema_child_after(obj, name, len, &from_first);
}

const struct ip_field *ip_schema_child(const struct ip_field *obj, const char *name)
{
	return child_field(obj, name, strlen(name));
}

const struct ip_field *ip_schema_field(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot)
		return child_field(&ip_case_schema, path, strlen(path));
	char *parent = ip_xasprintf("%.*s", (int)(dot - path), path);
	const struct ip_field *f = ip_schema_lookup(parent);
	free(parent);
	return child_field(f, dot + 1, strlen(dot + 1));
}

const struct ip_field *ip_schema_lookup(const char *path)
{
	const struct ip_field *f = &ip_case_schema;
	while (f && *path) {
		size_t len = strcspn(path, ".");
		f = child_field(f, path, len);
		if (f && f->type == IP_T_ARRAY && f->item->type == IP_T_OBJECT)
			f = f->item;
		path += len + (path[len] == '.');
	}
	return f;
}

json_t *ip_get(const json_t *c, const char *path)
{
#ifndef NDEBUG
	if (!ip_schema_lookup(path)) {
		fprintf(stderr, "%s: bug: no field '%s' in the case schema\n", ip_progname(), path);
		abort();
	}
#endif
	json_t *v = (json_t *)c;
	for (const char *p = path; v && *p;) {
		size_t n = strcspn(p, ".");
		char key[64];
		snprintf(key, sizeof key, "%.*s", (int)n, p);
		v = json_object_get(v, key);
		p += n + (p[n] == '.');
	}
	return v;
}

const char *ip_get_str(const json_t *c, const char *path)
{
	return json_string_value(ip_get(c, path));
}

const char *ip_type_noun(const struct ip_field *f)
{
	switch (f->type) {
	case IP_T_STRING: return _("a string");
	case IP_T_DATE: return _("a date (YYYY-MM-DD)");
	case IP_T_DATETIME: return _("a UTC time (YYYY-MM-DDTHH:MM:SSZ)");
	case IP_T_DUE: return _("a date or a relative due date (departure+60d)");
	case IP_T_YEARS: return _("a number of years (0 to 100)");
	case IP_T_AMOUNT: return _("an amount from 0 to 1000000");
	case IP_T_SCORE: return _("a score from 0 to 1");
	case IP_T_BOOLEAN: return _("true or false");
	case IP_T_ENUM: return _("an id from a vocabulary");
	case IP_T_PROGRAMME: return _("a programme id");
	case IP_T_COUNTRY: return _("an ISO 3166-1 country code");
	case IP_T_REGION: return _("an ISO 3166-2 region code");
	case IP_T_LANGUAGE: return _("an ISO 639-3 language code");
	case IP_T_CURRENCY: return _("an ISO 4217 currency code");
	case IP_T_CASE_ID: return _("a case id");
	case IP_T_CENTRE_ID: return _("a centre id");
	case IP_T_REFERRAL_ID: return _("a referral id");
	case IP_T_CONST: return _("a fixed string");
	case IP_T_COUNT: return _("a count (0 or more)");
	case IP_T_COUNTS: return _("a mapping of counts");
	case IP_T_OBJECT: return _("a mapping");
	case IP_T_ARRAY: return _("a list");
	}
	return _("a value");
}

static const char *json_noun(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return _("a mapping");
	case JSON_ARRAY: return _("a list");
	case JSON_STRING: return _("a string");
	case JSON_INTEGER:
	case JSON_REAL: return _("a number");
	case JSON_TRUE:
	case JSON_FALSE: return _("a boolean");
	case JSON_NULL: return _("null");
	}
	return _("a value");
}

/* ---- validation --------------------------------------------------------- */

struct vctx {
	struct ip_doc *doc;
	int problems;
	int partial; /* inside an IP_PARTIAL object: nothing is required */
	char today[11]; /* for IP_PAST */
	/* The path of the field being checked ("plan.measures[2].due"): one
	 * buffer that grows and shrinks with the walk, no string per node. */
	struct ip_buf path;
};

/* A problem at the path being checked (fmt, the second argument, is
 * translated: make pot knows it by this name). */
#define complain(c, ...) ip_doc_problem((c)->doc, &(c)->problems, (c)->path.s, __VA_ARGS__)

/* Into key of the mapping at the path (the mark to leave by). */
static size_t enter_key(struct vctx *c, const char *key)
{
	size_t mark = c->path.len;
	if (mark)
		ip_buf_add(&c->path, ".", 1);
	ip_buf_puts(&c->path, key);
	return mark;
}

static size_t enter_index(struct vctx *c, size_t i)
{
	char index[24];
	size_t mark = c->path.len;
	ip_buf_add(&c->path, index, (size_t)snprintf(index, sizeof index, "[%zu]", i));
	return mark;
}

static void leave(struct vctx *c, size_t mark)
{
	c->path.len = mark;
	c->path.s[mark] = '\0';
}

/* The amount as it was written (1000000.5, not %g's 1e+06). */
static void amount_out_of_range(struct vctx *c, double amount)
{
	char text[40];
	if (amount == (double)(long long)amount && amount > -1e15 && amount < 1e15)
		snprintf(text, sizeof text, "%lld", (long long)amount);
	else
		ip_format_real(amount, text);
	complain(c, "amount %s is out of range (0 to 1000000)", text);
}

static bool is_texty(enum ip_type t)
{
	return t != IP_T_YEARS && t != IP_T_AMOUNT && t != IP_T_SCORE && t != IP_T_BOOLEAN &&
	       t != IP_T_COUNT && t != IP_T_COUNTS && t != IP_T_OBJECT && t != IP_T_ARRAY;
}

bool ip_schema_is_text(const struct ip_field *f)
{
	return is_texty(f->type);
}

/* "unknown NOUN 'S'", with a did-you-mean, else where the ids are listed. */
static void unknown(struct vctx *c, const char *noun,
                    const char *s, const char *hint, const char *listed)
{
	if (hint)
		complain(c, "unknown %s '%s'; did you mean '%s'?", noun, s, hint);
	else if (listed)
		complain(c, "unknown %s '%s' (%s)", noun, s, listed);
	else
		complain(c, "unknown %s '%s'", noun, s);
}

/* ---- the verdicts, one home for both readers ------------------------------ */

/* Kosovo has no ISO 3166-2 regions; XK-<code> is accepted as the EU does. */
static bool code_ok(enum ip_codeset set, const char *s)
{
	size_t n;
	return ip_code_known(set, s) ||
	       (set == IP_CODES_REGION && !strncmp(s, "XK-", 3) && (n = strlen(s)) > 3 && n <= 6);
}

static bool visible_ok(const struct ip_field *f, const char *s)
{
	uint32_t cp;
	return f->flags & IP_FREE_TEXT || !ip_invisible_find(s, false, &cp);
}

static bool past_ok(const struct ip_field *f, const char *s, const char *today)
{
	return !(f->flags & IP_PAST) || strncmp(s, today, 10) <= 0;
}

bool ip_schema_text_ok(const struct ip_field *f, const char *s, const char *today)
{
	if (!*s)
		return false;
	switch (f->type) {
	case IP_T_DATE: return ip_date_valid(s) && past_ok(f, s, today);
	case IP_T_DATETIME: return ip_datetime_valid(s) && past_ok(f, s, today);
	case IP_T_DUE: return ip_date_valid(s) || ip_due_relative_valid(s);
	case IP_T_ENUM: return ip_vocab_has(f->vocab, s);
	case IP_T_PROGRAMME: return ip_programme_known(s);
	case IP_T_COUNTRY: return code_ok(IP_CODES_COUNTRY, s);
	case IP_T_REGION: return code_ok(IP_CODES_REGION, s);
	case IP_T_LANGUAGE: return code_ok(IP_CODES_LANGUAGE, s);
	case IP_T_CURRENCY: return code_ok(IP_CODES_CURRENCY, s);
	case IP_T_CASE_ID: return ip_case_id_valid(s);
	case IP_T_CENTRE_ID: return ip_centre_id_valid(s);
	case IP_T_REFERRAL_ID: return ip_referral_id_valid(s);
	case IP_T_CONST: return !strcmp(s, f->vocab);
	case IP_T_STRING: return visible_ok(f, s);
	default: return true;
	}
}

bool ip_schema_scalar_ok(const struct ip_field *f, const struct ip_plain *v)
{
	bool number = v->kind == IP_PLAIN_INT || v->kind == IP_PLAIN_FLOAT;
	double d = v->kind == IP_PLAIN_INT ? (double)v->i : v->d;
	switch (f->type) {
	case IP_T_YEARS: return v->kind == IP_PLAIN_INT && v->i >= 0 && v->i <= 100;
	case IP_T_AMOUNT: return number && d >= 0 && d <= 1e6;
	case IP_T_SCORE: return number && d >= 0 && d <= 1;
	case IP_T_BOOLEAN: return v->kind == IP_PLAIN_BOOL;
	case IP_T_COUNT: return v->kind == IP_PLAIN_INT && v->i >= 0;
	default: return false;
	}
}

/* A jansson scalar as the reader resolved it. */
static struct ip_plain plain_of(const json_t *v)
{
	struct ip_plain p = {IP_PLAIN_STRING, false, 0, 0, NULL};
	if (json_is_integer(v))
		p = (struct ip_plain){IP_PLAIN_INT, false, (long long)json_integer_value(v), 0, NULL};
	else if (json_is_real(v))
		p = (struct ip_plain){IP_PLAIN_FLOAT, false, 0, json_real_value(v), NULL};
	else if (json_is_boolean(v))
		p = (struct ip_plain){IP_PLAIN_BOOL, json_is_true(v), 0, 0, NULL};
	else if (json_is_null(v))
		p.kind = IP_PLAIN_NULL;
	return p;
}

/* ---- the messages --------------------------------------------------------- */

/* An unknown code, with the upper- (lower-, for languages) case one as a
 * did-you-mean when that is known. */
static void bad_code(struct vctx *c, enum ip_codeset set, const char *s)
{
	char upper[16];
	size_t n = strlen(s);
	if (n < sizeof upper) {
		for (size_t i = 0; i <= n; i++)
			upper[i] = (char)(set == IP_CODES_LANGUAGE
			                  ? (s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i])
			                  : (s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]));
		if (strcmp(upper, s) && ip_code_known(set, upper)) {
			unknown(c, ip_codeset_noun(set), s, upper, NULL);
			return;
		}
	}
	unknown(c, ip_codeset_noun(set), s, NULL, NULL);
}

/* A name, an id or any one-line value with a character no one sees would
 * look like another (a zero-width space defeats the repeat-return check)
 * or reorder what a reader sees: refused, shown escaped. Free text keeps
 * whatever it holds. */
static void invisible(struct vctx *c, const char *s)
{
	uint32_t cp;
	char esc[12];
	ip_invisible_find(s, false, &cp);
	ip_visible_escape(cp, esc);
	complain(c, "holds an invisible or control character (%s): only free text "
	        "(notes) may", esc);
}

/* What happened cannot have happened after today (a typo of the year, a
 * clock set wrong); a day planned may lie ahead. */
static void after_today(struct vctx *c, const char *s)
{
	complain(c, "%.10s is after today (%s): what happened cannot be dated ahead",
	        s, c->today);
}

/* Text that ip_schema_text_ok refused: say why. */
static void check_text(struct vctx *c, const struct ip_field *f, const char *s)
{
	char listed[64];
	if (ip_schema_text_ok(f, s, c->today))
		return;
	if (!*s) {
		if (f->flags & IP_REQUIRED)
			complain(c, "empty value (the field is required)");
		else
			complain(c, "empty value (leave the field out instead)");
		return;
	}
	switch (f->type) {
	case IP_T_DATE:
		if (!ip_date_valid(s))
			complain(c, "'%s' is not a valid date (YYYY-MM-DD)", s);
		else
			after_today(c, s);
		break;
	case IP_T_DATETIME:
		if (!ip_datetime_valid(s))
			complain(c, "'%s' is not a valid UTC time "
			        "(YYYY-MM-DDTHH:MM:SSZ)", s);
		else
			after_today(c, s);
		break;
	case IP_T_DUE:
		complain(c, "'%s' is not a date or a relative due date "
		        "(like departure+60d, arrival+3m)", s);
		break;
	case IP_T_ENUM:
		snprintf(listed, sizeof listed, _("see ip-intake --list %s"), f->vocab);
		unknown(c, f->vocab, s, ip_vocab_suggest(f->vocab, s), listed);
		break;
	case IP_T_PROGRAMME:
		unknown(c, _("programme"), s, ip_programme_suggest(s), _("see programmes.yaml"));
		break;
	case IP_T_COUNTRY: bad_code(c, IP_CODES_COUNTRY, s); break;
	case IP_T_REGION: bad_code(c, IP_CODES_REGION, s); break;
	case IP_T_LANGUAGE: bad_code(c, IP_CODES_LANGUAGE, s); break;
	case IP_T_CURRENCY: bad_code(c, IP_CODES_CURRENCY, s); break;
	case IP_T_CASE_ID:
		complain(c, "'%s' is not a valid case id "
		        "(centre, year and five code characters, like BY-MUC-2026-7K3Q9)", s);
		break;
	case IP_T_CENTRE_ID:
		complain(c, "'%s' is not a valid centre id (A-Z, 0-9 and '-', like "
		        "BY-MUC)", s);
		break;
	case IP_T_REFERRAL_ID:
		complain(c, "'%s' is not a valid referral id (centre, R and eight code "
		        "characters, like BY-MUC-R-7K3Q9ABX)", s);
		break;
	case IP_T_CONST:
		complain(c, "unsupported value '%s' (expected '%s')", s, f->vocab);
		break;
	case IP_T_STRING:
		invisible(c, s);
		break;
	default:
		break;
	}
}

static json_t *check_value(struct vctx *c, const struct ip_field *f, json_t *v);

/* What an item is known by in a list whose items must differ. */
static const char *item_key(const json_t *item)
{
	return json_is_object(item) ? json_string_value(json_object_get(item, "id"))
	                            : json_string_value(item);
}

/* Item i of list v against those before it, where the list's order or
 * uniqueness matters (a site's share/ files: age bands that do not ascend
 * or an id given twice would give wrong reports, not an error). */
static void check_order(struct vctx *c, const struct ip_field *f, const json_t *v,
                        size_t i)
{
	const json_t *item = json_array_get(v, i);
	if (f->flags & IP_ASCENDING && i > 0 && json_is_number(item) &&
	    json_is_number(json_array_get(v, i - 1)) &&
	    json_number_value(item) <= json_number_value(json_array_get(v, i - 1)))
		complain(c, "not larger than the one before: the list must ascend");
	const char *key = f->flags & IP_UNIQUE ? item_key(item) : NULL;
	for (size_t j = 0; key && j < i; j++) {
		const char *other = item_key(json_array_get(v, j));
		if (other && !strcmp(other, key)) {
			complain(c, "'%s' is here twice (first as item %zu)", key, j);
			break;
		}
	}
}

static void check_object(struct vctx *c, const struct ip_field *f, json_t *obj)
{
	const char *key;
	json_t *val;
	void *tmp;
	json_object_foreach_safe(obj, tmp, key, val) {
		size_t mark = enter_key(c, key);
		const struct ip_field *cf = child_field(f, key, strlen(key));
		if (!strncmp(key, "x-", 2)) {
			/* extension keys are kept untouched */
		} else if (!cf) {
			const char *names[64];
			size_t n = 0;
			for (const struct ip_field *k = f->fields; k->name && n < 64; k++)
				names[n++] = k->name;
			const char *hint = ip_nearest(key, names, n);
			if (hint)
				complain(c, "unknown field '%s'; did you mean '%s'?", key, hint);
			else
				complain(c, "unknown field '%s' (extension fields start "
				        "with 'x-')", key);
		} else {
			json_t *nv = check_value(c, cf, val);
			if (nv != val)
				json_object_set_new(obj, key, nv);
		}
		leave(c, mark);
	}
	for (const struct ip_field *k = f->fields; k->name && !c->partial; k++) {
		if ((k->flags & IP_REQUIRED) && !json_object_get(obj, k->name)) {
			struct ip_where w = ip_doc_where(c->doc, c->path.s);
			size_t mark = enter_key(c, k->name);
			w.path = c->path.s;
			ip_error(&w, "missing required field '%s'", k->name);
			c->problems++;
			leave(c, mark);
		}
	}
}

/* Check v against f; returns v, or a string that replaces it when a plain
 * scalar in a text field is taken literally. */
static void check_counts(struct vctx *c, const json_t *v)
{
	static const struct ip_field count = {"", IP_T_COUNT, 0, NULL, NULL, NULL};
	if (!json_is_object(v)) {
		complain(c, "expected a mapping of counts, found %s", json_noun(v));
		return;
	}
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)v, key, val) {
		size_t mark = enter_key(c, key);
		if (json_is_object(val))
			check_counts(c, val);
		else
			check_value(c, &count, val);
		leave(c, mark);
	}
}

/* A scalar that ip_schema_scalar_ok refused: say why. */
static void bad_scalar(struct vctx *c, const struct ip_field *f, const json_t *v)
{
	switch (f->type) {
	case IP_T_YEARS:
		if (!json_is_integer(v))
			complain(c, "expected a whole number, found %s", json_noun(v));
		else
			complain(c, "%lld is out of range (0 to 100)",
			        (long long)json_integer_value(v));
		break;
	case IP_T_AMOUNT:
		if (!json_is_number(v))
			complain(c, "expected an amount, found %s", json_noun(v));
		else
			amount_out_of_range(c, json_number_value(v));
		break;
	case IP_T_SCORE:
		if (!json_is_number(v))
			complain(c, "expected a score, found %s", json_noun(v));
		else
			complain(c, "score %g is out of range (0 to 1)", json_number_value(v));
		break;
	case IP_T_BOOLEAN:
		complain(c, "expected true or false, found %s", json_noun(v));
		break;
	default:
		complain(c, "expected a count (a whole number, 0 or more)");
		break;
	}
}

static json_t *check_value(struct vctx *c, const struct ip_field *f, json_t *v)
{
	if (json_is_null(v)) {
		if (f->flags & IP_REQUIRED)
			complain(c, "missing value (expected %s)", ip_type_noun(f));
		return v;
	}
	if (is_texty(f->type) && !json_is_string(v)) {
		const char *text = ip_doc_plain_text(c->doc, c->path.s);
		if (!text) {
			complain(c, "expected %s, found %s", ip_type_noun(f), json_noun(v));
			return v;
		}
		v = json_string(text);
		check_text(c, f, text);
		return v;
	}
	switch (f->type) {
	case IP_T_OBJECT:
		if (!json_is_object(v)) {
			complain(c, "expected a mapping, found %s", json_noun(v));
			break;
		}
		c->partial += (f->flags & IP_PARTIAL) != 0;
		check_object(c, f, v);
		c->partial -= (f->flags & IP_PARTIAL) != 0;
		break;
	case IP_T_ARRAY:
		if (!json_is_array(v)) {
			complain(c, "expected a list, found %s", json_noun(v));
			break;
		}
		if ((f->flags & IP_REQUIRED) && !c->partial && json_array_size(v) == 0)
			complain(c, "empty list (at least one entry is required)");
		for (size_t i = 0; i < json_array_size(v); i++) {
			size_t mark = enter_index(c, i);
			json_t *item = json_array_get(v, i);
			/* an item is never optional: a null one says nothing */
			json_t *nv = item;
			if (json_is_null(item))
				complain(c, "missing value (expected %s)", ip_type_noun(f->item));
			else
				nv = check_value(c, f->item, item);
			if (nv != item)
				json_array_set_new(v, i, nv);
			check_order(c, f, v, i);
			leave(c, mark);
		}
		break;
	case IP_T_YEARS:
	case IP_T_AMOUNT:
	case IP_T_SCORE:
	case IP_T_BOOLEAN:
	case IP_T_COUNT: {
		struct ip_plain p = plain_of(v);
		if (!ip_schema_scalar_ok(f, &p))
			bad_scalar(c, f, v);
		break;
	}
	case IP_T_COUNTS:
		check_counts(c, v);
		break;
	default:
		check_text(c, f, json_string_value(v));
		break;
	}
	return v;
}

static void start(struct vctx *c, struct ip_doc *doc, const char *path)
{
	*c = (struct vctx){.doc = doc};
	ip_date_str(ip_now(), c->today);
	ip_buf_puts(&c->path, path);
}

int ip_validate(struct ip_doc *doc, const struct ip_field *schema, const char *what)
{
	struct vctx c;
	start(&c, doc, "");
	if (!json_is_object(doc->root))
		complain(&c, "expected %s (a mapping), found %s", _(what), json_noun(doc->root));
	else
		check_object(&c, schema, doc->root);
	ip_buf_free(&c.path);
	return c.problems;
}

int ip_field_validate(const char *path, json_t **v, const struct ip_where *w)
{
	const struct ip_field *f = ip_schema_lookup(path);
	if (!f)
		return 0;
	if (f->type == IP_T_ARRAY && !json_is_array(*v))
		f = f->item;
	/* A document of one value, placed where the caller says. */
	struct ip_doc doc = {(char *)w->file, *v, NULL, w->line, w->col};
	struct vctx c;
	start(&c, &doc, w->path ? w->path : "");
	json_t *nv = check_value(&c, f, *v);
	if (nv != *v) {
		json_decref(*v);
		*v = nv;
	}
	ip_buf_free(&c.path);
	return c.problems;
}

/* ---- canonical order ---------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *ip_canonical(const json_t *v, const struct ip_field *f)
{
	if (json_is_array(v)) {
		json_t *out = json_array();
		size_t i;
		json_t *item;
		json_array_foreach((json_t *)v, i, item)
			json_array_append_new(out, ip_canonical(item, f && f->type == IP_T_ARRAY
			                                               ? f->item : NULL));
		return out;
	}
	if (!json_is_object(v))
		return json_incref((json_t *)v);
	json_t *out = json_object();
	if (!f || f->type != IP_T_OBJECT) {
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)v, key, val)
			json_object_set_new(out, key, ip_canonical(val, NULL));
		return out;
	}
	for (const struct ip_field *k = f->fields; k->name; k++) {
		json_t *val = json_object_get(v, k->name);
		if (val)
			json_object_set_new(out, k->name, ip_canonical(val, k));
	}
	/* Then every other key (x- extensions), in byte order. */
	size_t n = json_object_size(v), k = 0;
	const char **rest = ip_xcalloc(n, sizeof *rest);
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)v, key, val)
		if (!json_object_get(out, key))
			rest[k++] = key;
	qsort(rest, k, sizeof *rest, cmp_str);
	for (size_t i = 0; i < k; i++)
		json_object_set_new(out, rest[i], ip_canonical(json_object_get(v, rest[i]), NULL));
	free(rest);
	return out;
}

int ip_load_checked(const char *path, const struct ip_field *schema, const char *what,
                    const struct ip_limits *lim, json_t **out)
{
	return ip_load_checked_more(path, schema, what, lim, NULL, NULL, out);
}

int ip_load_checked_more(const char *path, const struct ip_field *schema, const char *what,
                         const struct ip_limits *lim,
                         int (*more)(const struct ip_doc *doc, void *ctx), void *ctx,
                         json_t **out)
{
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_AUTO, lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "expected %s, found %zu documents",
		         _(what), docs.n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc) {
		bool bad = ip_validate(&docs.v[0], schema, what);
		if ((more && more(&docs.v[0], ctx)) || bad)
			rc = IP_EXIT_DATAERR;
	}
	if (!rc)
		*out = json_incref(docs.v[0].root);
	ip_docs_free(&docs);
	return rc;
}
