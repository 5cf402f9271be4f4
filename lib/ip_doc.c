/* ip_doc.c — reading YAML (1.2 core schema, via libyaml events) and JSON
 * (via jansson) into one model, keeping a position for every node. */
#include "ip_doc.h"
#include "ip_arena.h"
#include "ip_exit.h"
#include "ip_buf.h"
#include "ip_i18n.h"
#include "ip_pos.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* ---- paths and positions ---------------------------------------------- */

char *ip_path_key(const char *parent, const char *key)
{
	if (!parent || !*parent)
		return ip_xstrdup(key);
	return ip_xasprintf("%s.%s", parent, key);
}

char *ip_path_index(const char *parent, size_t index)
{
	return ip_xasprintf("%s[%zu]", parent ? parent : "", index);
}

struct ip_where ip_doc_where(const struct ip_doc *doc, const char *path)
{
	struct ip_where w = {doc->file, doc->line, doc->col, path};
	if (doc->pos)
		ip_pos_find(doc->pos, doc->root, path, &w.line, &w.col, NULL);
	return w;
}

const char *ip_doc_plain_text(const struct ip_doc *doc, const char *path)
{
	const char *plain = NULL;
	int line, col;
	if (doc->pos)
		ip_pos_find(doc->pos, doc->root, path, &line, &col, &plain);
	return plain;
}

/* ---- encoding ----------------------------------------------------------- */

/* Length of the UTF-8 sequence at s, or 0 if it is not well formed
 * (overlong forms, surrogates and code points past U+10FFFF are not). */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	unsigned c = s[0];
	size_t n;
	unsigned min;
	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
	else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
	else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
	else return 0;
	if (left < n)
		return 0;
	unsigned cp = c & (0xFF >> (n + 1));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* Where the first byte is that is not well-formed UTF-8 (or is NUL); len
 * when there is none. Eight ASCII bytes at a time: most of a case is. */
static size_t utf8_bad_at(const unsigned char *p, size_t len)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;
	while (i < len) {
		uint64_t v;
		if (len - i >= 8 && (memcpy(&v, p + i, 8), !((v | ((v - ones) & ~v)) & highs))) {
			i += 8;  /* no byte with its high bit set, and none zero */
			continue;
		}
		size_t n = utf8_seq(p + i, len - i);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}

bool ip_utf8_valid(const char *s, size_t len, int *line, int *col)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t bad = utf8_bad_at(p, len);
	if (bad == len)
		return true;
	/* the position is counted only where there is a problem */
	int l = 1, c = 1;
	for (size_t i = 0; i < bad; i += utf8_seq(p + i, len - i)) {
		if (p[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
	return false;
}

/* ---- reading ------------------------------------------------------------ */

/* Where a file's bytes are kept: the heap, or the reading thread's scratch
 * (a case read among many: no allocation of its own). */
struct holder {
	void *(*grow)(void *, size_t);
	void (*release)(void *);
};

/* With mode non-NULL, *mode is the permission bits of the file read, as
 * its descriptor says (0 for standard input or when fstat fails). */
static int read_whole(const char *path, size_t max_bytes, const struct holder *h,
                      char **buf, size_t *len, unsigned *mode)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		ip_error(&(struct ip_where){name, 0, 0, NULL}, "cannot open: %s",
		         strerror(e));
		return e == ENOENT || e == ENOTDIR ? IP_EXIT_NOINPUT
		       : e == EACCES || e == EPERM ? IP_EXIT_NOPERM : IP_EXIT_IOERR;
	}
	struct stat st;
	if (mode)
		*mode = !is_stdin && fstat(fd, &st) == 0 ? (unsigned)st.st_mode & 07777 : 0;
	size_t cap = 8192, n = 0;
	char *b = h->grow(NULL, cap + 1);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			b = h->grow(b, cap + 1);
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			/* a directory is told by its read, not by a stat of
			 * every file read before it */
			bool is_dir = errno == EISDIR;
			if (is_dir)
				ip_error(&(struct ip_where){name, 0, 0, NULL}, "is a directory");
			else
				ip_error(&(struct ip_where){name, 0, 0, NULL},
				         "cannot read: %s", strerror(errno));
			h->release(b);
			if (!is_stdin)
				close(fd);
			return is_dir ? IP_EXIT_NOINPUT : IP_EXIT_IOERR;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max_bytes) {
			ip_error(&(struct ip_where){name, 0, 0, NULL},
			         "file is larger than the limit of %zu bytes "
			         "(raise it with --max-file-size)", max_bytes);
			h->release(b);
			if (!is_stdin)
				close(fd);
			return IP_EXIT_DATAERR;
		}
	}
	if (!is_stdin)
		close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return IP_EXIT_OK;
}

