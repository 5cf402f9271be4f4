# bash completion for the IntegPlan commands: ip-assess ip-check ip-intake
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
	--files-from | --from)
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
		mapfile -t COMPREPLY < <(compgen -W "--init --centre --state --given --family
			--birth-date --sex --nationality --return-country --return-region
			--planned-departure --language --residence-status --phone --email
			--programme --consent --counsellor --allow-duplicate --stdout --from
			--list-fields --list $_integplan_common_opts" -- "$cur")
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

complete -F _ip_assess ip-assess
complete -F _ip_check ip-check
complete -F _ip_intake ip-intake
