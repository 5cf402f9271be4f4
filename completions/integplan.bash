# bash completion for the IntegPlan commands: ip-assess ip-check ip-intake ip-merge ip-plan ip-refer ip-report
# Installed once per command name, so bash-completion loads it on demand.

_integplan_vocab() { # NAME: the ids of a vocabulary
	ip-intake --list "$1" 2>/dev/null | cut -d' ' -f1
}

_integplan_common() { # PREV: complete an argument of a common option; 0 if done
	case $1 in
	-f | --format)
		mapfile -t COMPREPLY < <(compgen -W 'yaml json jsonl' -- "$cur")
		return 0 ;;
	-C | --directory)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0 ;;
	--files-from | --from | --from-referral | --identity | --partners | --results)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0 ;;
	--actor | --max-file-size)
		return 0 ;;
	esac
	return 1
}

_integplan_common_opts='-C --directory --actor --files-from -0 --null -f --format
	-q --quiet --max-file-size --help --version'

_ip_check() {
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	_integplan_common "$prev" && return
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "--print --no-schema $_integplan_common_opts" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur" | grep -E '\.(ya?ml|json)$'; compgen -d -- "$cur")
}

_ip_merge() {
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	_integplan_common "$prev" && return
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "-p --stdout -f --format -q --quiet
			--max-file-size --help --version" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

_ip_intake() {
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	_integplan_common "$prev" && return
	case $prev in
	--sex) mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab sex)" -- "$cur"); return ;;
	--residence-status)
		mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab residence-status)" -- "$cur"); return ;;
	--consent)
		mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab consent-purpose)" -- "$cur"); return ;;
	--list)
		mapfile -t COMPREPLY < <(compgen -W "case-status closure-outcome sex relation residence-status consent-purpose
			vulnerability need priority level side dimension measure measure-status
			referral-status referral-success referral-reason link-relation" -- "$cur")
		return ;;
	--programme)
		mapfile -t COMPREPLY < <(compgen -W 'REAG-GARP-2 STARTHILFEPLUS EU-JRS PERSPEKTIVE-HEIMAT LAND' -- "$cur")
		return ;;
	--given | --family | --birth-date | --nationality | --return-country | --return-region | \
	--planned-departure | --language | --phone | --email | --counsellor | --centre | --state)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "--init --git --centre --state --given --family
			--birth-date --sex --nationality --return-country --return-region
			--planned-departure --language --residence-status --phone --email
			--programme --consent --counsellor --allow-duplicate --stdout --from
			--from-referral --identity --list-fields --list $_integplan_common_opts" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -d -- "$cur")
}

_ip_assess() {
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	_integplan_common "$prev" && return
	case $prev in
	--vulnerability)
		mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab vulnerability)" -- "$cur"); return ;;
	--need)
		mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab need)" -- "$cur"); return ;;
	--risk)
		mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab level)" -- "$cur"); return ;;
	--side)
		mapfile -t COMPREPLY < <(compgen -W 'host return' -- "$cur"); return ;;
	--entrepreneurial)
		mapfile -t COMPREPLY < <(compgen -W 'yes no' -- "$cur"); return ;;
	--education)
		mapfile -t COMPREPLY < <(compgen -W 'isced-0 isced-1 isced-2 isced-3 isced-4 isced-5 isced-6 isced-7 isced-8' -- "$cur"); return ;;
	--household)
		mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab relation)" -- "$cur"); return ;;
	--list)
		mapfile -t COMPREPLY < <(compgen -W 'vulnerabilities needs measures priority level side dimension relation' -- "$cur"); return ;;
	--from | --rules)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	--occupation | --language | --note | --readiness | --by | --date)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "--vulnerability --need --education --occupation
			--language --entrepreneurial --risk --note --readiness --household --side --by
			--date --from --rules -i --in-place --list $_integplan_common_opts" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur" | grep -E '\.(ya?ml|json)$'; compgen -d -- "$cur")
}

_ip_plan_templates() {
	ip-plan templates 2>/dev/null | cut -d' ' -f1
}