int ip_read_all(const char *path, size_t max_bytes, char **buf, size_t *len)
{
	static const struct holder heap = {ip_xrealloc, free};
	return read_whole(path, max_bytes, &heap, buf, len, NULL);
}

static void docs_push(struct ip_docs *out, const char *file, json_t *root,
                      struct ip_posmap *pos)
{
	out->v = ip_xrealloc(out->v, (out->n + 1) * sizeof *out->v);
	out->v[out->n++] = (struct ip_doc){ip_xstrdup(file), root, pos, 0, 0};
}

static void doc_free(struct ip_doc *doc)
{
	free(doc->file);
	json_decref(doc->root);
	ip_posmap_free(doc->pos);
	*doc = (struct ip_doc){0};
}

void ip_docs_free(struct ip_docs *docs)
{
	for (size_t i = 0; i < docs->n; i++)
		doc_free(&docs->v[i]);
	free(docs->v);
	*docs = (struct ip_docs){0};
}


/* ---- YAML 1.2 core schema ----------------------------------------------- */

/* Whether s is one or more digits of base 8, 10 or 16: compared in place,
 * as every plain scalar that begins with a digit (every date) is asked. */
static bool all_digits(const char *s, unsigned base)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned c = (unsigned char)*s;
		bool digit = c - '0' < (base < 10 ? base : 10) ||
		             (base == 16 && (c | 0x20) - 'a' < 6);
		if (!digit)
			return false;
	}
	return true;
}

/* Both look at the first character before comparing: most plain
 * scalars that get this far are dates and numbers. */
static bool is_core_null(const char *s)
{
	switch (*s) {
	case '\0': return true;
	case '~': return !s[1];
	case 'n': return !strcmp(s, "null");
	case 'N': return !strcmp(s, "Null") || !strcmp(s, "NULL");
	default: return false;
	}
}

static int core_bool(const char *s)
{
	switch (*s) {
	case 't': return !strcmp(s, "true") ? 1 : -1;
	case 'T': return !strcmp(s, "True") || !strcmp(s, "TRUE") ? 1 : -1;
	case 'f': return !strcmp(s, "false") ? 0 : -1;
	case 'F': return !strcmp(s, "False") || !strcmp(s, "FALSE") ? 0 : -1;
	default: return -1;
	}
}

static bool is_core_int(const char *s)
{
	if (s[0] == '0' && s[1] == 'o')
		return all_digits(s + 2, 8);
	if (s[0] == '0' && s[1] == 'x')
		return all_digits(s + 2, 16);
	if (*s == '-' || *s == '+')
		s++;
	return all_digits(s, 10);
}

