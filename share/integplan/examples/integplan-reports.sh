#!/bin/sh
# integplan-reports.sh due|indicators — the reports cron or a systemd timer
# makes: "due", the nightly list of what falls due within 14 days (and what
# is overdue); "indicators", the funders' indicators of the quarter that
# just ended. Each lands in $IP_REPORTS (default ~/integplan-reports) as
# due-YYYY-MM-DD.csv or indicators-YYYY-QN.csv, written under a temporary
# name and then renamed, so a reader never sees half a report; a report
# that fails leaves neither it nor its temporary file.
#
# IP_DIR names the case repository. Silent unless something fails; then
# the error is on stderr (cron mails it; journald keeps it).
set -eu
: "${IP_DIR:?set IP_DIR to the case repository}"
out=${IP_REPORTS:-$HOME/integplan-reports}
umask 077 # the due list names people
mkdir -p "$out"

# The quarter before today's, as YYYY-QN.
previous_quarter() {
	year=$(date +%Y)
	quarter=$((($(date +%m | sed 's/^0//') - 1) / 3))
	if [ "$quarter" -eq 0 ]; then
		year=$((year - 1))
		quarter=4
	fi
	echo "$year-Q$quarter"
}

case ${1:-} in
due) name=due-$(date +%Y-%m-%d).csv ;;
indicators) name=indicators-$(previous_quarter).csv ;;
*) ;;
esac
tmp="$out/.${name:-none}.tmp"
trap 'rm -f "$tmp"' EXIT
case ${1:-} in
due)
	ip-report -q --no-progress due --within 14d -f csv >"$tmp"
	;;
indicators)
	ip-report -q --no-progress indicators --period "$(previous_quarter)" -f csv >"$tmp"
	;;
*)
	echo "usage: integplan-reports.sh due|indicators" >&2
	exit 64
	;;
esac
mv "$tmp" "$out/$name"
