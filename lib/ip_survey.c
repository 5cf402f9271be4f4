#include "ip_survey.h"
#include "ip_buf.h"
#include "ip_csv.h"
#include "ip_text.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_mem.h"
#include "ip_schema.h"
#include "ip_defdir.h"
#include "ip_share.h"
#include "ip_vocab.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- the definition ------------------------------------------------------ */

/* "a, b, c": the ids of a list, for a message. */
static char *ids_of(const json_t *list)
{
	struct ip_buf b = {0};
	size_t i;
	json_t *item;
	ip_buf_add(&b, "", 0);
	json_array_foreach(list, i, item)
		ip_buf_printf(&b, "%s%s", i ? ", " : "", ip_str(item, "id"));
	return b.s;
}

static double weight_of(const json_t *item)
{
	const json_t *w = json_object_get(item, "weight");
	return w ? json_number_value(w) : 1.0;
}

/* A weight of 0 would divide by nothing: leave the entry out instead. */
static void check_weight(const struct ip_doc *doc, int *problems, const json_t *item,
                         const char *path)
{
	const json_t *w = json_object_get(item, "weight");
	if (w && json_number_value(w) <= 0) {
		char *at = ip_path_key(path, "weight");
		ip_doc_problem(doc, problems, at, "a weight must be more than 0");
		free(at);
	}
}

static bool flag_name_valid(const char *s)
{
	return *s && s[strspn(s, "abcdefghijklmnopqrstuvwxyz-")] == '\0';
}

static void check_answers(const struct ip_doc *doc, int *problems, const json_t *q,
                          const char *path)
{
	bool scored = false;
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(q, "answers"), i, a) {
		scored = scored || json_object_get(a, "score");
		const char *flag = ip_str(a, "flag");
		if (flag && !flag_name_valid(flag)) {
			char *at = ip_xasprintf("%s.answers[%zu].flag", path, i);
			ip_doc_problem(doc, problems, at, "'%s' is not a flag name (a-z and '-', "
			               "like remigration)", flag);
			free(at);
		}
	}
	if (!scored) {
		char *at = ip_path_key(path, "answers");
		ip_doc_problem(doc, problems, at, "no answer has a score: the question would "
		               "never count");
		free(at);
	}
}

/* What the schema cannot say: the survey is the file it is in, each
 * question in a dimension the survey has, each dimension asked about. */
static int check_definition(const struct ip_doc *doc, const char *name)
{
	const json_t *s = doc->root;
	const json_t *dims = json_object_get(s, "dimensions");
	int problems = 0;
	if (strcmp(ip_str(s, "id"), name))
		ip_doc_problem(doc, &problems, "id", "the survey in %s.yaml must have the id '%s'",
		               name, name);
	size_t i;
	json_t *d, *q;
	json_array_foreach(dims, i, d) {
		char *at = ip_path_index("dimensions", i);
		check_weight(doc, &problems, d, at);
		bool asked = false;
		size_t k;
		json_array_foreach(json_object_get(s, "questions"), k, q)
			asked = asked || !strcmp(ip_str(q, "dimension"), ip_str(d, "id"));
		if (!asked)
			ip_doc_problem(doc, &problems, at, "no question in dimension '%s'",
			               ip_str(d, "id"));
		free(at);
	}
	json_array_foreach(json_object_get(s, "questions"), i, q) {
		char *at = ip_path_index("questions", i);
		if (!ip_find_id(dims, ip_str(q, "dimension"))) {
			char *known = ids_of(dims);
			char *field = ip_path_key(at, "dimension");
			ip_doc_problem(doc, &problems, field, "unknown dimension '%s' (the survey's "
			               "dimensions: %s)", ip_str(q, "dimension"), known);
			free(field);
			free(known);
		}
		check_weight(doc, &problems, q, at);
		check_answers(doc, &problems, q, at);
		free(at);
	}
	const json_t *flag_below = json_object_get(s, "flag_below");
	if (flag_below && json_number_value(flag_below) >
	                  json_number_value(json_object_get(s, "threshold")))
		ip_doc_problem(doc, &problems, "flag_below", "flag_below is above the threshold "
		               "of a sustainable reintegration");
	return problems;
}