static size_t digits(const char *s)
{
	size_t n = 0;
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_core_float(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	size_t whole = digits(s);
	s += whole;
	if (*s == '.') {
		size_t frac = digits(s + 1);
		if (!whole && !frac)
			return false;
		s += 1 + frac;
	} else if (!whole) {
		return false;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		size_t ex = digits(s);
		if (!ex)
			return false;
		s += ex;
	}
	return !*s;
}

static bool is_core_special_float(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	return *s == '.' && (!strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF") ||
	       !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"));
}

struct ip_plain ip_yaml_plain(const char *s)
{
	struct ip_plain v = {IP_PLAIN_STRING, false, 0, 0, NULL};
	int b;
	/* only these can begin anything but text: most scalars are words,
	 * told apart here without a call */
	static const bool may_not_be_text[256] = {
		['~'] = true, ['n'] = true, ['N'] = true, ['t'] = true, ['T'] = true,
		['f'] = true, ['F'] = true, ['0'] = true, ['1'] = true, ['2'] = true,
		['3'] = true, ['4'] = true, ['5'] = true, ['6'] = true, ['7'] = true,
		['8'] = true, ['9'] = true, ['+'] = true, ['-'] = true, ['.'] = true,
		['\0'] = true,
	};
	if (!may_not_be_text[(unsigned char)*s])
		return v;
	if (is_core_null(s)) {
		v.kind = IP_PLAIN_NULL;
	} else if ((b = core_bool(s)) >= 0) {
		v.kind = IP_PLAIN_BOOL;
		v.b = b;
	} else if (is_core_int(s)) {
		errno = 0;
		if (!strncmp(s, "0o", 2))
			v.i = strtoll(s + 2, NULL, 8);
		else if (!strncmp(s, "0x", 2))
			v.i = strtoll(s + 2, NULL, 16);
		else
			v.i = strtoll(s, NULL, 10);
		v.kind = errno == ERANGE ? IP_PLAIN_BAD : IP_PLAIN_INT;
		v.why = errno == ERANGE ? N_("integer is out of range") : NULL;
	} else if (is_core_float(s)) {
		v.d = strtod(s, NULL);
		v.kind = isfinite(v.d) ? IP_PLAIN_FLOAT : IP_PLAIN_BAD;
		v.why = isfinite(v.d) ? NULL : N_("number is out of range");
	} else if (is_core_special_float(s)) {
		v.kind = IP_PLAIN_BAD;
		v.why = N_("infinite and not-a-number values are not supported");
	}
	return v;
}

/* Resolve a plain scalar; NULL with *why set when it cannot be represented. */
static json_t *resolve_plain(const char *s, const char **why)
{
	struct ip_plain v = ip_yaml_plain(s);
	switch (v.kind) {
	case IP_PLAIN_NULL: return json_null();
	case IP_PLAIN_BOOL: return json_boolean(v.b);
	case IP_PLAIN_INT: return json_integer(v.i);
	case IP_PLAIN_FLOAT: return json_real(v.d);
	case IP_PLAIN_STRING: return json_string(s);
	case IP_PLAIN_BAD: break;
	}
	*why = v.why;
	return NULL;
}

#define CORE_TAG "tag:yaml.org,2002:"

/* Apply an explicit core tag to a scalar; NULL with *why on mismatch. */
static json_t *resolve_tagged(const char *tag, const char *s, const char **why)
{
	const char *t = tag + strlen(CORE_TAG);
	if (!strcmp(t, "str"))
		return json_string(s);
	json_t *v = resolve_plain(s, why); /* the tag decides, not the style */
	if (!v)
		return NULL;
	bool ok = (!strcmp(t, "null") && json_is_null(v)) ||
	          (!strcmp(t, "bool") && json_is_boolean(v)) ||
	          (!strcmp(t, "int") && json_is_integer(v)) ||
	          (!strcmp(t, "float") && json_is_number(v));
	if (!ok) {
		json_decref(v);
		*why = N_("value does not match its tag");
		return NULL;
	}
	if (!strcmp(t, "float") && json_is_integer(v)) {
		json_t *r = json_real((double)json_integer_value(v));
		json_decref(v);
		return r;
	}
	return v;
}

static bool tag_allowed(const char *tag, const char *const *kinds)
{
	if (!tag || !strcmp(tag, "!"))
		return true;
	if (strncmp(tag, CORE_TAG, strlen(CORE_TAG)))
		return false;
	for (; *kinds; kinds++)
		if (!strcmp(tag + strlen(CORE_TAG), *kinds))
			return true;
	return false;
}

struct yframe {
	json_t *node;          /* object or array being filled */
	struct ip_posrec *pos; /* where its children are */
	char *key;             /* mapping: key waiting for its value */
	char *anchor;
	size_t weight;         /* nodes below, aliases expanded */
};

struct yanchor {
	char *name;
	json_t *node;
	size_t weight;
};

struct yreader {
	const char *file;
	const struct ip_limits *lim;
	struct yframe *stack;
	int depth;
	struct yanchor *anchors;
	size_t nanchors;
	size_t nodes;
	bool aliased;           /* an alias was expanded */
	json_t *root;
	struct ip_posmap *pos;
	int errors;
};

/* The field path of the node being read, built from the open containers:
 * only needed when there is a problem to report. */
static char *current_path(const struct yreader *r)
{
	struct ip_buf b = {0};
	ip_buf_add(&b, "", 0);
	for (int i = 0; i < r->depth; i++) {
		const struct yframe *f = &r->stack[i];
		if (json_is_array(f->node)) {
			ip_buf_printf(&b, "[%zu]", json_array_size(f->node));
		} else if (f->key) {
			ip_buf_printf(&b, "%s%s", b.len ? "." : "", f->key);
		} else {
			break; /* at a key: the path is the mapping's */
		}
	}
	return b.s ? b.s : ip_xstrdup("");
}

static void yerr(struct yreader *r, const yaml_mark_t *m, const char *fmt,
                 const char *arg)
{
	char *path = current_path(r);
	struct ip_where w = {r->file, (int)m->line + 1, (int)m->column + 1, path};
	ip_error(&w, fmt, arg);
	free(path);
	r->errors++;
}

/* Record where a new node starts, in its container (or as the root). */
static void place(struct yreader *r, const yaml_mark_t *m, const char *plain)
{
	int line = (int)m->line + 1, col = (int)m->column + 1;
	if (r->depth == 0)
		ip_pos_root(r->pos, line, col, plain);
	else
		ip_pos_child(r->stack[r->depth - 1].pos, line, col, plain);
}

/* Attach a finished value to the open container (or make it the root). */
static void attach(struct yreader *r, json_t *v, size_t weight)
{
	r->nodes += weight;
	if (r->depth == 0) {
		r->root = v;
		return;
	}
	struct yframe *f = &r->stack[r->depth - 1];
	f->weight += weight;
	if (json_is_object(f->node)) {
		json_object_set_new(f->node, f->key, v);
		free(f->key);
		f->key = NULL;
	} else {
		json_array_append_new(f->node, v);
	}
}

static bool expecting_key(struct yreader *r)
{
	return r->depth > 0 && json_is_object(r->stack[r->depth - 1].node) &&
	       !r->stack[r->depth - 1].key;
}

static void anchor_add(struct yreader *r, const char *name, json_t *node,
                       size_t weight)
{
	/* A redefined anchor shadows the earlier one, as YAML says. */
	r->anchors = ip_xrealloc(r->anchors, (r->nanchors + 1) * sizeof *r->anchors);
	r->anchors[r->nanchors++] = (struct yanchor){ip_xstrdup(name),
	                                             json_incref(node), weight};
}

static const struct yanchor *anchor_find(struct yreader *r, const char *name)
{
	for (size_t i = r->nanchors; i-- > 0;)
		if (!strcmp(r->anchors[i].name, name))
			return &r->anchors[i];
	return NULL;
}

static void anchors_clear(struct yreader *r)
{
	for (size_t i = 0; i < r->nanchors; i++) {
		free(r->anchors[i].name);
		json_decref(r->anchors[i].node);
	}
	free(r->anchors);
	r->anchors = NULL;
	r->nanchors = 0;
}

static bool too_many_nodes(struct yreader *r, size_t more, const yaml_mark_t *m)
{
	if (r->nodes + more <= r->lim->max_nodes)
		return false;
	char lim[32];
	snprintf(lim, sizeof lim, "%zu", r->lim->max_nodes);
	/* only aliases make a small file expand; without them it is just large */
	if (r->aliased)
		yerr(r, m, "document expands to more than %s nodes (an alias bomb?)", lim);
	else
		yerr(r, m, "document has more than %s nodes (limits.max_nodes in the "
		     "repository's config)", lim);
	return true;
}

/* The index of a key among an object's keys, in document order. */
static size_t key_index(json_t *obj, const char *key)
{
	size_t i = 0;
	for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it), i++)
		if (!strcmp(json_object_iter_key(it), key))
			return i;
	return 0;
}

