# fish completion for ip-refer
function __ip_refer_vocab
	ip-intake --list $argv[1] 2>/dev/null | string replace -r ' .*' ''
end
function __ip_refer_partners
	ip-refer partners 2>/dev/null | string replace -r ' .*' ''
end
set -l subs send update respond receive partners
complete -c ip-refer -f -n "not __fish_seen_subcommand_from $subs" -a send -d 'Refer cases to a partner'
complete -c ip-refer -f -n "not __fish_seen_subcommand_from $subs" -a update -d 'Change the state of a referral'
complete -c ip-refer -f -n "not __fish_seen_subcommand_from $subs" -a respond -d 'Answer a referral (partner side)'
complete -c ip-refer -f -n "not __fish_seen_subcommand_from $subs" -a receive -d 'Merge a response (host side)'
complete -c ip-refer -f -n "not __fish_seen_subcommand_from $subs" -a partners -d 'List the partner directory'
complete -c ip-refer -n '__fish_seen_subcommand_from send' -l to -x -a '(__ip_refer_partners)' -d 'The partner'
complete -c ip-refer -n '__fish_seen_subcommand_from send' -l service -x -a '(__ip_refer_vocab measure)' -d 'A service asked for'
complete -c ip-refer -n '__fish_seen_subcommand_from send respond' -l out -x -a '(__fish_complete_directories)' -d 'One file per package in'
complete -c ip-refer -n '__fish_seen_subcommand_from send receive' -l results -r -F -d 'A JSON Lines result per input'
complete -c ip-refer -n '__fish_seen_subcommand_from send respond' -l no-encrypt -d 'Plain text even to a partner with a key'
complete -c ip-refer -n '__fish_seen_subcommand_from send respond partners' -l partners -r -F -d 'The partner directory'
complete -c ip-refer -n '__fish_seen_subcommand_from update respond' -l referral -x -d 'The referral'
complete -c ip-refer -n '__fish_seen_subcommand_from update' -l status -x -a '(__ip_refer_vocab referral-status)' -d 'New status'
complete -c ip-refer -n '__fish_seen_subcommand_from update' -l success -x -a '(__ip_refer_vocab referral-success)' -d 'Success of done'
complete -c ip-refer -n '__fish_seen_subcommand_from update' -l reason -x -a '(__ip_refer_vocab referral-reason)' -d 'Why'
complete -c ip-refer -n '__fish_seen_subcommand_from update respond' -l note -x -d 'A note'
complete -c ip-refer -n '__fish_seen_subcommand_from update' -l date -x -d 'The day of the change'
complete -c ip-refer -n '__fish_seen_subcommand_from update' -s i -l in-place -d 'Write the cases back'
complete -c ip-refer -n '__fish_seen_subcommand_from receive' -l identity -r -F -d 'age key to decrypt with'
complete -c ip-refer -l list -x -a 'referral-status referral-success referral-reason measure partner-kind' -d 'List a vocabulary'
complete -c ip-refer -s C -l directory -x -a '(__fish_complete_directories)' -d 'Case repository'
complete -c ip-refer -l files-from -r -F -d 'Read input paths from a file'
complete -c ip-refer -s 0 -l null -d 'NUL-terminated path lists'
complete -c ip-refer -s f -l format -x -a 'yaml json jsonl' -d 'Output format'
complete -c ip-refer -s q -l quiet -d 'No summary line'
complete -c ip-refer -l actor -x -d 'Name recorded in the history'