int ip_survey_load(const char *name, const struct ip_limits *lim, json_t **out)
{
	char *dir = ip_share_path("surveys");
	char *path = ip_xasprintf("%s/%s.yaml", dir, name);
	int rc = IP_EXIT_OK;
	if (!ip_defdir_name_plain(name) || access(path, F_OK) != 0)
		rc = ip_defdir_unknown(name, dir, N_("no survey '%s'; did you mean '%s'?"),
		                      N_("no survey '%s' (there are: %s)"));
	struct ip_docs docs = {0};
	if (!rc)
		rc = ip_docs_load(path, IP_SYNTAX_YAML, lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "a survey is one document; found "
		         "%zu", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && (ip_validate(&docs.v[0], &ip_survey_schema, N_("a survey")) ||
	            check_definition(&docs.v[0], name)))
		rc = IP_EXIT_DATAERR;
	if (!rc)
		*out = json_incref(docs.v[0].root);
	ip_docs_free(&docs);
	free(path);
	free(dir);
	return rc;
}

/* ---- answers and scores ---------------------------------------------------- */

/* Two decimals, half up: what a case keeps and a report counts. */
static double two_decimals(double x)
{
	return floor(x * 100 + 0.5 + 1e-9) / 100;
}

/* The answer given to question q, checked: its option, or NULL with the
 * problem reported. */
static const json_t *option_of(const struct ip_doc *doc, int *problems, const json_t *q,
                               const char *key, const json_t *given)
{
	const char *text = json_is_string(given) ? json_string_value(given)
	                 : ip_doc_plain_text(doc, key);
	if (!text) {
		ip_doc_problem(doc, problems, key, "expected the id of an answer");
		return NULL;
	}
	const json_t *answers = json_object_get(q, "answers");
	const json_t *option = ip_find_id(answers, text);
	if (!option) {
		char *known = ids_of(answers);
		ip_doc_problem(doc, problems, key, "unknown answer '%s' (one of: %s)", text, known);
		free(known);
	}
	return option;
}

/* Each question's option as given, by the question's index; problems
 * reported for unknown questions and answers. */
static int read_answers(const json_t *survey, const struct ip_doc *doc,
                        const json_t **chosen)
{
	const json_t *questions = json_object_get(survey, "questions");
	int problems = 0;
	if (!json_is_object(doc->root) || !json_object_size(doc->root)) {
		ip_doc_problem(doc, &problems, "", "expected the answers: a mapping of question "
		               "ids to answer ids");
		return problems;
	}
	const char *key;
	json_t *given;
	json_object_foreach(doc->root, key, given) {
		size_t i;
		json_t *q;
		bool found = false;
		json_array_foreach(questions, i, q) {
			if (strcmp(ip_str(q, "id"), key))
				continue;
			found = true;
			chosen[i] = option_of(doc, &problems, q, key, given);
		}
		if (found)
			continue;
		struct ip_where w = ip_doc_where(doc, key);
		w.path = key;
		ip_unknown_id(&w, N_("unknown question"), key, questions, N_("the survey"));
		problems++;
	}
	return problems;
}

/* Each dimension's score and the composite, into record. */
static void score(const json_t *survey, const json_t *const *chosen, json_t *record)
{
	const json_t *questions = json_object_get(survey, "questions");
	json_t *scores = json_array();
	double sum = 0, weights = 0;
	bool every_dimension = true;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(survey, "dimensions"), i, d) {
		double got = 0, of = 0;
		size_t k;
		json_t *q;
		json_array_foreach(questions, k, q) {
			const json_t *s = chosen[k] ? json_object_get(chosen[k], "score") : NULL;
			if (!s || strcmp(ip_str(q, "dimension"), ip_str(d, "id")))
				continue;
			got += weight_of(q) * json_number_value(s);
			of += weight_of(q);
		}
		every_dimension = every_dimension && of > 0;
		if (of <= 0)
			continue;
		json_array_append_new(scores, json_pack("{s:s, s:f}", "dimension", ip_str(d, "id"),
		                                        "score", two_decimals(got / of)));
		sum += weight_of(d) * got / of;
		weights += weight_of(d);
	}
	if (json_array_size(scores))
		json_object_set_new(record, "scores", scores);
	else
		json_decref(scores);
	if (every_dimension)
		json_object_set_new(record, "composite", json_real(two_decimals(sum / weights)));
}

/* The flags of the answers, then a composite below the survey's flag. */
static void flag(const json_t *survey, const json_t *const *chosen, json_t *record)
{
	json_t *flags = json_array();
	size_t n = json_array_size(json_object_get(survey, "questions"));
	for (size_t i = 0; i < n; i++) {
		const char *f = chosen[i] ? ip_str(chosen[i], "flag") : NULL;
		bool had = false;
		size_t k;
		json_t *x;
		json_array_foreach(flags, k, x)
			had = had || (f && !strcmp(json_string_value(x), f));
		if (f && !had)
			json_array_append_new(flags, json_string(f));
	}
	const json_t *below = json_object_get(survey, "flag_below");
	const json_t *composite = json_object_get(record, "composite");
	if (below && composite && json_number_value(composite) < json_number_value(below))
		json_array_append_new(flags, json_string("low-composite"));
	if (json_array_size(flags))
		json_object_set_new(record, "flags", flags);
	else
		json_decref(flags);
}