static void on_key(struct yreader *r, yaml_event_t *ev)
{
	struct yframe *f = &r->stack[r->depth - 1];
	const char *key = (const char *)ev->data.scalar.value;
	if (strlen(key) != ev->data.scalar.length) {
		yerr(r, &ev->start_mark, "key contains a NUL character%s", "");
		return;
	}
	if (json_object_get(f->node, key)) {
		int first = ip_pos_child_line(r->pos, f->node, key_index(f->node, key));
		f->key = ip_xstrdup(key); /* so that the path names it */
		char msg[64] = "";
		if (first)
			snprintf(msg, sizeof msg, _(" (first at line %d)"), first);
		char *text = ip_xasprintf(_("duplicate key '%s'%s"), key, msg);
		yerr(r, &ev->start_mark, "%s", text);
		free(text);
		return;
	}
	f->key = ip_xstrdup(key);
}

static void on_scalar(struct yreader *r, yaml_event_t *ev)
{
	static const char *const scalar_tags[] = {"str", "int", "float", "bool",
	                                          "null", NULL};
	const char *tag = (const char *)ev->data.scalar.tag;
	if (!tag_allowed(tag, scalar_tags)) {
		yerr(r, &ev->start_mark, "tag '%s' is not supported "
		     "(only the YAML core schema tags are)", tag);
		return;
	}
	if (expecting_key(r)) {
		on_key(r, ev);
		return;
	}
	const char *text = (const char *)ev->data.scalar.value;
	if (strlen(text) != ev->data.scalar.length) {
		yerr(r, &ev->start_mark, "value contains a NUL character%s", "");
		return;
	}
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	const char *why = N_("cannot read value");
	json_t *v;
	if (tag && strcmp(tag, "!"))
		v = resolve_tagged(tag, text, &why);
	else if (plain)
		v = resolve_plain(text, &why);
	else
		v = json_string(text); /* quoted and block scalars are strings */
	if (!v) {
		yerr(r, &ev->start_mark, "%s", _(why));
		return;
	}
	if (too_many_nodes(r, 1, &ev->start_mark)) {
		json_decref(v);
		return;
	}
	bool literal = plain && !json_is_string(v) && !json_is_null(v);
	place(r, &ev->start_mark, literal ? text : NULL);
	if (ev->data.scalar.anchor)
		anchor_add(r, (const char *)ev->data.scalar.anchor, v, 1);
	attach(r, v, 1);
}

