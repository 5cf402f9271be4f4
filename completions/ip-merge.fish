# fish completion for ip-merge (BASE OURS THEIRS [NAME] are files)
complete -c ip-merge -s p -l stdout -d 'Print the result instead of replacing OURS'
complete -c ip-merge -s f -l format -x -a 'yaml json' -d 'Output format'
complete -c ip-merge -s q -l quiet -d 'No summary line'
complete -c ip-merge -l max-file-size -x -d 'Refuse larger input files'
