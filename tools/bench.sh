#!/bin/sh
# make bench: 100,000 realistic case files (BENCH_CASES to change), then
# each command's time as a ratio to baselines measured in the same run:
#   read   - reading every file whole, nothing else (tools/ip-readall)
#   parse  - ip-check --no-schema: the YAML reader alone
#   libyaml - tools/ip-readall --parse: libyaml's event parser, nothing else
#   lstat  - tools/ip-readall --lstat: one lstat per file
#   python - the same summary in Python 3 + PyYAML CSafeLoader (if installed)
#   tree   - IP_READER=tree: every case read the careful way (a tree with
#            positions, then validation), as before the one pass
# Ratios, not seconds, so figures compare across machines. The figures
# the goals are about are each the median of BENCH_ROUNDS runs (default
# 3): a shared machine is noisy, and one slow run moved a ratio by 0.3.
# A goal's ratio is the median of each run's own ratio to its baseline,
# timed right after it (paired): the machine's speed drifts between a
# baseline and a command timed minutes apart.
set -eu
cd "$(dirname "$0")/.."
n=${BENCH_CASES:-100000}
rounds=${BENCH_ROUNDS:-3}
case $rounds in
''|*[!0-9]*|0) echo "bench: BENCH_ROUNDS must be a whole number from 1" >&2; exit 64 ;;
esac
out=bench.out
bin=$PWD/bin
rm -rf "$out"
mkdir -p "$out"
export IP_NOW=2026-11-21T09:14:03Z IP_ACTOR=bench IP_RANDOM_SEED=7

seconds() { # COMMAND...: wall seconds of one run, output discarded
	start=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	end=$(date +%s%N)
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'
}
median() { # COMMAND...: the median wall seconds of $rounds runs (no side effects)
	i=0
	while [ "$i" -lt "$rounds" ]; do
		seconds "$@"
		echo
		i=$((i + 1))
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
# The baselines of paired(), by name.
baseline() {
	case $1 in
	libyaml) tools/ip-readall --parse "$out/repo/cases" ;;
	lstat) tools/ip-readall --lstat "$out/repo/cases" ;;
	esac
}
# Lines "SECONDS BASELINE_SECONDS" in, "SECONDS RATIO LOWEST HIGHEST" out:
# the median of the times, the median of each line's ratio and the range
# of those ratios (on a shared machine the range says how far to trust
# the median).
median_pair() {
	awk 'function sort(a, n,   i, j, x) {
		for (i = 2; i <= n; i++) {
			x = a[i]
			for (j = i - 1; j > 0 && a[j] > x; j--)
				a[j + 1] = a[j]
			a[j + 1] = x
		}
	}
	{ t[NR] = $1; r[NR] = ($2 > 0 ? $1 / $2 : 0) }
	END {
		sort(t, NR); sort(r, NR); m = int((NR + 1) / 2)
		printf "%s %.2f %.2f %.2f\n", t[m], r[m], r[1], r[NR]
	}'
}
# paired BASELINE COMMAND...: "SECONDS RATIO LOWEST HIGHEST" over $rounds
# rounds, each timing the baseline right after the command. A goal is a ratio, and the
# machine's speed drifts: a ratio of two medians taken minutes apart moved
# by 0.3 between runs of the same build.
paired() {
	base=$1
	shift
	i=0
	while [ "$i" -lt "$rounds" ]; do
		echo "$(seconds "$@") $(seconds baseline "$base")"
		i=$((i + 1))
	done | median_pair
}
# two decimals: with one, 1.54 read as 1.5 and met a goal of 1.5 it missed
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo "generating $n case files ..."
"$bin/ip-intake" -q --init --centre BY-MUC --state DE-BY "$out/repo"
gen=$(seconds tools/ip-benchgen "$n" "$out/repo/cases")
echo "  $(du -sh "$out/repo/cases" | cut -f1) in ${gen}s"

# Warm the page cache once, so every figure below reads from memory.
tools/ip-readall "$out/repo/cases" >/dev/null
read=$(median tools/ip-readall "$out/repo/cases")
parse=$(median "$bin/ip-check" -q --no-schema "$out/repo/cases")
print=$(median "$bin/ip-check" -q --print -f jsonl "$out/repo/cases")

