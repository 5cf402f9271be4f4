/* signtool KEYFILE FILE... — seal and sign test packages and responses in
 * place, as their sender would (ip-refer signs what it sends): the bad-input
 * corpus (tests/0140-bad-input.bats) holds hostile documents that are
 * signed correctly, so that what is wrong inside them is what gets refused.
 * The signer is the document's own referral.from, response.from or
 * transfer.from. */
#include <stdio.h>
#include <stdlib.h>

#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_referral.h"
#include "ip_sign.h"

static int sign_file(const char *path, const struct ip_sign_key *key)
{
	json_error_t err;
	json_t *doc = json_load_file(path, JSON_DISABLE_EOF_CHECK, &err);
	if (!json_is_object(doc)) {
		fprintf(stderr, "signtool: %s: %s\n", path, err.text);
		return IP_EXIT_DATAERR;
	}
	const json_t *body = json_object_get(doc, "referral");
	if (!body)
		body = json_object_get(doc, "response");
	if (!body)
		body = json_object_get(doc, "transfer");
	const char *signer = ip_str(body, "from");
	json_object_del(doc, "signature");
	ip_package_seal(doc);
	ip_sign_doc(doc, key, signer ? signer : "");
	int rc = json_dump_file(doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ? IP_EXIT_IOERR
	                                                                         : IP_EXIT_OK;
	FILE *f = rc ? NULL : fopen(path, "a");
	if (f) {
		fputc('\n', f);
		fclose(f);
	}
	json_decref(doc);
	return rc;
}

int main(int argc, char **argv)
{
	struct ip_sign_key key;
	ip_diag_init(argv);
	if (argc < 3) {
		fprintf(stderr, "usage: signtool KEYFILE FILE...\n");
		return IP_EXIT_USAGE;
	}
	int rc = ip_sign_key_load(argv[1], &key);
	for (int i = 2; !rc && i < argc; i++)
		rc = sign_file(argv[i], &key);
	return rc;
}
