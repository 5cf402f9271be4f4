#!/bin/sh
# Make the seed corpus of each fuzz target in DIR/<target>/ from the test
# fixtures, golden files, sample data and templates, plus the hand-made
# seeds in tests/fuzz/seeds/. Used by make fuzz and by the replay test.
set -eu
out=${1:?usage: fuzz-seeds.sh DIR}
cd "$(dirname "$0")/.."
for t in yaml json case onepass rows mustache package cache; do
	mkdir -p "$out/$t"
	if [ -d "tests/fuzz/seeds/$t" ]; then
		cp tests/fuzz/seeds/"$t"/* "$out/$t/"
	fi
done
for f in tests/fixtures/*.yaml tests/answers/*.yaml tests/golden/*.yaml \
	share/integplan/*.yaml share/integplan/rules/*.yaml share/integplan/surveys/*.yaml \
	share/templates/plans/*.yaml share/templates/plan/*.yaml; do
	cp "$f" "$out/yaml/$(echo "$f" | tr / _)"
done
for f in tests/fixtures/*.json tests/golden/*.json tests/golden/*.jsonl tests/fuzz/seeds/package/*; do
	cp "$f" "$out/json/$(echo "$f" | tr / _)"
done
for f in tests/fixtures/* tests/golden/*-mariam.yaml tests/golden/sketch.*; do
	[ -f "$f" ] || continue
	cp "$f" "$out/case/$(echo "$f" | tr / _)"
done
# onepass: the case seeds and the YAML ones (share/ files: not cases)
for f in "$out"/case/* "$out"/yaml/*; do
	cp "$f" "$out/onepass/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# rows: the first byte picks the syntax (j: JSON Lines, else CSV)
{ printf 'c'; cat share/integplan/examples/sample-cases.csv; } >"$out/rows/sample-cases.csv"
# mustache: the template, a NUL, the data
for f in share/templates/plan/*.mustache; do
	{ cat "$f"; printf '\000'; cat tests/golden/sketch.json; } >"$out/mustache/$(basename "$f")"
done
