#!/bin/bash
# tests/debian/check.sh — runs inside the Debian root (build/debian/root):
# on Keel (keel exec --rootfs-initramfs) and on the host's Linux (chroot
# into the same tree); tests/debian/run.sh compares the two outputs.
# Everything printed must be deterministic: no times, pids or addresses.
set -u
export LC_ALL=C PATH=/usr/bin:/bin
d=/tmp/debian-check
rm -rf "$d"; mkdir -p "$d"; cd "$d" || exit 1

echo "== coreutils, findutils, grep, sed, gawk"
printf 'banana\napple\ncherry\napple pie\n' > in.txt
sort in.txt
sort -u -r in.txt | head -n 2
sha256sum in.txt
wc -l < in.txt
grep -c apple in.txt
sed 's/a/A/g; 2d' in.txt
gawk '{ n += length($0) } END { print "chars", n }' in.txt
mkdir -p tree/a/b tree/c; touch tree/a/b/f1 tree/c/f2; echo x > tree/a/f3
find tree | sort
find tree -type f -name 'f*' | sort | xargs -n1 basename

echo "== tar, gzip"
tar -cf t.tar tree
tar -tf t.tar | sort
mkdir out && tar -xf t.tar -C out && cat out/tree/a/f3
gzip -9 -n -c in.txt > in.gz && gzip -dc in.gz | md5sum
sha256sum in.gz | cut -c1-16
tar -czf t.tgz tree && tar -tzf t.tgz | wc -l

echo "== bash: pipelines, command substitution, job control"
bash -c 'echo $((6 * 7)) "$0" "$1"' arg0 arg1
x=$(echo substituted | tr a-z A-Z); echo "$x"
echo "nested $(echo "$(echo deep)")"
seq 1 100 | grep 7 | sort -rn | head -n 3 | paste -sd,
( # job control; the shell's own "Terminated" notice goes to stderr
set -m
sleep 5 & victim=$!
sleep 0.1 & quick=$!
wait "$quick"; echo "quick job status $?"
jobs | wc -l
kill %1; wait "$victim"; echo "killed job status $?"
) 2>/dev/null
true | false | true; echo "pipestatus ${PIPESTATUS[*]}"
f() { local v=$1; echo "func $v"; }; f local
arr=(one two three); echo "${#arr[@]} ${arr[1]}"

echo "== busybox, perl-base"
busybox echo from busybox
busybox sh -c 'echo busybox sh $((1 + 2))'
perl -e 'my %h = (a => 1, b => 2); print join(",", map { "$_=$h{$_}" } sort keys %h), "\n"'

echo "== python3"
python3 - <<'PY'
import json, hashlib, sqlite3, threading, subprocess, os
print(json.dumps({"b": [1, 2], "a": None}, sort_keys=True))
print(hashlib.sha256(b"keel").hexdigest()[:16], hashlib.md5(b"keel").hexdigest()[:8])
db = sqlite3.connect("py.db")
db.execute("create table t (k text, v integer)")
db.executemany("insert into t values (?, ?)", [("x", 1), ("y", 2), ("x", 3)])
db.commit()
print(db.execute("select k, sum(v) from t group by k order by k").fetchall())
db.close()
out = []
lock = threading.Lock()
def work(i):
    with lock:
        out.append(i * i)
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print(sorted(out))
r = subprocess.run(["sh", "-c", "echo child; exit 3"], capture_output=True, text=True)
print(repr(r.stdout), r.returncode)
print(subprocess.check_output("echo a b | wc -w", shell=True).decode().strip())
print(os.path.exists("py.db"))
PY

echo "== sqlite3"
sqlite3 cli.db 'create table n (i integer); insert into n values (1), (2), (3);'
sqlite3 cli.db 'select count(*), sum(i) from n;'
python3 -c 'import sqlite3; print(sqlite3.connect("cli.db").execute("select max(i) from n").fetchone())'

echo "== strace"
# strace -f (PTRACE_SEIZE, syscall stops, GET_SYSCALL_INFO, vfork
# auto-attach, reading strings from the tracee) of a shell that runs a
# child: each syscall line without its pid, addresses, and the split in
# two that depends on how two processes' events interleave (execve, vfork
# and wait4 lose their arguments; write keeps them, and the output of the
# traced command is checked too).
strace -f -qq -e trace=execve,write,exit_group,wait4,clone,clone3,vfork,fork -e signal=none -o st.txt \
	sh -c '/bin/echo child; echo hello' >st.out 2>&1
echo "strace status $? output $(tr '\n' ' ' <st.out)"
sed -E 's/^[0-9]+ +//; s/^exit_group\(([0-9]+) <unfinished \.\.\.>$/exit_group(\1) = ?/; /<unfinished \.\.\.>$/d' st.txt |
	sed -E 's/^<\.\.\. ([a-z0-9_]+) resumed>.*\) += (.*)$/\1(...) = \2/' |
	sed -E 's/^(execve|vfork|clone|clone3|fork)\(.*\) += (.*)$/\1(...) = \2/' |
	sed -E 's/^(wait4|vfork|clone|clone3|fork)\(.*\) += [1-9][0-9]*$/\1(...) = PID/; s/0x[0-9a-f]+/ADDR/g; s/ +/ /g' | sort

cd /; rm -rf "$d"
echo "== done"
