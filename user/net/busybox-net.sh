#!/bin/sh
# Runs inside Keel (tests/net.sh): busybox's network tools over loopback.
# Prints one "name: ok" or "name: FAILED ..." line per check.
check() { # name expected actual
	if [ "$2" = "$3" ]; then echo "$1: ok"; else echo "$1: FAILED (want '$2', got '$3')"; fi
}
mkdir -p /www
echo "keel httpd page" > /www/index.html
httpd -p 8080 -h /www
sleep 0.2
check wget-ip "keel httpd page" "$(wget -q -O - http://127.0.0.1:8080/index.html)"
check wget-localhost "keel httpd page" "$(wget -q -O - http://localhost:8080/)"
check wget-hostname "keel httpd page" "$(wget -q -O - http://keel:8080/)"
check wget-404 "1" "$(wget -q -O - http://127.0.0.1:8080/missing >/dev/null 2>&1; echo $?)"
# nc: a listener that answers, a client that sends; both directions
(echo "from-server" | nc -l -p 5555 > /tmp/srv-got) &
sleep 0.2
check nc-client "from-server" "$(echo from-client | nc 127.0.0.1 5555)"
sleep 0.2
check nc-server "from-client" "$(cat /tmp/srv-got)"
check nc-refused "1" "$(nc 127.0.0.1 5556 </dev/null >/dev/null 2>&1; echo $?)"
check ping "2 packets transmitted, 2 packets received, 0% packet loss" \
	"$(ping -c 2 -W 2 127.0.0.1 | grep transmitted)"
check ip-addr "inet 127.0.0.1/8 scope host lo" "$(ip addr show lo | grep -o 'inet [^ ]* scope host lo')"
check ip-link "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000" "$(ip link | head -1)"
check ifconfig "inet addr:127.0.0.1  Mask:255.0.0.0" "$(ifconfig lo | grep -o 'inet addr:[^ ]*  Mask:[^ ]*')"
check netstat-listen "tcp 0.0.0.0:8080 LISTEN" "$(netstat -tln | awk '$4 == "0.0.0.0:8080" {print $1, $4, $6}')"
check proc-net-dev "yes" "$(awk '$1 == "lo:" && $3 > 0 {print "yes"}' /proc/net/dev)"
check hostname-resolves "PING keel (127.0.1.1): 56 data bytes" "$(ping -c 1 keel | head -1)"
