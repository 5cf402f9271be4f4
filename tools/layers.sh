#!/bin/sh
# The layers of lib/: base <- data <- domain <- storage <- command line.
# Each header says its layer ("Layer: data."); a .c file belongs to its
# header's module (ip_x.c to ip_x.h), or, without one, to the module of the
# first project header it includes. A module may include its own layer and
# those below, never one above; and the modules' includes have no cycle.
# Prints every violation and exits 1; quiet and 0 when the layers hold.
# tests/0050-install-docs.bats runs it in make check.
cd "$(dirname "$0")/.." || exit 2
edges=$(mktemp) || exit 2
trap 'rm -f "$edges"' EXIT INT TERM

awk -v edges="$edges" '
BEGIN {
	rank["base"] = 1; rank["data"] = 2; rank["domain"] = 3
	rank["storage"] = 4; rank["command line"] = 5
}
function module_of(file) { sub(/.*\//, "", file); sub(/\.[ch]$/, "", file); return file }
FNR == 1 { file = FILENAME; mod = module_of(file); files[file] = mod; nfirst = 0 }
/Layer: / && FILENAME ~ /\.h$/ {
	l = $0; sub(/.*Layer: /, "", l); sub(/\..*/, "", l)
	if (!(l in rank)) { printf "%s: unknown layer '\''%s'\''\n", FILENAME, l; bad = 1 }
	layer[mod] = l
}
/^#include "ip_[a-z0-9_]*\.h"/ {
	h = $2; gsub(/"/, "", h); sub(/\.h$/, "", h)
	inc[file, ++ninc[file]] = h
}
END {
	for (f in files) if (f ~ /\.h$/ && !(files[f] in layer)) {
		printf "%s: no \"Layer:\" line in its first comment\n", f; bad = 1
	}
	for (f in files) {
		m = files[f]
		if (!(m in layer)) {          # a .c file of another module
			for (i = 1; i <= ninc[f]; i++) if (inc[f, i] in layer) { m = inc[f, i]; break }
			if (!(m in layer)) { printf "%s: belongs to no module with a layer\n", f; bad = 1; continue }
		}
		for (i = 1; i <= ninc[f]; i++) {
			h = inc[f, i]
			if (!(h in layer)) { printf "%s: includes %s.h, which has no layer\n", f, h; bad = 1; continue }
			if (rank[layer[h]] > rank[layer[m]]) {
				printf "%s: includes %s.h upward (%s is %s, %s is %s)\n", f, h, m, layer[m], h, layer[h]
				bad = 1
			}
			if (h != m) print h, m >edges
		}
	}
	exit bad
}' lib/*.h lib/*.c || status=1

# tsort names a loop on standard error when the modules include in a cycle.
tsort "$edges" >/dev/null 2>"$edges.err"
if [ -s "$edges.err" ]; then
	sed -e 's/^tsort: [^:]*: input contains a loop:/include cycle:/' -e 's/^tsort: /  /' "$edges.err"
	status=1
fi
rm -f "$edges.err"
exit "${status:-0}"