static void on_start(struct yreader *r, yaml_event_t *ev, bool mapping)
{
	static const char *const map_tags[] = {"map", NULL};
	static const char *const seq_tags[] = {"seq", NULL};
	const char *tag = (const char *)(mapping ? ev->data.mapping_start.tag
	                                         : ev->data.sequence_start.tag);
	const char *anchor = (const char *)(mapping ? ev->data.mapping_start.anchor
	                                            : ev->data.sequence_start.anchor);
	if (expecting_key(r)) {
		yerr(r, &ev->start_mark, "%s keys are not supported "
		     "(keys must be plain text)", mapping ? "mapping" : "sequence");
	} else if (!tag_allowed(tag, mapping ? map_tags : seq_tags)) {
		yerr(r, &ev->start_mark, "tag '%s' is not supported "
		     "(only the YAML core schema tags are)", tag);
	} else if (r->depth >= r->lim->max_depth) {
		char lim[32];
		snprintf(lim, sizeof lim, "%d", r->lim->max_depth);
		struct ip_where w = {r->file, (int)ev->start_mark.line + 1,
		                     (int)ev->start_mark.column + 1, NULL};
		ip_error(&w, "nesting is deeper than the limit of %s levels", lim);
		r->errors++;
	}
	if (r->errors)
		return;
	place(r, &ev->start_mark, NULL);
	json_t *node = mapping ? json_object() : json_array();
	r->stack = ip_xrealloc(r->stack, (r->depth + 1) * sizeof *r->stack);
	r->stack[r->depth++] = (struct yframe){node, ip_pos_container(r->pos, node), NULL,
	                                       anchor ? ip_xstrdup(anchor) : NULL, 1};
}

static void on_end(struct yreader *r)
{
	struct yframe f = r->stack[--r->depth];
	if (f.anchor)
		anchor_add(r, f.anchor, f.node, f.weight);
	free(f.anchor);
	free(f.key);
	r->nodes -= f.weight - 1; /* children were counted as they came */
	attach(r, f.node, f.weight);
}

static void on_alias(struct yreader *r, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	if (expecting_key(r)) {
		yerr(r, &ev->start_mark, "aliases cannot be keys (*%s)", name);
		return;
	}
	for (int i = 0; i < r->depth; i++) {
		if (r->stack[i].anchor && !strcmp(r->stack[i].anchor, name)) {
			yerr(r, &ev->start_mark, "alias *%s refers to a node that contains it",
			     name);
			return;
		}
	}
	const struct yanchor *a = anchor_find(r, name);
	if (!a) {
		yerr(r, &ev->start_mark, "alias *%s has no anchor", name);
		return;
	}
	r->aliased = true;
	if (too_many_nodes(r, a->weight, &ev->start_mark))
		return;
	json_t *copy = json_deep_copy(a->node);
	if (!copy)
		ip_oom();
	place(r, &ev->start_mark, NULL);
	attach(r, copy, a->weight);
}

static void yreader_reset(struct yreader *r)
{
	while (r->depth > 0) {
		struct yframe *f = &r->stack[--r->depth];
		json_decref(f->node);
		free(f->key);
		free(f->anchor);
	}
	anchors_clear(r);
	json_decref(r->root);
	ip_posmap_free(r->pos);
	r->root = NULL;
	r->pos = NULL;
	r->nodes = 0;
}

