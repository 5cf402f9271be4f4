/* doc_oracle.h — what must hold of any document the reader accepted: the
 * canonical writer's YAML and JSON of it read back as the same value. */
#ifndef DOC_ORACLE_H
#define DOC_ORACLE_H

#include <jansson.h>

/* Abort (so the fuzzer keeps the input) when v does not survive being
 * written as YAML and as JSON and read again. */
void fuzz_round_trip(const json_t *v);

#endif