# ip-report summary: cold single-threaded, cold with threads, warm (cache),
# warm with 1 % of the files changed; each cold run also the careful way
# (IP_READER=tree: a tree with positions, then validation), and every way's
# report must be the same, byte for byte.
report() { "$bin/ip-report" -C "$out/repo" summary --by status -f csv -q "$@"; }
libyaml=$(median tools/ip-readall --parse "$out/repo/cases")
lstat=$(median tools/ip-readall --lstat "$out/repo/cases")
read -r check check_r check_lo check_hi <<EOF
$(paired libyaml "$bin/ip-check" -q -j 1 -C "$out/repo")
EOF
check_tree=$(median env IP_READER=tree "$bin/ip-check" -q -j 1 -C "$out/repo")
checkj=$(median "$bin/ip-check" -q -C "$out/repo")
read -r cold1 cold1_r cold1_lo cold1_hi <<EOF
$(paired libyaml report --no-cache -j 1)
EOF
cold1_tree=$(median env IP_READER=tree "$bin/ip-report" -C "$out/repo" summary --by status \
	-f csv -q --no-cache -j 1)
read -r coldj coldj_r coldj_lo coldj_hi <<EOF
$(paired libyaml report --no-cache)
EOF
coldj_tree=$(median env IP_READER=tree "$bin/ip-report" -C "$out/repo" summary --by status \
	-f csv -q --no-cache)
seconds report >/dev/null   # writes the cache
read -r warm warm_r warm_lo warm_hi <<EOF
$(paired lstat report)
EOF
report --no-cache -j 1 >"$out/report-onepass.csv"
env IP_READER=tree "$bin/ip-report" -C "$out/repo" summary --by status -f csv -q --no-cache \
	-j 1 >"$out/report-tree.csv"
report >"$out/report-warm.csv"
same=equal
for way in tree warm; do
	cmp -s "$out/report-onepass.csv" "$out/report-$way.csv" || {
		same="DIFFERENT ($way)"
		echo "bench: the $way report differs from the one pass's" >&2
	}
done
# 1 % of the files changed (their times: read again, their entries written
# to the cache's changes, or to the cache when it is small), changed again
# before each round
i=0
read -r warm1 warm1_r warm1_lo warm1_hi <<EOF
$(while [ "$i" -lt "$rounds" ]; do
	find "$out/repo/cases" -name '*.yaml' | awk 'NR % 100 == 0' | xargs touch
	echo "$(seconds report) $(seconds baseline lstat)"
	i=$((i + 1))
done | median_pair)
EOF
rss=$( { /usr/bin/time -f %M "$bin/ip-report" -C "$out/repo" summary --by status -f csv -q \
	--no-cache -j 1 >/dev/null; } 2>&1 | tail -1)
if python3 -c 'import yaml; yaml.CSafeLoader' 2>/dev/null; then
	python=$(median python3 tools/bench-summary.py "$out/repo/cases")
	# exact counts to compare with: the table after the not-for-publication
	# notice, without its title and header
	report --no-cache --protection none >"$out/summary-c.csv"
	python3 tools/bench-summary.py "$out/repo/cases" | tr -d '\r' >"$out/summary-py.csv"
	tr -d '\r' <"$out/summary-c.csv" | sed -n '/^Cases by status$/,$p' | sed 1,2d |
		cmp -s - "$out/summary-py.csv" ||
		echo "bench: the Python summary differs from ip-report's" >&2
fi

rows=$((n / 10))
awk -v n="$rows" 'BEGIN {
	print "given,family,birth_date,sex,nationality,return_country,return_region,languages,programmes,consent,counsellor"
	for (i = 0; i < n; i++)
		printf "G%d,F%d,19%02d-%02d-%02d,female,AF,AF,AF-KAB,prs;deu,REAG-GARP-2,counselling;referral:AF,A. Berger\n", i, i, 50 + i % 50, 1 + i % 12, 1 + i % 28
}' >"$out/rows.csv"
"$bin/ip-intake" -q --init --centre BE-LAF "$out/intake"
# A batch syncs its file system once (syncfs): flush what the generator
# left dirty first, or the intake figure would include writing it.
sync
intake=$(seconds "$bin/ip-intake" -C "$out/intake" --from "$out/rows.csv")
intake_read=$(seconds tools/ip-readall "$out/intake/cases")

