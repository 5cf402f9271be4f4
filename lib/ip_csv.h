/* ip_csv.h — RFC 4180 records: fields separated by commas (or the
 * semicolons of German Excel, or tabs), optionally in double quotes (""
 * is a quote; quoted fields may hold separators and line breaks), records
 * ending in LF or CRLF.
 *
 * Layer: data. */
#ifndef IP_CSV_H
#define IP_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct ip_csv {
	const char *p, *end;
	int line;          /* line where the next record starts */
	char separator;    /* ',' unless set after ip_csv_init */
};

struct ip_csv_record {
	char **fields;
	size_t n;
	int line;          /* line where this record starts */
};

void ip_csv_init(struct ip_csv *c, const char *buf, size_t len);
/* The separator of the first record: the most frequent of ',', ';' and
 * tab outside quotes (',' when none is there, or on a tie). */
char ip_csv_sniff(const char *buf, size_t len);
/* 1 with a record, 0 at the end, -1 on an unterminated quote (rec->line
 * says where the record began). Free the record with ip_csv_record_free. */
int ip_csv_next(struct ip_csv *c, struct ip_csv_record *rec);
void ip_csv_record_free(struct ip_csv_record *rec);

/* The items of a comma-separated list ("status,sex"), as strings (a new
 * array); NULL or "" gives an empty one. */
json_t *ip_csv_list(const char *s);

#endif