static int parse_yaml(const char *file, const char *buf, size_t len,
                      const struct ip_limits *lim, struct ip_docs *out)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct yreader r = {.file = file, .lim = lim};
	if (!yaml_parser_initialize(&parser))
		ip_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	bool done = false;
	while (!done && !r.errors) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR)
				ip_oom();
			struct ip_where w = {file, (int)parser.problem_mark.line + 1,
			                     (int)parser.problem_mark.column + 1, NULL};
			if (parser.context)
				ip_error(&w, "%s %s", parser.problem, parser.context);
			else
				ip_error(&w, "%s", parser.problem ? parser.problem
				                                  : "invalid YAML");
			r.errors++;
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			r.pos = ip_posmap_new();
			break;
		case YAML_DOCUMENT_END_EVENT:
			docs_push(out, file, r.root ? r.root : json_null(), r.pos);
			r.root = NULL;
			r.pos = NULL;
			anchors_clear(&r);
			r.nodes = 0;
			break;
		case YAML_SCALAR_EVENT: on_scalar(&r, &ev); break;
		case YAML_SEQUENCE_START_EVENT: on_start(&r, &ev, false); break;
		case YAML_MAPPING_START_EVENT: on_start(&r, &ev, true); break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: on_end(&r); break;
		case YAML_ALIAS_EVENT: on_alias(&r, &ev); break;
		case YAML_STREAM_END_EVENT: done = true; break;
		default: break;
		}
		yaml_event_delete(&ev);
	}
	yreader_reset(&r);
	free(r.stack);
	yaml_parser_delete(&parser);
	return r.errors ? IP_EXIT_DATAERR : IP_EXIT_OK;
}

/* ---- JSON --------------------------------------------------------------- */

/* jansson builds the values; this walk over the same text, in step with
 * the values (jansson keeps object keys in document order), finds where
 * each one starts. The text is known to be valid JSON at this point. */
struct jscan {
	const char *p, *end, *line_start;
	int line;
	struct ip_posmap *pos;
	int max_depth;
	const char *file;
	int errors;
};

static void js_ws(struct jscan *s)
{
	while (s->p < s->end && strchr(" \t\r\n", *s->p)) {
		if (*s->p == '\n') {
			s->line++;
			s->line_start = s->p + 1;
		}
		s->p++;
	}
}

static int js_col(const struct jscan *s)
{
	int col = 1;
	for (const char *q = s->line_start; q < s->p; q++)
		if ((*q & 0xC0) != 0x80)
			col++;
	return col;
}

static void js_skip_scalar(struct jscan *s)
{
	if (s->p < s->end && *s->p == '"') {
		for (s->p++; s->p < s->end && *s->p != '"'; s->p++)
			if (*s->p == '\\')
				s->p++;
		s->p++;
		return;
	}
	/* Only what a number or a literal (true, false, null) is made of, so
	 * that "2@" leaves "@" to be refused, not taken for part of the 2. */
	const char *chars = s->p < s->end && *s->p >= 'a' && *s->p <= 'z'
	                    ? "abcdefghijklmnopqrstuvwxyz" : "0123456789+-.eE";
	while (s->p < s->end && *s->p && strchr(chars, *s->p))
		s->p++;
}

/* Walk value v, whose position goes into parent (NULL: v is the root). */
static void js_walk(struct jscan *s, json_t *v, struct ip_posrec *parent, int depth)
{
	js_ws(s);
	if (parent)
		ip_pos_child(parent, s->line, js_col(s), NULL);
	else
		ip_pos_root(s->pos, s->line, js_col(s), NULL);
	if (!json_is_object(v) && !json_is_array(v)) {
		js_skip_scalar(s);
		return;
	}
	if (depth >= s->max_depth) {
		struct ip_where w = {s->file, s->line, js_col(s), NULL};
		ip_error(&w, "nesting is deeper than the limit of %d levels", s->max_depth);
		s->errors++;
		return;
	}
	struct ip_posrec *rec = ip_pos_container(s->pos, v);
	s->p++; /* { or [ */
	if (json_is_object(v)) {
		const char *key;
		json_t *child;
		json_object_foreach(v, key, child) {
			js_ws(s);
			js_skip_scalar(s); /* the key */
			js_ws(s);
			s->p++; /* : */
			js_walk(s, child, rec, depth + 1);
			if (s->errors)
				return;
			js_ws(s);
			s->p++; /* , or } */
		}
	} else {
		size_t i;
		json_t *child;
		json_array_foreach(v, i, child) {
			js_walk(s, child, rec, depth + 1);
			if (s->errors)
				return;
			js_ws(s);
			s->p++; /* , or ] */
		}
	}
	if (json_is_object(v) ? !json_object_size(v) : !json_array_size(v)) {
		js_ws(s);
		s->p++; /* the closing bracket of an empty container */
	}
}