# A German Excel export (Windows-1252, ';', German headers, dates and
# labels) of $sheet people imported into the $n-case repository: every
# row checked against every person there (exact and near matches, through
# the index of persons). Baselines: the same rows into an empty
# repository, and the index built from nothing (ip-check --duplicates with
# no index), then used as it is.
sheet=${BENCH_SHEET:-10000}
awk -v n="$sheet" 'BEGIN {
	split("Ha ri ma sa li na ka ya zi mo ra de lo ba ne ti ku fe go ju", s, " ")
	split("Amina Bashir Dilan Elira Farid Gul Hamid Ilir Jamila Karim Laleh Nabil Omid Parwin Rahel Samir Tahmina Valon Walid Yasmin", g, " ")
	split("männlich weiblich", sex, " ")
	split("Afghanistan Syrien Irak Kosovo Albanien Türkei Iran Nigeria Ghana Georgien", land, " ")
	print "Vorname;Nachname;Geburtsdatum;Geschlecht;Staatsangehörigkeit;Rückkehrland;Sprache;Aufnahmedatum"
	for (i = 0; i < n; i++) {
		f = s[1 + i % 20] s[1 + int(i / 20) % 20] s[1 + int(i / 400) % 20] "i"
		printf "%s;%s;%d.%d.%d;%s;%s;%s;Deutsch;%d.%d.2025\r\n", g[1 + (int(i / 8000) + i) % 20], f,
			1 + i % 28, 1 + int(i / 28) % 12, 1950 + int(i / 336) % 50, sex[1 + i % 2],
			land[1 + i % 10], land[1 + i % 10], 1 + i % 28, 1 + i % 12
	}
}' | iconv -f UTF-8 -t WINDOWS-1252 >"$out/sheet.csv"
"$bin/ip-intake" -q --init --centre BY-MUC "$out/sheet-empty"
sync
sheet_empty=$(seconds "$bin/ip-intake" -C "$out/sheet-empty" --from "$out/sheet.csv")
rm -f "$out/repo/.integplan/cache/persons.tsv"
index_cold=$(seconds "$bin/ip-check" -q -C "$out/repo" --duplicates)
index_warm=$(seconds "$bin/ip-check" -q -C "$out/repo" --duplicates)
pairs=$("$bin/ip-check" -q -C "$out/repo" --duplicates -f jsonl | wc -l)
before=$(find "$out/repo/cases" -name '*.yaml' | wc -l)
sync
sheet_full=$(seconds "$bin/ip-intake" -C "$out/repo" --from "$out/sheet.csv")
sheet_opened=$(( $(find "$out/repo/cases" -name '*.yaml' | wc -l) - before ))

# Between centre and partner: $exchanged referrals sent, signed and
# encrypted to one stream; opened at the partner; answered (one signed,
# encrypted file each) and received. Baselines: age alone over the same
# bytes, and reading and checking the cases (ip-check).
exchanged=${BENCH_EXCHANGE:-1000}
x=$out/exchange
mkdir -p "$x/keys"
"$bin/ip-intake" -q --init --centre BY-MUC "$x/centre"
"$bin/ip-intake" -q --init --centre AF-KBL-PH "$x/partner"
head -n $((exchanged + 1)) "$out/rows.csv" | "$bin/ip-intake" -q -C "$x/centre" --from - >/dev/null
age-keygen -o "$x/keys/partner" 2>/dev/null
age-keygen -o "$x/keys/centre" 2>/dev/null
cp share/integplan/partners.yaml "$x/partners.yaml"
sed -i -e "s|^  - id: AF-KBL-PH\$|&\n    age: $(age-keygen -y "$x/keys/partner")\n    sign: $("$bin/ip-refer" -C "$x/partner" key)|" \
	-e "s|^  - id: BY-MUC\$|&\n    age: $(age-keygen -y "$x/keys/centre")\n    sign: $("$bin/ip-refer" -C "$x/centre" key)|" \
	"$x/partners.yaml"
for side in centre partner; do
	printf 'partners: %s\n' "$PWD/$x/partners.yaml" >>"$x/$side/.integplan/config.yaml"
done
# send --out writes one file per package: two copies of the centre send
# the same referrals encrypted and plain (encryption starts no process)
cp -a "$x/centre" "$x/centre-enc"
cp -a "$x/centre" "$x/centre-plain"
sync
x_check=$(seconds "$bin/ip-check" -q -C "$x/centre")
x_out_enc=$(seconds "$bin/ip-refer" -C "$x/centre-enc" send -q --to AF-KBL-PH \
	--service job-placement --out "$x/out-enc" "$x/centre-enc/cases")
x_out_plain=$(seconds "$bin/ip-refer" -C "$x/centre-plain" send -q --no-encrypt --to AF-KBL-PH \
	--service job-placement --out "$x/out-plain" "$x/centre-plain/cases")
x_send=$(seconds sh -c "'$bin/ip-refer' -C '$x/centre' send -q --to AF-KBL-PH \
	--service job-placement '$x/centre/cases' >'$x/packages.age'")
# the stream is one age file per chunk of 256 cases: decrypted one by one
mkdir -p "$x/parts"
awk -v d="$x/parts" '/^-----BEGIN AGE ENCRYPTED FILE-----$/ { n++ } { print >(d "/" n ".age") }' \
	"$x/packages.age"