int ip_survey_take(const json_t *survey, const struct ip_doc *answers, const char *date,
                   const char *by, json_t **record)
{
	const json_t *questions = json_object_get(survey, "questions");
	size_t n = json_array_size(questions);
	const json_t **chosen = ip_xcalloc(n ? n : 1, sizeof *chosen);
	if (read_answers(survey, answers, chosen)) {
		free(chosen);
		return IP_EXIT_DATAERR;
	}
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		if (chosen[i])
			json_array_append_new(list, json_pack("{s:s, s:s}", "question",
			                      ip_str(json_array_get(questions, i), "id"), "answer",
			                      ip_str(chosen[i], "id")));
	*record = json_pack("{s:s, s:s, s:s, s:o}", "id", ip_str(survey, "id"), "date", date,
	                    "by", by, "answers", list);
	score(survey, chosen, *record);
	flag(survey, chosen, *record);
	free(chosen);
	return IP_EXIT_OK;
}

/* ---- answers as a one-case CSV row -------------------------------------- */

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcasecmp(s + n - t, tail);
}

/* A spreadsheet's cell without the blanks around it. */
static char *trimmed(const char *s)
{
	s += strspn(s, " \t");
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return ip_xasprintf("%.*s", (int)n, s);
}

/* The header of question ids and the one row of answers, as the mapping
 * the answers are; problems reported at their lines. An empty cell is a
 * question not asked. */
static int answers_of_rows(const char *name, const char *text, size_t len, json_t *answers,
                           int *line)
{
	struct ip_csv csv;
	struct ip_csv_record header = {0}, row = {0}, extra = {0};
	ip_csv_init(&csv, text, len);
	csv.separator = ip_csv_sniff(text, len);
	int problems = 0;
	if (ip_csv_next(&csv, &header) != 1 || ip_csv_next(&csv, &row) != 1) {
		ip_error(&(struct ip_where){name, csv.line, 0, NULL}, "expected a header of "
		         "question ids and one row of answers");
		problems++;
	} else if (ip_csv_next(&csv, &extra) != 0) {
		ip_error(&(struct ip_where){name, extra.line ? extra.line : csv.line, 0, NULL},
		         "the answers of one survey are one row; this is a second");
		problems++;
	} else if (row.n > header.n) {
		ip_error(&(struct ip_where){name, row.line, 0, NULL}, "%zu answers for %zu "
		         "questions in the header", row.n, header.n);
		problems++;
	}
	for (size_t i = 0; !problems && i < row.n; i++) {
		char *question = trimmed(header.fields[i]), *answer = trimmed(row.fields[i]);
		if (json_object_get(answers, question)) {
			ip_error(&(struct ip_where){name, header.line, 0, question}, "the question is "
			         "in the header twice");
			problems++;
		} else if (*answer) {
			json_object_set_new(answers, question, json_string(answer));
		}
		free(question);
		free(answer);
	}
	*line = row.line;
	ip_csv_record_free(&header);
	ip_csv_record_free(&row);
	ip_csv_record_free(&extra);
	return problems;
}

int ip_survey_answers_load(const char *path, const struct ip_limits *lim,
                           struct ip_docs *out)
{
	*out = (struct ip_docs){0};
	if (!ends_with(path, ".csv")) {
		int rc = ip_docs_load(path, IP_SYNTAX_AUTO, lim, out);
		if (!rc && out->n != 1) {
			ip_error(&(struct ip_where){path, 0, 0, NULL}, "the answers are one document; "
			         "found %zu", out->n);
			ip_docs_free(out);
			rc = IP_EXIT_DATAERR;
		}
		return rc;
	}
	char *buf = NULL;
	size_t len = 0;
	int rc = ip_read_all(path, lim->max_bytes, &buf, &len);
	struct ip_buf text = {0};
	const char *read_as;
	if (!rc)
		rc = ip_text_decode(path, buf, len, NULL, &text, &read_as);
	free(buf);
	if (rc) {
		ip_buf_free(&text);
		return rc;
	}
	json_t *answers = json_object();
	int line = 0;
	if (answers_of_rows(path, text.s ? text.s : "", text.len, answers, &line)) {
		ip_buf_free(&text);
		json_decref(answers);
		return IP_EXIT_DATAERR;
	}
	ip_buf_free(&text);
	out->v = ip_xcalloc(1, sizeof *out->v);
	out->v[0] = (struct ip_doc){ip_xstrdup(path), answers, NULL, line, 0};
	out->n = 1;
	return IP_EXIT_OK;
}
