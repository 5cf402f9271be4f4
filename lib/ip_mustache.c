#include "ip_mustache.h"
#include "ip_visible.h"
#include "ip_diag.h"
#include "ip_i18n.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Partials within partials deeper than this are refused (a partial that
 * includes itself with no data to stop it). */
#define MAX_DEPTH 64

enum kind { TEXT, VAR, RAW, SECTION, INVERTED, CLOSE, PARTIAL };

struct tok {
	enum kind kind;
	char *s;        /* the text, or the tag's name */
	char *indent;   /* a standalone partial's indentation */
	size_t end;     /* a section: the index of its closing tag */
	int line;
};

struct toks {
	struct tok *v;
	size_t n;
};

struct parse {
	const char *start, *p;  /* the template; where the next text starts */
	char otag[16], ctag[16];
	int line;
	struct toks *out;
	const char *error;
};

static void push(struct toks *t, enum kind kind, const char *s, size_t n, int line)
{
	t->v = ip_xrealloc(t->v, (t->n + 1) * sizeof *t->v);
	t->v[t->n++] = (struct tok){kind, ip_xasprintf("%.*s", (int)n, s), NULL, 0, line};
}

static void toks_free(struct toks *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].s);
		free(t->v[i].indent);
	}
	free(t->v);
}

static int count_lines(const char *from, const char *to)
{
	int n = 0;
	for (; from < to; from++)
		n += *from == '\n';
	return n;
}

static void add_text(struct parse *ps, const char *from, const char *to)
{
	if (to > from)
		push(ps->out, TEXT, from, (size_t)(to - from), ps->line);
	ps->line += count_lines(from, to);
}

static char *trimmed(const char *from, const char *to)
{
	while (from < to && (*from == ' ' || *from == '\t'))
		from++;
	while (to > from && (to[-1] == ' ' || to[-1] == '\t'))
		to--;
	return ip_xasprintf("%.*s", (int)(to - from), from);
}

/* "=<% %>=": the new pair, two words without '=' or white space. */
static bool set_delimiters(struct parse *ps, const char *name)
{
	char open[16], close[16], rest[2];
	if (sscanf(name, "%15s %15s %1s", open, close, rest) != 2 ||
	    strchr(open, '=') || strchr(close, '='))
		return false;
	strcpy(ps->otag, open);
	strcpy(ps->ctag, close);
	return true;
}

/* Is the tag from t to end alone on its line, but for white space? Then
 * *line_from is where its indentation starts and *next where the next
 * line begins. */