for part in "$x"/parts/*.age; do
	age -d -i "$x/keys/partner" "$part"
done >"$x/packages.jsonl"
x_age=$(seconds sh -c "age -e -r '$(age-keygen -y "$x/keys/partner")' -a \
	<'$x/packages.jsonl' >'$x/again.age'")
x_open=$(seconds "$bin/ip-intake" -C "$x/partner" --from-referral "$x/packages.age" \
	--identity "$x/keys/partner")
"$bin/ip-refer" -C "$x/partner" update -q -i --status accepted "$x/partner/cases" >/dev/null
x_respond=$(seconds "$bin/ip-refer" -C "$x/partner" respond -q --out "$x/inbox" \
	"$x/partner/cases")
x_receive=$(seconds "$bin/ip-refer" -C "$x/centre" receive -q --identity "$x/keys/centre" \
	"$x"/inbox/*)
x_sent=$(grep -c '"schema"' "$x/packages.jsonl" || true)
x_got=$(grep -c 'what: "response 1 of .*: accepted' "$x"/centre/cases/*.yaml | awk -F: '{ n += $2 } END { print n + 0 }')
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

cat <<REPORT
cases: $n (per ip-check); intake rows: $rows; medians of $rounds runs where a goal is set,
a goal's ratio the median of each run's ratio to its baseline timed right after it,
with the lowest and highest of those ratios
baseline read (all files whole):      ${read}s
baseline parse (ip-check --no-schema): ${parse}s = $(ratio "$parse" "$read") x read
ip-check --print -f jsonl:              ${print}s = $(ratio "$print" "$parse") x parse
baseline libyaml parse only:            ${libyaml}s
baseline lstat only:                    ${lstat}s
                                        one pass                          careful way (IP_READER=tree)
ip-check (schema, rules), -j 1:         ${check}s = ${check_r} x libyaml (runs ${check_lo}-${check_hi}; goal <= 1.5)   ${check_tree}s = $(ratio "$check_tree" "$libyaml") x libyaml
ip-check, threads (the online CPUs):    ${checkj}s = $(ratio "$checkj" "$libyaml") x libyaml
ip-report summary, cold, -j 1:          ${cold1}s = ${cold1_r} x libyaml (runs ${cold1_lo}-${cold1_hi}; goal <= 1.5)   ${cold1_tree}s = $(ratio "$cold1_tree" "$libyaml") x libyaml
ip-report summary, cold, -j $(nproc):          ${coldj}s = ${coldj_r} x libyaml (runs ${coldj_lo}-${coldj_hi}; goal <= 0.9)   ${coldj_tree}s = $(ratio "$coldj_tree" "$libyaml") x libyaml
ip-report summary, warm (cache):        ${warm}s = ${warm_r} x lstat (runs ${warm_lo}-${warm_hi}; goal <= 2)
ip-report summary, warm, 1 % changed:   ${warm1}s = ${warm1_r} x lstat (runs ${warm1_lo}-${warm1_hi}; goal <= 2.5)
the reports of every way:               $same
ip-report summary, peak RSS (cold, -j 1): $((rss / 1024)) MiB (goal <= 32 at 300,000)
Python 3 + PyYAML CSafeLoader summary:  ${python:-not measured (no python3-yaml)}s$( [ -n "${python:-}" ] && printf ' = %s x ip-report cold -j 1 (goal >= 10)' "$(ratio "$python" "$cold1")")
ip-intake --from ($rows rows, written and synced): ${intake}s = $(ratio "$intake" "$intake_read") x reading the cases it wrote
German Excel export (Windows-1252), $sheet rows, into an empty repository: ${sheet_empty}s = $(rate "$sheet" "$sheet_empty") rows/s
the same rows into the $n-case repository (duplicate check through the index): ${sheet_full}s = $(rate "$sheet" "$sheet_full") rows/s, $(ratio "$sheet_full" "$sheet_empty") x into an empty one; $sheet_opened opened, the others refused as (near) matches
index of persons, $n cases, built from nothing: ${index_cold}s = $(rate "$n" "$index_cold") cases/s; used as it is: ${index_warm}s = $(ratio "$index_warm" "$lstat") x lstat; $pairs pairs of cases that may be one person (the generator repeats names)
exchange: $x_sent packages signed, encrypted and sent; $x_got responses received
baseline ip-check of the centre's cases: ${x_check}s; age alone over the packages: ${x_age}s
ip-refer send (signed, one age stream): ${x_send}s = $(rate "$x_sent" "$x_send") packages/s, $(ratio "$x_send" "$x_check") x ip-check
ip-refer send --out (one file each), encrypted: ${x_out_enc}s = $(ratio "$x_out_enc" "$x_out_plain") x unencrypted (${x_out_plain}s; goal <= 1.5)
ip-intake --from-referral (verified):   ${x_open}s = $(rate "$x_sent" "$x_open") packages/s
ip-refer respond --out (signed, one age file each): ${x_respond}s = $(rate "$x_sent" "$x_respond") responses/s
ip-refer receive (verified, decrypted): ${x_receive}s = $(rate "$x_got" "$x_receive") responses/s
REPORT