/* Where nesting first goes deeper than max, before jansson sees it: it
 * refuses beyond its own limit (2048 levels) in its own words, and the
 * limit in force, like the message, is ours. */
static bool json_too_deep(const char *buf, size_t len, int max, int *line, int *col)
{
	const char *end = buf + len, *line_start = buf;
	int depth = 0;
	bool in_string = false;
	*line = 1;
	for (const char *p = buf; p < end; p++) {
		if (in_string) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_string = false;
		} else if (*p == '"') {
			in_string = true;
		} else if (*p == '\n') {
			++*line;
			line_start = p + 1;
		} else if (*p == '[' || *p == '{') {
			if (++depth > max) {
				*col = (int)(p - line_start) + 1;
				return true;
			}
		} else if (*p == ']' || *p == '}') {
			depth--;
		}
	}
	return false;
}

/* One JSON value, or several one after another (JSON Lines): each is a
 * document, like the documents of a YAML stream. */
static int parse_json(const char *file, const char *buf, size_t len,
                      const struct ip_limits *lim, struct ip_docs *out)
{
	const char *p = buf, *end = buf + len, *line_start = buf;
	int line = 1, deep_line, deep_col;
	if (json_too_deep(buf, len, lim->max_depth, &deep_line, &deep_col)) {
		ip_error(&(struct ip_where){file, deep_line, deep_col, NULL},
		         "nesting is deeper than the limit of %d levels", lim->max_depth);
		return IP_EXIT_DATAERR;
	}
	do {
		json_error_t err;
		json_t *root = json_loadb(p, (size_t)(end - p), JSON_REJECT_DUPLICATES |
		                          JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &err);
		if (!root) {
			/* on the value's first line, columns count from where it began */
			int from = err.line == 1 ? (int)(p - line_start) : 0;
			struct ip_where w = {file, err.line > 0 ? line - 1 + err.line : 0,
			                     err.column > 0 ? from + err.column : 0, NULL};
			ip_error(&w, "%s", err.text);
			return IP_EXIT_DATAERR;
		}
		struct jscan s = {p, end, line_start, line, ip_posmap_new(), lim->max_depth,
		                  file, 0};
		js_walk(&s, root, NULL, 0);
		if (s.errors) {
			json_decref(root);
			ip_posmap_free(s.pos);
			return IP_EXIT_DATAERR;
		}
		docs_push(out, file, root, s.pos);
		js_ws(&s); /* the walk ended just after the value */
		p = s.p;
		line = s.line;
		line_start = s.line_start;
	} while (p < end);
	return IP_EXIT_OK;
}

/* ---- entry points ------------------------------------------------------- */

enum ip_syntax ip_docs_sniff(const char *file, const char *buf, size_t len)
{
	const char *dot = strrchr(file, '.');
	if (dot && !strcmp(dot, ".json"))
		return IP_SYNTAX_JSON;
	if (dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml")))
		return IP_SYNTAX_YAML;
	/* Unnamed input: JSON if it opens like a JSON object or array. */
	for (size_t i = 0; i < len; i++) {
		if (strchr(" \t\r\n", buf[i]))
			continue;
		return buf[i] == '{' || buf[i] == '[' ? IP_SYNTAX_JSON
		                                      : IP_SYNTAX_YAML;
	}
	return IP_SYNTAX_YAML;
}

int ip_docs_parse(const char *file, const char *buf, size_t len,
                  enum ip_syntax syntax, const struct ip_limits *lim,
                  struct ip_docs *out)
{
	int line, col;
	if (!ip_utf8_valid(buf, len, &line, &col)) {
		size_t off = 0;
		/* Say which of the two it is: a NUL byte or bad UTF-8. */
		int l = 1, c = 1;
		for (; off < len && (l < line || c < col); off++) {
			if (buf[off] == '\n') { l++; c = 1; }
			else if ((buf[off] & 0xC0) != 0x80) c++;
		}
		ip_error(&(struct ip_where){file, line, col, NULL},
		         off < len && buf[off] == '\0' ? "file contains a NUL byte"
		                                       : "invalid UTF-8");
		return IP_EXIT_DATAERR;
	}
	/* A byte-order mark is allowed and carries no meaning. */
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
		buf += 3;
		len -= 3;
	}
	if (syntax == IP_SYNTAX_AUTO)
		syntax = ip_docs_sniff(file, buf, len);
	return syntax == IP_SYNTAX_JSON ? parse_json(file, buf, len, lim, out)
	                                : parse_yaml(file, buf, len, lim, out);
}

