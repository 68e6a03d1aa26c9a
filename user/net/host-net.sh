#!/bin/sh
# Runs inside Keel for tests/net.sh: traffic both ways with the host over
# QEMU's user networking (the host's loopback is 10.0.2.2; tests/net.sh
# forwards the host's loopback ports $2 and $3 to the guest's 80 and 5555).
# $1: the host's web server port. Prints "name: ok" lines; "READY" when
# the host may connect in; waits for the host's nc to arrive.
hp=$1
check() { if [ "$2" = "$3" ]; then echo "$1: ok"; else echo "$1: FAILED (want '$2', got '$3')"; fi; }
check eth0-address "inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0" \
	"$(ip addr show eth0 | grep -o 'inet .* eth0')"
check default-route "default via 10.0.2.2 dev eth0" "$(ip route | grep default | sed 's/ *$//')"
check ping-host "2 packets transmitted, 2 packets received, 0% packet loss" \
	"$(ping -c 2 -W 3 10.0.2.2 | grep transmitted)"
check wget-from-host "from the host" "$(wget -q -O - http://10.0.2.2:$hp/hostfile)"
check nc-to-host "from the host" \
	"$(printf 'GET /hostfile HTTP/1.0\r\n\r\n' | nc 10.0.2.2 $hp | tail -n 1)"
check big-from-host "1048576" "$(wget -q -O - http://10.0.2.2:$hp/big | wc -c)"
mkdir -p /www
echo "from the guest" > /www/index.html
httpd -p 80 -h /www
(nc -l -p 5555 > /tmp/ncgot) &
sleep 0.3
echo READY
i=0
while [ $i -lt 60 ] && [ ! -s /tmp/ncgot ]; do sleep 0.5; i=$((i + 1)); done
sleep 0.2
check nc-from-host "hello guest" "$(cat /tmp/ncgot)"
echo DONE
