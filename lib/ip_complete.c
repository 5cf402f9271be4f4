/* --completion-helper: a command describes its own command line, so the
 * shell completions (completions/generate.sh) cannot drift from it. Like
 * git's --git-completion-helper. Part of the command-line module
 * (ip_cli.h). */
#include "ip_cli.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_report.h"
#include "ip_schema.h"
#include "ip_vocab.h"

#include <stdio.h>
#include <string.h>

static const char *const complete_names[] = {
	[IP_COMPLETE_NONE] = "none", [IP_COMPLETE_FILE] = "file", [IP_COMPLETE_DIR] = "dir",
	[IP_COMPLETE_CASES] = "cases", [IP_COMPLETE_WORDS] = "words",
	[IP_COMPLETE_VOCAB] = "vocab", [IP_COMPLETE_VOCABULARIES] = "vocabularies",
	[IP_COMPLETE_PROGRAMME] = "programmes", [IP_COMPLETE_PARTNER] = "partner",
	[IP_COMPLETE_TEMPLATE] = "template", [IP_COMPLETE_FORMAT] = "words",
	[IP_COMPLETE_REPORT_FIELDS] = "report-fields",
};

/* Text on one line of the spec: no tabs or newlines. */
static void put_text(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\t' || *s == '\n' ? ' ' : *s);
}

/* How an argument completes: as declared, else as its case field's
 * vocabulary or programme ids. */
static enum ip_complete completion(const struct ip_opt *o, const char **values)
{
	*values = o->values;
	if (o->complete != IP_COMPLETE_NONE || !o->field)
		return o->complete;
	const struct ip_field *f = ip_schema_lookup(o->field);
	if (f && f->type == IP_T_ARRAY)
		f = f->item;
	if (f && f->type == IP_T_ENUM) {
		*values = f->vocab;
		return IP_COMPLETE_VOCAB;
	}
	return f && f->type == IP_T_PROGRAMME ? IP_COMPLETE_PROGRAMME : IP_COMPLETE_NONE;
}

static void put_subs(const struct ip_command *cmd, unsigned subs)
{
	if (!subs || !cmd->subs) {
		putchar('*');
		return;
	}
	const char *sep = "";
	for (size_t s = 0; s < cmd->nsubs; s++)
		if (subs & IP_SUB(s)) {
			printf("%s%s", sep, cmd->subs[s].name);
			sep = ",";
		}
}

static void put_formats(unsigned formats)
{
	const char *sep = "";
	for (size_t f = 0; f < IP_FORMAT_COUNT; f++)
		if (formats & 1u << f) {
			printf("%s%s", sep, ip_format_name((enum ip_format)f));
			sep = " ";
		}
}

static void put_opt(const struct ip_command *cmd, const struct ip_opt *o)
{
	const char *values;
	enum ip_complete c = completion(o, &values);
	printf("opt\t%s\t", o->name);
	if (o->key > 0 && o->key < 128)
		putchar(o->key);
	else
		putchar('-');
	printf("\t%s\t", o->arg ? o->arg : "-");
	put_subs(cmd, o->subs);
	printf("\t%s\t", o->arg ? complete_names[c] : "none");
	if (c == IP_COMPLETE_FORMAT)
		put_formats(cmd->formats);
	else
		put_text(values && *values ? values : "-");
	printf("\t%s\t", o->flags & IP_OPT_MANY ? "many" : "once");
	put_text(o->help);
	putchar('\n');
}

static void put_spec(const struct ip_command *cmd)
{
	printf("command\t%s\t%s\n", cmd->name, complete_names[cmd->operands]);
	for (size_t s = 0; cmd->subs && s < cmd->nsubs; s++) {
		printf("sub\t%s\t", cmd->subs[s].name);
		put_text(cmd->subs[s].help);
		putchar('\n');
	}
	for (const struct ip_opt *o = cmd->opts; o->name; o++)
		put_opt(cmd, o);
	for (const struct ip_opt *o = ip_cli_opts; o->name; o++)
		put_opt(cmd, o);
	/* argp's own */
	puts("opt\thelp\t-\t-\t*\tnone\t-\tonce\tGive this help list");
	puts("opt\tusage\t-\t-\t*\tnone\t-\tonce\tGive a short usage message");
	puts("opt\tversion\tV\t-\t*\tnone\t-\tonce\tPrint program version");
}

int ip_complete_print(const struct ip_command *cmd, const char *what)
{
	size_t i;
	json_t *e;
	if (!what || !strcmp(what, "spec")) {
		put_spec(cmd);
	} else if (!strcmp(what, "vocabularies")) {
		const char *name;
		json_object_foreach(ip_vocab_all(), name, e)
			puts(name);
	} else if (!strcmp(what, "programmes")) {
		json_array_foreach(ip_programmes(), i, e)
			puts(ip_str(e, "id"));
	} else if (!strcmp(what, "report-fields")) {
		for (size_t f = 0; ip_report_fields[f]; f++)
			puts(ip_report_fields[f]);
	} else {
		ip_error(NULL, "--completion-helper: '%s' is not spec, vocabularies, "
		         "programmes or report-fields", what);
		return IP_EXIT_USAGE;
	}
	return IP_EXIT_OK;
}
