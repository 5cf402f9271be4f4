#!/bin/sh
# make valgrind: the whole of make demo (every command's main paths: intake
# from CSV, assess, plan, render, check, report, refer with encryption, the
# partner's side) with each ip-* command run under valgrind's memcheck.
# Fails on any memory error or definitely lost block, and names the log.
set -u
cd "$(dirname "$0")/.." || exit 2
out=${VALGRIND_OUT:-valgrind.out}
rm -rf "$out"
mkdir -p "$out/bin" "$out/logs"
for c in bin/ip-*; do
	name=$(basename "$c")
	cat >"$out/bin/$name" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
	--show-leak-kinds=definite --log-file="$PWD/$out/logs/$name.%p" "$PWD/$c" "\$@"
WRAP
	chmod 755 "$out/bin/$name"
done
IP_BIN="$PWD/$out/bin" sh tools/demo.sh >"$out/demo.log" 2>&1
rc=$?
runs=$(find "$out/logs" -type f | wc -l)
bad=$(find "$out/logs" -type f -size +0 | sort)
if [ -n "$bad" ]; then
	echo "valgrind: errors in $(echo "$bad" | wc -l) of $runs runs:"
	for log in $bad; do
		echo "  $log:"
		sed -n '1,60s/^/    /p' "$log"
	done
	tail -n 20 "$out/demo.log" | sed 's/^/  demo: /'
	exit 1
fi
if [ "$rc" -ne 0 ]; then
	echo "valgrind: the demo failed under valgrind (exit $rc); see $out/demo.log"
	tail -n 20 "$out/demo.log" | sed 's/^/  demo: /'
	exit 1
fi
echo "valgrind: $runs command runs of make demo, no memory errors, nothing definitely lost"