const char *ip_input_name(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

int ip_read_scratch(const char *path, size_t max_bytes, char **buf, size_t *len,
                    unsigned *mode)
{
	static const struct holder scratch = {ip_scratch_realloc, ip_scratch_free};
	return read_whole(path, max_bytes, &scratch, buf, len, mode);
}

int ip_docs_load(const char *path, enum ip_syntax syntax,
                 const struct ip_limits *lim, struct ip_docs *out)
{
	char *buf;
	size_t len;
	int rc = ip_read_scratch(path, lim->max_bytes, &buf, &len, NULL);
	if (rc)
		return rc;
	rc = ip_docs_parse(ip_input_name(path), buf, len, syntax, lim, out);
	ip_scratch_free(buf);
	return rc;
}

bool ip_yaml_resolves_to_string(const char *s)
{
	return ip_yaml_plain(s).kind == IP_PLAIN_STRING;
}

const char *ip_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

void ip_doc_problem(const struct ip_doc *doc, int *problems, const char *path,
                    const char *fmt, ...)
{
	struct ip_where w = ip_doc_where(doc, path);
	va_list ap;
	va_start(ap, fmt);
	ip_verror(&w, fmt, ap);
	va_end(ap);
	(*problems)++;
}

json_t *ip_json_sorted(const json_t *list, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(list);
	json_t **v = ip_xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(list, i));
	qsort(v, n, sizeof *v, cmp);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, v[i]);
	free(v);
	return out;
}

/* ---- what a writer may write ---------------------------------------------- */

struct extremes {
	size_t nodes;
	size_t longest, widest;   /* the longest string, the longest list */
	char *longest_at, *widest_at;
};

static void measure(const json_t *v, const char *path, struct extremes *x)
{
	x->nodes++;
	size_t i;
	const char *k;
	json_t *child;
	if (json_is_string(v) && json_string_length(v) > x->longest) {
		x->longest = json_string_length(v);
		free(x->longest_at);
		x->longest_at = ip_xstrdup(path);
	} else if (json_is_array(v)) {
		if (json_array_size(v) > x->widest) {
			x->widest = json_array_size(v);
			free(x->widest_at);
			x->widest_at = ip_xstrdup(path);
		}
		json_array_foreach((json_t *)v, i, child) {
			char *sub = ip_xasprintf("%s[%zu]", path, i);
			measure(child, sub, x);
			free(sub);
		}
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, child) {
			char *sub = *path ? ip_xasprintf("%s.%s", path, k) : ip_xstrdup(k);
			measure(child, sub, x);
			free(sub);
		}
	}
}

int ip_doc_fits(const char *file, const json_t *root, size_t bytes,
                const struct ip_limits *lim)
{
	/* every node takes two bytes at least: a small file is a quick yes */
	if (bytes <= lim->max_bytes && bytes / 2 < lim->max_nodes)
		return IP_EXIT_OK;
	struct extremes x = {0};
	measure(root, "", &x);
	int rc = IP_EXIT_OK;
	if (bytes > lim->max_bytes) {
		ip_error(&(struct ip_where){file, 0, 0, x.longest_at}, "the result would be %zu "
		         "bytes, more than the %zu every command reads (this field holds %zu): "
		         "nothing written", bytes, lim->max_bytes, x.longest);
		rc = IP_EXIT_DATAERR;
	} else if (x.nodes > lim->max_nodes) {
		ip_error(&(struct ip_where){file, 0, 0, x.widest_at}, "the result would have %zu "
		         "nodes, more than the %zu every command reads (this list has %zu items): "
		         "nothing written", x.nodes, lim->max_nodes, x.widest);
		rc = IP_EXIT_DATAERR;
	}
	free(x.longest_at);
	free(x.widest_at);
	return rc;
}
