/* ip_survey.h — follow-up surveys as data (share/integplan/surveys/NAME.yaml)
 * and the scores of a person's answers.
 *
 * A survey has dimensions (economic, social, psychosocial) and questions,
 * each in one dimension; every answer of a question may carry a score from
 * 0 to 1 (an answer without one, like "no children of school age", counts
 * for nothing) and a flag. Scores, as the library works them out:
 *
 *   dimension  the weighted mean of the scores of its answered questions
 *              (a question's weight is 1 unless the survey says otherwise)
 *   composite  the weighted mean of the dimensions' scores, when every
 *              dimension has one
 *
 * each rounded to two decimals. A composite below the survey's flag_below
 * flags the case ("low-composite"), as does an answer with a flag
 * ("remigration"); a composite at or above its threshold counts as a
 * sustainable reintegration.
 *
 * Layer: domain. */
#ifndef IP_SURVEY_H
#define IP_SURVEY_H

#include <jansson.h>

#include "ip_doc.h"

/* The survey NAME, checked (its schema, then its questions against its
 * dimensions, with positions). 0 with *out set; 64 for a name there is no
 * survey of, 65 for a bad definition. */
int ip_survey_load(const char *name, const struct ip_limits *lim, json_t **out);

/* The answers at path, one document: YAML or JSON, or, for a name ending
 * in .csv, a one-case CSV row (a header of question ids, one row of answer
 * ids; an empty cell is a question not asked) in any encoding ip_text
 * reads, whose problems are reported at its line. 0 with out set, else
 * 65, 66 or 74 with the problem reported. */
int ip_survey_answers_load(const char *path, const struct ip_limits *lim,
                           struct ip_docs *out);

/* A person's answers (answers: a mapping of question ids to answer ids, as
 * read) to survey, taken on date by by: the record a case keeps, with the
 * answers in the survey's order, the scores and flags. 0 with *record set,
 * else 65 with every problem of the answers reported at its position. */
int ip_survey_take(const json_t *survey, const struct ip_doc *answers, const char *date,
                   const char *by, json_t **record);

#endif
