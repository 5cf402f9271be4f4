/* ip-merge — three-way merge of a case file, for git's merge driver:
 *   git config merge.integplan.driver 'ip-merge %O %A %B %P'
 * The result replaces OURS (as git expects), like git merge-file. */
#include <stdio.h>
#include <string.h>

#include "ip_case.h"
#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_merge.h"
#include "ip_plan.h"
#include "ip_schema.h"
#include "ip_write.h"

struct merge_cmd {
	struct ip_cli cli;
	bool to_stdout;
	char *paths[4]; /* BASE OURS THEIRS [NAME] */
	int n;
};

static const struct ip_opt options[] = {
	{"stdout", 'p', NULL, N_("Print the result instead of replacing OURS"), 0, 0,
	 IP_FLAG(struct merge_cmd, to_stdout)},
	{0}};

/* The operands: BASE OURS THEIRS [NAME]. */
static error_t parse_operand(int key, char *arg, struct argp_state *state, void *input)
{
	struct merge_cmd *mc = input;
	switch (key) {
	case ARGP_KEY_ARG:
		if (state->arg_num >= 4)
			argp_error(state, _("too many operands: expected BASE OURS THEIRS [NAME]"));
		mc->paths[mc->n++] = arg;
		break;
	case ARGP_KEY_END:
		if (state->arg_num < 3)
			argp_error(state, _("expected BASE OURS THEIRS [NAME]"));
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* One version: a case, or NULL for an empty file (git's base when both
 * sides added the file). A side comes from another clone: it must be a
 * valid case (ids by their grammar, no conflict left), or nothing is
 * merged. */
static int load_version(const char *path, bool side, const struct ip_limits *lim,
                        json_t **out)
{
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_AUTO, lim, &docs);
	*out = NULL;
	if (!rc && docs.n > 1) {
		ip_error(&(struct ip_where){docs.v[1].file, 0, 0, NULL},
		         "expected one case in the file, found %zu documents", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && docs.n == 1 && side && ip_case_validate(&docs.v[0])) {
		ip_error(&(struct ip_where){docs.v[0].file, 0, 0, NULL}, "not a valid case (see "
		         "above); nothing merged");
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && docs.n == 1)
		*out = json_incref(docs.v[0].root);
	ip_docs_free(&docs);
	return rc;
}

static enum ip_format format_for(const struct ip_cli *cli, const char *name)
{
	size_t len = strlen(name);
	if (cli->format_given)
		return cli->format;
	return len > 5 && !strcmp(name + len - 5, ".json") ? IP_FORMAT_JSON : IP_FORMAT_YAML;
}

/* Check the result as ip-check would, at the positions it will have in the
 * file, so each conflict is reported at its line. */
static int check_result(const char *name, const struct ip_buf *out, enum ip_format f,
                        const struct ip_limits *lim)
{
	struct ip_docs docs = {0};
	int rc = ip_docs_parse(name, out->s, out->len,
	                       f == IP_FORMAT_YAML ? IP_SYNTAX_YAML : IP_SYNTAX_JSON, lim, &docs);
	if (!rc && docs.n == 1 && ip_case_validate(&docs.v[0]))
		rc = IP_EXIT_PROBLEMS;
	ip_docs_free(&docs);
	return rc;
}

/* Approvals the two sides gave to other measures than the merged plan has
 * are withdrawn, visibly, as after any change (ip_plan.h). */
static void settle_approvals(json_t *merged, const char *name, const char *actor)
{
	char today[11], what[300] = "merged";
	ip_date_str(ip_now(), today);
	if (ip_plan_settle(merged, today, name, what, sizeof what))
		ip_history_add(merged, ip_actor(actor), "ip-merge", what);
}

static int merge(struct merge_cmd *mc)
{
	char **paths = mc->paths;
	int n = mc->n;
	const char *name = n == 4 ? paths[3] : paths[1];
	json_t *v[3] = {NULL, NULL, NULL};
	int rc = 0;
	for (int i = 0; i < 3 && !rc; i++)
		rc = load_version(paths[i], i > 0, &mc->cli.lim, &v[i]);
	if (!rc && (!v[1] || !v[2])) {
		ip_error(&(struct ip_where){name, 0, 0, NULL}, "empty file on one side "
		         "(nothing to merge it with)");
		rc = IP_EXIT_DATAERR;
	}
	if (rc) {
		for (int i = 0; i < 3; i++)
			json_decref(v[i]);
		return rc;
	}
	size_t conflicts;
	json_t *merged = ip_merge3(v[0], v[1], v[2], &conflicts);
	settle_approvals(merged, name, mc->cli.actor);
	json_t *canon = ip_canonical(merged, &ip_case_schema);
	enum ip_format f = format_for(&mc->cli, name);
	struct ip_buf out = {0};
	ip_emit(&out, canon, f);
	/* too large for any reader: ours stays as it is */
	bool fits = !(rc = ip_doc_fits(name, canon, out.len, &mc->cli.lim));
	if (fits)
		rc = check_result(name, &out, f, &mc->cli.lim);
	if (fits && mc->to_stdout)
		fwrite(out.s, 1, out.len, stdout);
	else if (fits)
		rc = ip_exit_merge(rc, ip_write_file(paths[1], out.s, out.len, false));
	if (fits && conflicts && !mc->cli.quiet) {
		char *msg = ip_xasprintf(ngettext("%zu conflict: both values are kept under %s",
		                                  "%zu conflicts: both values are kept under %s",
		                                  conflicts), conflicts, IP_MERGE_CONFLICTS);
		ip_error(&(struct ip_where){name, 0, 0, NULL}, "%s", msg);
		free(msg);
	}
	ip_buf_free(&out);
	json_decref(canon);
	json_decref(merged);
	for (int i = 0; i < 3; i++)
		json_decref(v[i]);
	return rc;
}

static const struct ip_command command = {
	"ip-merge", "BASE OURS THEIRS [NAME]",
	N_("Merge two versions of an IntegPlan case file that descend from BASE; "
	"the result replaces OURS. A git merge driver:\n"
	"  git config merge.integplan.driver 'ip-merge %O %A %B %P'\v"
	"Lists merge item by item (measures and referrals by id, assessments, "
	"consent, notes and history by their entries). A field both sides changed "
	"differently keeps our value and is recorded with both values under "
	"x-merge-conflicts, which ip-check reports until it is resolved. NAME "
	"names the file in messages and picks the format (.json: JSON). Exit "
	"status: 0 merged, 1 conflicts, 64 usage, 65 bad data, 66 missing input, "
	"73/74 the result could not be written."),
	.opts = options, .operands = IP_COMPLETE_FILE, .formats = IP_FORMATS_DATA,
	.parse_other = parse_operand,
};

int main(int argc, char **argv)
{
	struct merge_cmd mc = {0};
	struct ip_args args;
	ip_diag_init(argv);
	ip_cli_init(&mc.cli);
	if (ip_command_parse(&command, &mc, &mc.cli, argc, argv, &args))
		return IP_EXIT_USAGE;
	int rc;
	if (mc.cli.files_from || mc.cli.null) {
		ip_error(NULL, "--files-from and -0 do not apply: give BASE OURS THEIRS");
		rc = IP_EXIT_USAGE;
	} else {
		rc = merge(&mc);
	}
	return ip_finish(rc);
}