static bool standalone(const struct parse *ps, const char *t, const char *end,
                       const char **line_from, const char **next)
{
	const char *q = t;
	while (q > ps->p && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	bool at_start = q > ps->p ? q[-1] == '\n'
	                          : q == ps->start || q[-1] == '\n';
	if (!at_start)
		return false;
	const char *r = end;
	while (*r == ' ' || *r == '\t')
		r++;
	if (*r == '\n')
		r++;
	else if (r[0] == '\r' && r[1] == '\n')
		r += 2;
	else if (*r)
		return false;
	*line_from = q;
	*next = r;
	return true;
}

static bool parse_tag(struct parse *ps, const char *t)
{
	const char *c = t + strlen(ps->otag);
	char sigil = *c;
	char closing[24];
	snprintf(closing, sizeof closing, "%s%s", sigil == '{' ? "}" : sigil == '=' ? "=" : "",
	         ps->ctag);
	/* strchr finds the NUL too: "{{" at the very end has no sigil */
	if (sigil && strchr("{=!#^/>&", sigil))
		c++;
	const char *e = strstr(c, closing);
	if (!e) {
		ps->error = N_("a tag is not closed");
		return false;
	}
	const char *end = e + strlen(closing);
	char *name = trimmed(c, e);
	enum kind kind = sigil == '#' ? SECTION : sigil == '^' ? INVERTED : sigil == '/' ? CLOSE
	               : sigil == '>' ? PARTIAL : sigil == '{' || sigil == '&' ? RAW : VAR;
	bool may_stand = strchr("!#^/>=", sigil) && sigil;
	const char *line_from, *next;
	if (may_stand && standalone(ps, t, end, &line_from, &next)) {
		add_text(ps, ps->p, line_from);
		ps->line += count_lines(line_from, next);
		ps->p = next;
	} else {
		add_text(ps, ps->p, t);
		line_from = t;
		ps->p = end;
	}
	bool ok = true;
	if (sigil == '=') {
		ok = set_delimiters(ps, name);
		if (!ok)
			ps->error = N_("a set-delimiter tag needs two delimiters without '='");
	} else if (sigil != '!') {
		push(ps->out, kind, name, strlen(name), ps->line);
		if (kind == PARTIAL)
			ps->out->v[ps->out->n - 1].indent =
				ip_xasprintf("%.*s", (int)(t - line_from), line_from);
	}
	free(name);
	return ok;
}

/* Pair each section with its closing tag. */
static bool match_sections(struct parse *ps)
{
	size_t *open = ip_xcalloc(ps->out->n + 1, sizeof *open);
	size_t depth = 0;
	bool ok = true;
	for (size_t i = 0; ok && i < ps->out->n; i++) {
		struct tok *t = &ps->out->v[i];
		if (t->kind == SECTION || t->kind == INVERTED) {
			open[depth++] = i;
		} else if (t->kind == CLOSE) {
			if (!depth || strcmp(ps->out->v[open[depth - 1]].s, t->s)) {
				ps->error = N_("a closing tag does not match the open section");
				ps->line = t->line;
				ok = false;
			} else {
				ps->out->v[open[--depth]].end = i;
			}
		}
	}
	if (ok && depth) {
		ps->error = N_("a section is not closed");
		ps->line = ps->out->v[open[depth - 1]].line;
		ok = false;
	}
	free(open);
	return ok;
}

static bool parse(const char *text, struct toks *out, const char **error, int *line)
{
	struct parse ps = {text, text, "{{", "}}", 1, out, NULL};
	const char *t;
	while ((t = strstr(ps.p, ps.otag))) {
		if (!parse_tag(&ps, t)) {
			*error = ps.error;
			*line = ps.line;
			return false;
		}
	}
	add_text(&ps, ps.p, ps.p + strlen(ps.p));
	if (!match_sections(&ps)) {
		*error = ps.error;
		*line = ps.line;
		return false;
	}
	return true;
}

/* ---- rendering ---------------------------------------------------------- */

struct render {
	const json_t **stack; /* the context stack, innermost last */
	size_t depth, cap;
	ip_partial_fn partials;
	void *ctx;
	struct ip_buf *out;
	int nesting;
	const char *error;
	int line;
};

static void ctx_push(struct render *r, const json_t *v)
{
	if (r->depth == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->stack = ip_xrealloc(r->stack, r->cap * sizeof *r->stack);
	}
	r->stack[r->depth++] = v;
}

/* "." is the innermost context; "a.b.c" finds "a" in the innermost
 * context that has it, then b and c inside it only. */
static const json_t *lookup(const struct render *r, const char *name)
{
	if (!strcmp(name, "."))
		return r->depth ? r->stack[r->depth - 1] : NULL;
	char *copy = ip_xstrdup(name), *save = NULL;
	char *part = strtok_r(copy, ".", &save);
	const json_t *v = NULL;
	for (size_t i = r->depth; part && i-- > 0;) {
		if ((v = json_object_get(r->stack[i], part)))
			break;
	}
	while (v && (part = strtok_r(NULL, ".", &save)))
		v = json_object_get(v, part);
	free(copy);
	return v;
}

static bool truthy(const json_t *v)
{
	return v && !json_is_false(v) && !json_is_null(v) &&
	       !(json_is_array(v) && json_array_size(v) == 0);
}

static void append_escaped(struct ip_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': ip_buf_puts(b, "&amp;"); break;
		case '<': ip_buf_puts(b, "&lt;"); break;
		case '>': ip_buf_puts(b, "&gt;"); break;
		case '"': ip_buf_puts(b, "&quot;"); break;
		case '\'': ip_buf_puts(b, "&#39;"); break;
		default: ip_buf_add(b, s, 1);
		}
	}
}

