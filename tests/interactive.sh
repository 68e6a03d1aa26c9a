#!/usr/bin/env bash
# tests/interactive.sh — drive `./keel run` like a person at the serial
# console (through tmux) and check the answers: a pipeline, Ctrl-C of a
# foreground sleep, the prompt's hostname, and poweroff ending QEMU.
# Prints "N passed, N failed". Layer: test harness. Needs tmux (tools/deps.sh).
set -u
cd "$(dirname "$0")/.."
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }
if ! command -v tmux >/dev/null; then
	echo "tmux missing (tools/deps.sh)"; echo "0 passed, 1 failed"; exit 1
fi
S=keel-interactive-$$
done_file=$(mktemp)
rm -f "$done_file"
trap 'tmux kill-session -t "$S" 2>/dev/null; rm -f "$done_file"' EXIT
tmux new-session -d -s "$S" -x 120 -y 50 "KEEL_NO_BUILD=1 ./keel run; touch $done_file; sleep 60"
screen() { tmux capture-pane -p -t "$S" -S -200; }
# wait_for TEXT SECONDS: until the screen shows TEXT
wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
type_line() { tmux send-keys -t "$S" -l "$1"; tmux send-keys -t "$S" Enter; }

if wait_for 'keel:~#' 30; then ok "boots to a shell prompt with hostname and HOME"; else ko "no prompt"; screen | tail -5; fi
type_line 'echo hi | tr a-z A-Z'
if wait_for 'HI' 10; then ok "echo hi | tr a-z A-Z prints HI"; else ko "pipeline"; fi
type_line 'echo $PATH'
if wait_for '/sbin:/usr/sbin:/bin:/usr/bin' 10; then ok "PATH set"; else ko "PATH"; fi
type_line 'sleep 100'
sleep 1
t0=$(date +%s%N)
tmux send-keys -t "$S" C-c
type_line 'echo back-$((6*7))'
if wait_for 'back-42' 5; then
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	if [ "$ms" -lt 1500 ]; then ok "Ctrl-C ends sleep 100 (${ms} ms)"; else ko "Ctrl-C took ${ms} ms"; fi
else
	ko "Ctrl-C did not return to the prompt"
fi
# procfs and the tools that read it (each marker is computed, so the typed
# command line itself never matches it)
type_line 'ls /proc | grep -qx "[0-9][0-9]*" && ls /proc | grep -qx self && echo proc-$((2+3))-ok'
if wait_for 'proc-5-ok' 10; then ok "ls /proc lists numeric pids"; else ko "ls /proc"; fi
type_line 'ps | grep -q "^ *$$ .*sh" && echo ps-$((2*3))-ok'
if wait_for 'ps-6-ok' 10; then ok "ps shows the shell"; else ko "ps"; screen | tail -8; fi
type_line 'free | awk "/^Mem:/ { print \"free-\" ((\$2 > 450000 && \$2 < 530000) ? \"near\" : \"off\") \"-512M\" }"'
if wait_for 'free-near-512M' 10; then ok "free shows a total near the guest's 512 MiB"; else ko "free"; screen | tail -8; fi
type_line 'df | awk "\$6 == \"/\" && \$2 > 0 { print \"df-\" \"has-root\" }"'
if wait_for 'df-has-root' 10; then ok "df shows /"; else ko "df"; screen | tail -8; fi
type_line 'echo mounts-$(mount | grep -c -e "^proc on /proc type proc" -e "^tmpfs on / type tmpfs")-found'
if wait_for 'mounts-2-found' 10; then ok "mount lists proc and tmpfs"; else ko "mount"; screen | tail -8; fi
type_line 'uptime'
if wait_for 'load average: 0.00' 10; then ok "uptime prints the load average"; else ko "uptime"; screen | tail -4; fi
type_line 'top -n 1'
if wait_for 'Load average:' 10 && wait_for 'K used, ' 2 && wait_for 'CPU:' 2; then ok "top -n 1 prints its header"; else ko "top -n 1"; screen | tail -12; fi
type_line 'clear'
type_line 'poweroff'
for ((i = 0; i < 100; i++)); do [ -e "$done_file" ] && break; sleep 0.1; done
if [ -e "$done_file" ]; then ok "poweroff ends QEMU"; else ko "poweroff"; fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
