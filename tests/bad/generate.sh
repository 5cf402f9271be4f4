#!/bin/sh
# The bad inputs too large or too odd to keep in git, made beside the
# others in DIR: a 100 MB file, 10,000-deep nesting in YAML and JSON, and
# a case file that is a symbolic link out of the repository, and a response
# with a note of 2 MB, and a plain list longer than the node limit.
set -eu
dir=${1:?usage: generate.sh DIR}
head -c 104857600 /dev/zero | tr '\0' a >"$dir/huge.yaml"
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "["; for (i = 0; i < 10000; i++) printf "]"; print "" }' \
	>"$dir/deep.yaml"
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "{\"a\":"; printf "1"; for (i = 0; i < 10000; i++) printf "}"; print "" }' \
	>"$dir/deep.json"
ln -sf /etc/passwd "$dir/link-out-of-repository.yaml"
# a response with a 2 MB note: over the file limit before anything else
awk 'BEGIN { printf "{\"schema\": \"integplan/referral-response/2\", \"response\": {\"referral\": \"AF-KBL-PH-R-AAAAAAAA\", \"from\": \"BY-MUC\", \"to\": \"AF-KBL-PH\", \"date\": \"2026-11-21\", \"seq\": 2, \"steps\": [{\"status\": \"accepted\", \"date\": \"2026-11-20\"}], \"notes\": [{\"at\": \"2026-11-21T09:00:00Z\", \"text\": \""; for (i = 0; i < 2000000; i++) printf "a"; print "\"}]}, \"digest\": \"sha256:0\"}" }' \
	>"$dir/response-oversized.json"
# a plain list of 150,000 items: more nodes than the limit, but no alias
awk 'BEGIN { print "schema: integplan/case/1"; print "x-list:"; for (i = 0; i < 150000; i++) print "  - a" }' \
	>"$dir/long-plain-list.yaml"
