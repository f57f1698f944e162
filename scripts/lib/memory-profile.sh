# memory-profile.sh: sourced by the stage scripts for --profile-memory.
#
#   memory_profile_start FILE CMDLINE   sample the summed RSS of this script and every process below it (the
#                                       tools of its pipelines, not the sampler) every 0.1 s into FILE.tmp, in
#                                       the format mprof plot reads ("CMDLINE ...", then "MEM <MiB> <time>")
#   memory_profile_stop FILE            stop sampling and move FILE.tmp to FILE
#   memory_profile_kill                 stop sampling (for an EXIT trap); FILE.tmp stays for a look
#
# The sampler's pid is in $memory_sampler (empty when none runs).

memory_sampler=

memory_profile_start() {
	(
		self=$$
		printf 'CMDLINE %s\n' "$2"
		while kill -0 "$self" 2>/dev/null; do
			kb=$(ps -e -o pid=,ppid=,rss= 2>/dev/null | awk -v root="$self" -v skip="$BASHPID" '
				{ parent[$1] = $2; rss[$1] = $3 }
				END {
					for (p in parent) {
						for (q = p; q != "" && q != 0 && q != 1; q = parent[q]) {
							if (q == skip) break
							if (q == root) { sum += rss[p]; break }
						}
					}
					print sum + 0
				}')
			awk -v kb="$kb" -v t="$(date +%s.%N)" 'BEGIN { printf "MEM %.6f %.4f\n", kb / 1024, t }'
			sleep 0.1
		done
	) >"$1.tmp" &
	memory_sampler=$!
}

memory_profile_kill() {
	[ -z "$memory_sampler" ] || kill "$memory_sampler" 2>/dev/null || true
}

memory_profile_stop() {
	[ -n "$memory_sampler" ] || return 0
	kill "$memory_sampler" 2>/dev/null || true
	wait "$memory_sampler" 2>/dev/null || true
	memory_sampler=
	mv "$1.tmp" "$1"
}
