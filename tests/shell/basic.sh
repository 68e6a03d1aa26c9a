# tests/shell/basic.sh — a busybox sh script run on the host and on Keel;
# the outputs must match byte for byte. Deterministic: its own files under
# /tmp/keeltest-sh, no times, no pids. Run as: busybox sh basic.sh
T=/tmp/keeltest-sh
rm -rf $T
mkdir -p $T/a/b/c $T/d
cd $T || exit 1
echo "== pipes"
printf 'pear\napple\nfig\nbanana\napple\n' | sort | uniq -c | sed 's/^ *//'
echo hello world | tr a-z A-Z | rev 2>/dev/null || echo "rev missing"
seq 1 20 | grep 1 | wc -l
printf 'a b c\n' | { read x y z; echo "$z$y$x"; }
echo "== subshells"
x=outer
(x=inner; echo "in: $x"; exit 3)
echo "status $? x=$x"
(cd a/b && pwd)
pwd
echo "== command substitution"
n=$(echo one two three | wc -w)
echo "words: $((n + 0))"
nested=$(echo $(echo deep $(echo deeper)))
echo "$nested"
old=`echo backticks`
echo $old
echo "== here-documents"
cat <<END
value of x: $x
arith: $((3 * 7))
END
cat <<'END'
literal $x $(no)
END
tr a-z A-Z <<-END
	tab stripped
	END
echo "== redirections"
echo first >f1
echo second >>f1
cat f1
echo err 2>&1 >/dev/null 1>&2 | cat
ls nonexistent-file 2>/dev/null || echo "ls failed as expected"
{ echo out; echo err >&2; } 2>f2 >f3
echo "f2=$(cat f2) f3=$(cat f3)"
exec 3>f4
echo via-fd3 >&3
exec 3>&-
cat f4
while read line; do echo "line: $line"; done <f1
echo "== traps"
trap 'echo trapped EXIT in subshell' EXIT
( trap 'echo sub exit' EXIT; echo in sub )
trap - EXIT
( trap 'echo got USR1' USR1; kill -USR1 $(sh -c 'echo $PPID'); echo after kill ) 2>/dev/null
sh -c 'trap "echo caught TERM; exit 7" TERM; kill -TERM $$; echo not reached'
echo "status $?"
echo "== background jobs"
( echo bg1 >bg1.out ) &
( sleep 0; echo bg2 >bg2.out ) &
wait
cat bg1.out bg2.out
sh -c 'exit 5' &
wait $!
echo "bg status $?"
for i in 1 2 3; do ( echo job$i >job$i ) & done
wait
cat job1 job2 job3
echo "== find"
touch a/x.txt a/b/y.txt a/b/c/z.txt d/w.log
find . -name '*.txt' | sort
find . -type d | sort
find a -type f -name 'y*'
echo "== sort"
printf '10\n9\n100\n1\n' | sort -n
printf '10\n9\n100\n1\n' | sort
printf 'b 2\na 3\nc 1\n' | sort -k2 -n
printf 'x\ny\nx\n' | sort -u
printf 'b\na\nc\n' | sort -r
echo "== awk"
printf 'alice 30\nbob 25\ncarol 35\n' | awk '{ s += $2; print NR ": " toupper($1) } END { print "sum", s, "avg", s / NR }'
echo 'a:b:c' | awk -F: '{ print $3, $1; print NF }'
awk 'BEGIN { for (i = 1; i <= 5; i++) printf "%d ", i * i; print "" }'
echo "== sed"
printf 'one\ntwo\nthree\n' | sed -n '2p'
echo 'hello world' | sed 's/o/0/g; s/^h/H/'
printf 'a\nb\nc\n' | sed '2d'
printf 'k=v\n' >cfg; sed -i 's/v/w/' cfg; cat cfg
echo "== md5sum"
echo 'keel' | md5sum
printf '' | md5sum
md5sum cfg f1
echo "== dd"
dd if=/dev/zero of=zeros bs=512 count=8 2>/dev/null
wc -c <zeros
md5sum <zeros
printf 'abcdefghij' | dd bs=1 skip=3 count=4 2>/dev/null; echo
dd if=f1 of=f1.copy bs=3 2>/dev/null; cmp f1 f1.copy && echo copies equal
dd if=/dev/zero bs=1k count=64 2>/dev/null | md5sum
echo "== misc"
case foo.txt in *.txt) echo is-txt ;; *) echo no ;; esac
set -- a "b c" d
echo "$# args: $2"
for a in "$@"; do printf '[%s]' "$a"; done; echo
i=0; while [ $i -lt 5 ]; do i=$((i + 1)); done; echo i=$i
f() { local v=$1; echo "func $v"; return 4; }
f arg; echo "func status $?"
test -d a && test ! -e nope && echo tests-ok
echo ${x:-default} ${unset_var:-default} ${#x}
v=path/to/file.tar.gz
echo ${v##*/} ${v%%.*} ${v#*/} ${v%.*}
cd /
rm -rf $T
echo done
