#!/bin/sh
# tools/lmbench/guest.sh - runs inside the guest (Keel or Linux) under busybox
# sh: the lmbench rows, each between "=== NAME" and "=== end NAME status N"
# lines that tools/lmbench/run.sh parses.  Usage: guest.sh [ROW...] (none: all).
B=/bin
dd if=/dev/zero of=/tmp/lmfile bs=1024 count=4096 2>/dev/null
echo hi > /tmp/lmsmall
cp $B/hello /tmp/hello
row() { # row NAME CMD...
	n=$1; shift
	if [ -n "$ROWS" ]; then case " $ROWS " in *" $n "*) ;; *) return ;; esac; fi
	echo "=== $n"
	"$@" 2>&1
	echo "=== end $n status $?"
}
ROWS="$*"
row null      $B/lat_syscall null
row read      $B/lat_syscall read
row write     $B/lat_syscall write
row stat      $B/lat_syscall stat /tmp/lmsmall
row fstat     $B/lat_syscall fstat /tmp/lmsmall
row open      $B/lat_syscall open /tmp/lmsmall
row sig_inst  $B/lat_sig install
row sig_catch $B/lat_sig catch
row sig_prot  $B/lat_sig prot /tmp/lmfile
row pipe      $B/lat_pipe
row unix      $B/lat_unix
# (no lat_fifo: in this lmbench3 it leaves a child writing errors for ever)
row ctx0_2    $B/lat_ctx -s 0 2
row ctx16_2   $B/lat_ctx -s 16 2
row ctx0_8    $B/lat_ctx -s 0 8
row ctx16_8   $B/lat_ctx -s 16 8
row fork      $B/lat_proc fork
row exec      $B/lat_proc exec
row shell     $B/lat_proc shell
row pagefault $B/lat_pagefault /tmp/lmfile
row mmap      $B/lat_mmap 4m /tmp/lmfile
row fs        $B/lat_fs /tmp
row bw_pipe   $B/bw_pipe
row bw_unix   $B/bw_unix
row bw_mem_rd $B/bw_mem 1m rd
row bw_mem_cp $B/bw_mem 1m bcopy
row select10  $B/lat_select -n 10 file
row select100 $B/lat_select -n 100 file
row fcntl     $B/lat_fcntl
echo "=== done"
