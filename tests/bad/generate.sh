#!/bin/sh
# The bad inputs too large or too odd to keep in git, made beside the
# others in DIR: a 100 MB file, 10,000-deep nesting in YAML and JSON, and
# a case file that is a symbolic link out of the repository.
set -eu
dir=${1:?usage: generate.sh DIR}
head -c 104857600 /dev/zero | tr '\0' a >"$dir/huge.yaml"
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "["; for (i = 0; i < 10000; i++) printf "]"; print "" }' \
	>"$dir/deep.yaml"
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "{\"a\":"; printf "1"; for (i = 0; i < 10000; i++) printf "}"; print "" }' \
	>"$dir/deep.json"
ln -sf /etc/passwd "$dir/link-out-of-repository.yaml"