static void interpolate(struct render *r, const json_t *v, bool escape)
{
	char num[40];
	const char *s = NULL;
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING: s = json_string_value(v); break;
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		s = num;
		break;
	case JSON_REAL: ip_format_real(json_real_value(v), num); s = num; break;
	case JSON_TRUE: s = "true"; break;
	case JSON_FALSE: s = "false"; break;
	default: return; /* null, a miss, a list or a mapping: nothing */
	}
	/* a document is read on a screen or printed: no character in it may
	 * hide or reorder what follows (ip_visible.h) */
	struct ip_buf shown = {0};
	ip_visible_add(&shown, s, strlen(s), true);
	s = shown.s ? shown.s : "";
	if (escape)
		append_escaped(r->out, s);
	else
		ip_buf_puts(r->out, s);
	ip_buf_free(&shown);
}

static bool render_range(struct render *r, const struct toks *t, size_t from, size_t to);

/* A partial's lines all take the indentation of its standalone tag. */
static char *indented(const char *text, const char *indent)
{
	struct ip_buf b = {0};
	ip_buf_add(&b, "", 0);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
		ip_buf_puts(&b, indent);
		ip_buf_add(&b, p, n);
		p += n;
	}
	return b.s;
}

static bool render_partial(struct render *r, const struct tok *tok)
{
	const char *text = r->partials ? r->partials(tok->s, r->ctx) : NULL;
	if (!text)
		return true;
	if (++r->nesting > MAX_DEPTH) {
		r->error = N_("partials are nested too deep");
		r->line = tok->line;
		return false;
	}
	char *own = *tok->indent ? indented(text, tok->indent) : NULL;
	struct toks sub = {0};
	const char *error;
	int line;
	bool ok = parse(own ? own : text, &sub, &error, &line);
	if (!ok) {
		r->error = error;
		r->line = line;
	} else {
		ok = render_range(r, &sub, 0, sub.n);
	}
	toks_free(&sub);
	free(own);
	r->nesting--;
	return ok;
}

static bool render_section(struct render *r, const struct toks *t, size_t i)
{
	const struct tok *tok = &t->v[i];
	const json_t *v = lookup(r, tok->s);
	if (tok->kind == INVERTED)
		return truthy(v) || render_range(r, t, i + 1, tok->end);
	if (!truthy(v))
		return true;
	if (!json_is_array(v)) {
		ctx_push(r, v);
		bool ok = render_range(r, t, i + 1, tok->end);
		r->depth--;
		return ok;
	}
	size_t k;
	const json_t *item;
	json_array_foreach((json_t *)v, k, item) {
		ctx_push(r, item);
		bool ok = render_range(r, t, i + 1, tok->end);
		r->depth--;
		if (!ok)
			return false;
	}
	return true;
}

static bool render_range(struct render *r, const struct toks *t, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct tok *tok = &t->v[i];
		bool ok = true;
		switch (tok->kind) {
		case TEXT: ip_buf_puts(r->out, tok->s); break;
		case VAR: interpolate(r, lookup(r, tok->s), true); break;
		case RAW: interpolate(r, lookup(r, tok->s), false); break;
		case PARTIAL: ok = render_partial(r, tok); break;
		case SECTION:
		case INVERTED:
			ok = render_section(r, t, i);
			i = tok->end;
			break;
		case CLOSE: break;
		}
		if (!ok)
			return false;
	}
	return true;
}

int ip_mustache_render(const char *template_text, const json_t *data,
                       ip_partial_fn partials, void *ctx, struct ip_buf *out,
                       const char **error, int *line)
{
	struct toks t = {0};
	struct render r = {NULL, 0, 0, partials, ctx, out, 0, NULL, 0};
	ip_buf_add(out, "", 0);
	bool ok = parse(template_text, &t, error, line);
	if (ok) {
		ctx_push(&r, data);
		ok = render_range(&r, &t, 0, t.n);
		if (!ok) {
			*error = r.error;
			*line = r.line;
		}
	}
	toks_free(&t);
	free(r.stack);
	return ok ? 0 : -1;
}
