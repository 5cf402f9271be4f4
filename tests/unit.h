/* What the unit tests share (tests/unit.c, tests/unit_domain.c). */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>

#include "ip_doc.h"

/* One TAP line: "ok N - what", or "not ok N - what". */
void ok(int cond, const char *what);
/* Parse YAML with its problems silenced; the status of ip_docs_parse. */
int unit_parse(const char *yaml, struct ip_docs *docs);
/* Silence standard error (true) for problems a test expects, or restore it. */
void unit_quiet(bool on);

void unit_domain_tests(void);

#endif