_ip_plan() {
	local cur prev sub
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local subs='new add set approve departure arrival follow-up check render templates'
	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
		return
	fi
	sub=${COMP_WORDS[1]}
	case $prev in
	-f | --format)
		if [[ $sub == render ]]; then
			mapfile -t COMPREPLY < <(compgen -W 'md html' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W 'yaml json jsonl' -- "$cur")
		fi
		return ;;
	--template) mapfile -t COMPREPLY < <(compgen -W "$(_ip_plan_templates)" -- "$cur"); return ;;
	--category) mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab measure)" -- "$cur"); return ;;
	--dimension) mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab dimension)" -- "$cur"); return ;;
	--addresses) mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab need)" -- "$cur"); return ;;
	--status) mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab measure-status)" -- "$cur"); return ;;
	--side) mapfile -t COMPREPLY < <(compgen -W 'host return' -- "$cur"); return ;;
	--lang) mapfile -t COMPREPLY < <(compgen -W 'de en' -- "$cur"); return ;;
	--programme)
		mapfile -t COMPREPLY < <(compgen -W 'REAG-GARP-2 STARTHILFEPLUS EU-JRS PERSPEKTIVE-HEIMAT LAND' -- "$cur")
		return ;;
	--list)
		mapfile -t COMPREPLY < <(compgen -W 'measures needs dimension side measure-status' -- "$cur"); return ;;
	--rules) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	--templates | --out-dir) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
	--owner | --due | --amount | --currency | --note | --measure | --by | --date)
		return ;;
	esac
	_integplan_common "$prev" && return
	if [[ $cur == -* ]]; then
		local opts
		case $sub in
		new) opts='--template --replace -i --in-place' ;;
		add) opts='--category --dimension --side --owner --due --amount --currency
			--programme --addresses --note -i --in-place' ;;
		set) opts='--measure --status --owner --due --amount --currency --programme
			--addresses --note -i --in-place' ;;
		approve) opts='--side --by --date -i --in-place' ;;
		departure) opts='--date --planned -i --in-place' ;;
		arrival) opts='--date -i --in-place' ;;
		follow-up) opts='--date --by --note -i --in-place' ;;
		check) opts='--rules' ;;
		render) opts='--lang --templates --out-dir' ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "$opts --list $_integplan_common_opts" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur" | grep -E '\.(ya?ml|json)$'; compgen -d -- "$cur")
}

_ip_report() {
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local fields='status outcome centre state country region sex age vulnerability programme
		measure referral year quarter month departure-year departure-quarter departure-month counsellor'
	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W 'summary kpi due indicators export merge' -- "$cur")
		return
	fi
	case $prev in
	-f | --format)
		mapfile -t COMPREPLY < <(compgen -W 'table csv json jsonl md html' -- "$cur"); return ;;
	--by | --where) mapfile -t COMPREPLY < <(compgen -W "$fields" -- "$cur"); return ;;
	--csv-dialect) mapfile -t COMPREPLY < <(compgen -W 'rfc4180 excel-de' -- "$cur"); return ;;
	--key-file) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	--fields)
		mapfile -t COMPREPLY < <(compgen -W 'id status centre state country region sex birth_date
			opened planned_departure departed arrived closed outcome agreed counsellor given
			family vulnerabilities programmes measures assisted referrals' -- "$cur")
		return ;;
	--since | --until | --within | --counsellor | --period | --min-cell | -j | --jobs)
		return ;;
	esac
	_integplan_common "$prev" && return
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "--by --since --until --where --within --counsellor
			--period --fields --anonymise --key-file --csv-dialect --min-cell -j --jobs
			--no-cache $_integplan_common_opts" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur" | grep -E '\.(ya?ml|json)$'; compgen -d -- "$cur")
}

# Partner ids from the directory in force (the repository's or the site's).
_ip_refer_partners() {
	ip-refer partners 2>/dev/null | cut -d' ' -f1
}

_ip_refer() {
	local cur prev sub
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W 'send update respond receive partners' -- "$cur")
		return
	fi
	sub=${COMP_WORDS[1]}
	case $prev in
	-f | --format) mapfile -t COMPREPLY < <(compgen -W 'yaml json jsonl' -- "$cur"); return ;;
	--to) mapfile -t COMPREPLY < <(compgen -W "$(_ip_refer_partners)" -- "$cur"); return ;;
	--service) mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab measure)" -- "$cur"); return ;;
	--status) mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab referral-status)" -- "$cur"); return ;;
	--success) mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab referral-success)" -- "$cur"); return ;;
	--reason) mapfile -t COMPREPLY < <(compgen -W "$(_integplan_vocab referral-reason)" -- "$cur"); return ;;
	--out) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
	--list)
		mapfile -t COMPREPLY < <(compgen -W 'referral-status referral-success referral-reason
			measure partner-kind' -- "$cur")
		return ;;
	--referral | --note | --date) return ;;
	esac
	_integplan_common "$prev" && return
	if [[ $cur == -* ]]; then
		local opts
		case $sub in
		send) opts='--to --service --out --results --no-encrypt --partners' ;;
		update) opts='--status --success --reason --note --date --referral -i --in-place' ;;
		respond) opts='--referral --note --out --no-encrypt --partners' ;;
		receive) opts='--identity --results' ;;
		partners) opts='--partners' ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "$opts --list $_integplan_common_opts" -- "$cur")
		return
	fi
	if [[ $sub == receive ]]; then
		mapfile -t COMPREPLY < <(compgen -f -- "$cur" | grep -E '\.(json|jsonl|age)$'; compgen -d -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$cur" | grep -E '\.(ya?ml|json)$'; compgen -d -- "$cur")
	fi
}

complete -F _ip_assess ip-assess
complete -F _ip_check ip-check
complete -F _ip_intake ip-intake
complete -F _ip_merge ip-merge
complete -F _ip_plan ip-plan
complete -F _ip_refer ip-refer
complete -F _ip_report ip-report
