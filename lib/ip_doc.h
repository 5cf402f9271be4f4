/* ip_doc.h — one document model: YAML and JSON load into jansson values,
 * with the source position of every node kept by its field path.
 *
 * Layer: data. */
#ifndef IP_DOC_H
#define IP_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ip_diag.h"

struct ip_limits {
	size_t max_bytes;  /* larger files are refused */
	int max_depth;     /* deeper nesting is refused */
	size_t max_nodes;  /* nodes after alias expansion; stops alias bombs */
};
#define IP_LIMITS_DEFAULT {1u << 20, 64, 100000}

struct ip_posmap;

struct ip_doc {
	char *file;   /* name used in messages */
	json_t *root;
	/* Where each node starts, and the text of plain scalars that resolved
	 * to a non-string, so fields typed as strings can take it literally
	 * ("id: 0012" stays "0012"). NULL for a document built in memory: */
	struct ip_posmap *pos;
	int line, col; /* then every problem is reported here (0: nowhere) */
};

struct ip_docs {
	struct ip_doc *v;
	size_t n;
};

enum ip_syntax { IP_SYNTAX_AUTO, IP_SYNTAX_YAML, IP_SYNTAX_JSON };

/* Read a file ("-" is standard input) and parse every document in it.
 * Problems are reported on stderr; returns 0, 65 (bad data), 66 (no such
 * file) or 74 (read error). */
int ip_docs_load(const char *path, enum ip_syntax syntax,
                 const struct ip_limits *lim, struct ip_docs *out);
/* Parse a buffer already in memory; "file" names it in messages. */
int ip_docs_parse(const char *file, const char *buf, size_t len,
                  enum ip_syntax syntax, const struct ip_limits *lim,
                  struct ip_docs *out);
/* A writer never writes what readers refuse: 0 when a document of bytes
 * bytes (root, as it will be written to file) is within lim, else 65 with
 * the problem reported at its longest field or list. */
int ip_doc_fits(const char *file, const json_t *root, size_t bytes,
                const struct ip_limits *lim);

/* Read a whole file into memory, refusing files over max_bytes. */
int ip_read_all(const char *path, size_t max_bytes, char **buf, size_t *len);
void ip_docs_free(struct ip_docs *docs);
/* The same into the calling thread's scratch (ip_arena.h): freed with
 * ip_scratch_free or at ip_scratch_end. With mode non-NULL, *mode is the
 * permission bits of the file read (0 for standard input): told by the
 * descriptor it was read from, so a check of them looks the path up no
 * second time and sees the file read. */
int ip_read_scratch(const char *path, size_t max_bytes, char **buf, size_t *len,
                    unsigned *mode);
/* What messages call an input: its path, "<stdin>" for "-". */
const char *ip_input_name(const char *path);
/* What a file's text is read as: by its name's extension (.json, .yaml,
 * .yml), else JSON when it opens like a JSON object or list. */
enum ip_syntax ip_docs_sniff(const char *file, const char *buf, size_t len);

/* What a plain (unquoted, untagged) YAML scalar is under the YAML 1.2
 * core schema, the one home of that rule: null, a boolean (b), a whole
 * number (i), a number (d), text, or BAD: a number that cannot be
 * represented (why, marked N_). */
enum ip_plain_kind {
	IP_PLAIN_NULL, IP_PLAIN_BOOL, IP_PLAIN_INT, IP_PLAIN_FLOAT, IP_PLAIN_STRING,
	IP_PLAIN_BAD
};
struct ip_plain {
	enum ip_plain_kind kind;
	bool b;
	long long i;
	double d;
	const char *why;
};
struct ip_plain ip_yaml_plain(const char *s);

/* Where a field is: its own position, else its nearest ancestor's. */
struct ip_where ip_doc_where(const struct ip_doc *doc, const char *path);
/* The literal text of a plain scalar that did not resolve to a string. */
const char *ip_doc_plain_text(const struct ip_doc *doc, const char *path);

/* Report a problem at field path of doc, where the source has it (else
 * its nearest ancestor), and count it in *problems. fmt is translated. */
void ip_doc_problem(const struct ip_doc *doc, int *problems, const char *path,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A new array of list's items (the same values) in the order of cmp, which
 * compares two json_t * const *: qsort over a JSON array. */
json_t *ip_json_sorted(const json_t *list, int (*cmp)(const void *, const void *));

/* The text at key of obj, or NULL (obj NULL, no such key, or not text).
 * The one getter for a field of a mapping in hand. */
const char *ip_str(const json_t *obj, const char *key);

/* Field paths: "person.given", "household[0].sex". Caller frees. */
char *ip_path_key(const char *parent, const char *key);
char *ip_path_index(const char *parent, size_t index);

/* Check UTF-8 and refuse NUL; on failure set line and col of the bad byte. */
bool ip_utf8_valid(const char *s, size_t len, int *line, int *col);

/* Would this text, written as a plain YAML scalar, read back as the same
 * string under the core schema? (Only the resolution is judged here.) */
bool ip_yaml_resolves_to_string(const char *s);

#endif
