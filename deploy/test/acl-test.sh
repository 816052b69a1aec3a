#!/usr/bin/env bash
# Proves the shipped mosquitto configuration: starts the real broker with deploy/mosquitto/central (paths and
# ports moved to a temp dir and 127.0.0.1, nothing else changed) with a test password file and self-made test
# certificates, then checks who may do what over TLS. Then starts a rig broker with deploy/mosquitto/rig bridged
# to it and checks telemetry goes out, commands come in, and messages queued during a cut arrive afterwards.
# Needs: mosquitto, mosquitto-clients, openssl. Exit 0 = every check passed; prints one line per check.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); conf=$here/../mosquitto
for tool in mosquitto mosquitto_pub mosquitto_sub mosquitto_passwd openssl; do
  command -v $tool >/dev/null || { echo "FAIL: $tool is not installed (apt-get install mosquitto mosquitto-clients openssl)" >&2; exit 2; }
done
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# --- test certificates: a CA and a broker certificate for 127.0.0.1 ---
mkdir -p "$work/central/certs" "$work/central/data" "$work/rig/data" "$work/rig/certs"
c=$work/central/certs
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=AnodeFreeRig test CA" -keyout "$c/ca.key" -out "$c/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$c/broker.key" -out "$c/broker.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$c/san.ext"
openssl x509 -req -in "$c/broker.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial -days 2 -extfile "$c/san.ext" -out "$c/broker.crt" 2>/dev/null
cp "$c/ca.crt" "$work/rig/certs/ca.crt"

# --- test accounts ---
pw=$work/central/passwd
mosquitto_passwd -b -c "$pw" rig-01 rig01-pass
mosquitto_passwd -b "$pw" rig-02 rig02-pass
mosquitto_passwd -b "$pw" dashboard dash-pass
mosquitto_passwd -b "$pw" operator op-pass
mosquitto_passwd -b "$pw" archive ar-pass
mosquitto_passwd -b "$pw" homeassistant ha-pass
cp "$conf/central/acl" "$work/central/acl"
mosquitto_passwd -b -c "$work/rig/passwd" anodefreerig svc-pass
mosquitto_passwd -b "$work/rig/passwd" dashboard dash-pass
sed 's/@RIG@/rig-01/g' "$conf/rig/acl" > "$work/rig/acl"

base=$((20000 + RANDOM % 20000)); plain=$base; tls=$((base + 1)); ws=$((base + 2)); rigport=$((base + 3))
tools=$((base + 4)); rigtools=$((base + 5))
runas=(); [ "$(id -u)" = 0 ] && runas=("user root")   # as root, mosquitto would switch to user mosquitto
render_central() {
  sed -e "s#/etc/mosquitto/anodefreerig#$work/central#g" -e "s#/var/lib/mosquitto/#$work/central/data/#" \
      -e "s#^listener 1883 127.0.0.1\$#listener $plain 127.0.0.1#" -e "s#^listener 8883\$#listener $tls 127.0.0.1#" \
      -e "s#^listener 8081\$#listener $ws 127.0.0.1#" -e "s#^listener 8884\$#listener $tools 127.0.0.1#" \
      "$conf/central/anodefreerig-central.conf"
  printf '%s\n' "${runas[@]}"
}
render_central > "$work/central.conf"
sed -e "s#/etc/mosquitto/anodefreerig#$work/rig#g" -e "s#/var/lib/mosquitto/#$work/rig/data/#" \
    -e "s#^listener 1883 127.0.0.1\$#listener $rigport 127.0.0.1#" -e "s#^listener 1884 127.0.0.1\$#listener $rigtools 127.0.0.1#" \
    -e "s#@RIG@#rig-01#g" \
    -e "s#@CENTRAL@#127.0.0.1:$tls#" -e "s#@BRIDGE_PASSWORD@#rig01-pass#" "$conf/rig/anodefreerig-rig.conf" > "$work/rig.conf"
printf '%s\n' "${runas[@]}" >> "$work/rig.conf"
# What Debian's /etc/mosquitto/mosquitto.conf adds around conf.d (the rig file must not repeat it).
printf 'persistence true\npersistence_location %s/rig/data/\n' "$work" >> "$work/rig.conf"

start_broker() { # name conf port
  : > "$work/$1.log"; mosquitto -c "$2" >>"$work/$1.log" 2>&1 & pids+=($!); eval "${1}_pid=$!"
  for _ in $(seq 50); do
    if grep -q "running" "$work/$1.log"; then return 0; fi
    kill -0 "$!" 2>/dev/null || break; sleep 0.2
  done
  echo "FAIL: $1 broker did not start:"; cat "$work/$1.log"; exit 1
}
start_broker central "$work/central.conf" "$plain"
# Accounts' rights are checked on the tools' listener (8884: each client keeps its own id, prefixed as the broker
# requires); the rigs' listener (8883, id = account name) is where the bridge connects (checked in 6.).
TT=(-h 127.0.0.1 -p "$tools" --cafile "$c/ca.crt" -V mqttv5); T=("${TT[@]}" -I anodefreerig-t)
R=(-h 127.0.0.1 -p "$tls" --cafile "$c/ca.crt" -V mqttv5)

# 1. anonymous and wrong-password clients are refused (over TLS)
if mosquitto_pub "${T[@]}" -t anodefreerig/rig-01/status -m x 2>/dev/null; then fail "anonymous client was accepted"; else pass "anonymous client refused"; fi
if mosquitto_pub "${T[@]}" -u operator -P wrong -t anodefreerig/rig-01/cmd/pause -m x 2>/dev/null; then fail "wrong password accepted"; else pass "wrong password refused"; fi

# wait_subscribers: the background subscribers end on their own -W time-out; wait for them (not the brokers)
wait_subscribers() { for p in "${subs[@]}"; do wait "$p" 2>/dev/null || true; done; subs=(); }
subs=()
# watch(): subscribe as ACCOUNT to TOPIC for SECONDS in the background, output to FILE
watch() { mosquitto_sub "${T[@]}" -u "$1" -P "$2" -t "$3" -v -W "$4" > "$5" 2>/dev/null & pids+=($!); subs+=($!); sleep 1.5; }

# 2. a dashboard cannot publish a command; an operator can (the rig, subscribed to its commands, sees only the second)
watch rig-01 rig01-pass 'anodefreerig/rig-01/cmd/#' 7 "$work/cmds"
mosquitto_pub "${T[@]}" -u dashboard -P dash-pass -q 1 -t anodefreerig/rig-01/cmd/start -m from-dashboard 2>/dev/null || true
mosquitto_pub "${T[@]}" -u operator -P op-pass -q 1 -t anodefreerig/rig-01/cmd/start -m from-operator \
  -D publish response-topic anodefreerig/rig-01/reply/operator/1 -D publish correlation-data c1
wait_subscribers
grep -q from-dashboard "$work/cmds" && fail "dashboard published a command" || pass "dashboard cannot publish commands"
grep -q "anodefreerig/rig-01/cmd/start from-operator" "$work/cmds" && pass "operator command reached the rig" || fail "operator command did not reach the rig"

# 3. a rig writes its own tree only; rig-01 cannot read rig-02's commands; dashboards read everything
watch dashboard dash-pass 'anodefreerig/#' 8 "$work/seen"
watch rig-01 rig01-pass 'anodefreerig/rig-02/cmd/#' 7 "$work/rig01-spy"
mosquitto_pub "${T[@]}" -u rig-01 -P rig01-pass -q 1 -t anodefreerig/rig-02/ch1/telemetry -m forged 2>/dev/null || true
mosquitto_pub "${T[@]}" -u rig-01 -P rig01-pass -q 1 -t anodefreerig/rig-01/ch1/telemetry -m own
mosquitto_pub "${T[@]}" -u operator -P op-pass -q 1 -t anodefreerig/rig-02/cmd/pause -m for-rig-02
mosquitto_pub "${T[@]}" -u rig-01 -P rig01-pass -q 1 -t anodefreerig/rig-01/reply/operator/1 -m reply
wait_subscribers
grep -q forged "$work/seen" && fail "rig-01 wrote into rig-02's tree" || pass "rig cannot write another rig's tree"
grep -q "anodefreerig/rig-01/ch1/telemetry own" "$work/seen" && pass "rig publishes its own telemetry; dashboard reads it" || fail "rig's own telemetry not seen by the dashboard"
grep -q for-rig-02 "$work/rig01-spy" && fail "rig-01 read rig-02's commands" || pass "rig cannot read another rig's commands"
grep -q "anodefreerig/rig-01/reply/operator/1 reply" "$work/seen" && pass "rig replies under its own reply tree" || fail "rig reply not delivered"

# 4. the bridge: the rig broker carries its tree out and its commands in, and queues across a cut
start_broker rig "$work/rig.conf" "$rigport"
L=(-h 127.0.0.1 -p "$rigtools" -V mqttv5 -I rig-01-t)
for _ in $(seq 50); do grep -q "anodefreerig/rig-01/bridge 1" <(mosquitto_sub "${T[@]}" -u dashboard -P dash-pass -t anodefreerig/rig-01/bridge -v -C 1 -W 1 2>/dev/null) && break; sleep 0.2; done
watch dashboard dash-pass 'anodefreerig/rig-01/+/telemetry' 5 "$work/bridged"
mosquitto_pub "${L[@]}" -u anodefreerig -P svc-pass -q 1 -t anodefreerig/rig-01/ch2/telemetry -m via-bridge
wait_subscribers
grep -q "anodefreerig/rig-01/ch2/telemetry via-bridge" "$work/bridged" && pass "bridge carries rig telemetry to the lab broker" || fail "telemetry did not cross the bridge"
mosquitto_sub "${L[@]}" -u anodefreerig -P svc-pass -t 'anodefreerig/rig-01/cmd/#' -v -W 6 > "$work/local-cmds" 2>/dev/null & pids+=($!); subs+=($!); sleep 1.5
mosquitto_pub "${T[@]}" -u operator -P op-pass -q 1 -t anodefreerig/rig-01/cmd/stop -m lab-command
wait_subscribers
grep -q "anodefreerig/rig-01/cmd/stop lab-command" "$work/local-cmds" && pass "bridge carries lab commands to the rig" || fail "command did not cross the bridge"

# 5. Home Assistant discovery: the service's retained configs (node id = rig) cross the bridge and reach Home Assistant's
# account; a rig cannot write another rig's configs; the archive may ask a rig to replay, and nothing else
watch homeassistant ha-pass 'homeassistant/#' 6 "$work/ha"
mosquitto_pub "${L[@]}" -u anodefreerig -P svc-pass -q 1 -r -t homeassistant/sensor/rig-01/ch1_voltage/config -m '{"name":"Voltage"}'
mosquitto_pub "${T[@]}" -u rig-01 -P rig01-pass -q 1 -t homeassistant/sensor/rig-02/ch1_voltage/config -m forged-config 2>/dev/null || true
mosquitto_pub "${T[@]}" -u homeassistant -P ha-pass -q 1 -t homeassistant/status -m online
wait_subscribers
grep -q 'homeassistant/sensor/rig-01/ch1_voltage/config {"name":"Voltage"}' "$work/ha" && pass "discovery config crosses the bridge to Home Assistant" || fail "discovery config did not reach Home Assistant"
grep -q forged-config "$work/ha" && fail "rig-01 wrote rig-02's discovery config" || pass "rig cannot write another rig's discovery config"
grep -q "homeassistant/status online" "$work/ha" && pass "Home Assistant publishes its birth message" || fail "Home Assistant birth refused"
watch rig-01 rig01-pass 'anodefreerig/rig-01/cmd/#' 5 "$work/archive-cmds"
mosquitto_pub "${T[@]}" -u archive -P ar-pass -q 1 -t anodefreerig/rig-01/cmd/replay -m '{"stream":"ch1/telemetry","from_seq":1,"to_seq":2}'
mosquitto_pub "${T[@]}" -u archive -P ar-pass -q 1 -t anodefreerig/rig-01/cmd/abort -m archive-abort 2>/dev/null || true
wait_subscribers
grep -q "anodefreerig/rig-01/cmd/replay" "$work/archive-cmds" && pass "archive may ask a rig to replay" || fail "archive replay request refused"
grep -q archive-abort "$work/archive-cmds" && fail "archive sent another command" || pass "archive cannot send other commands"

# 6. client ids cannot be taken over across accounts. The bridge is connected to the rigs' listener, where its id
# is its account name "rig-01"; the service is connected to its own listener on the rig broker as "anodefreerig".
# Other accounts try every id that could matter; none may disconnect them (mosquitto logs "Client X already
# connected, closing old connection" whenever a connection displaces another).
mosquitto_sub "${L[@]/$rigtools/$rigport}" -u anodefreerig -P svc-pass -t 'anodefreerig/rig-01/cmd/#' -v -W 12 > "$work/svc-cmds" 2>/dev/null & pids+=($!); subs+=($!); sleep 1.5
try_id() { # label, then mosquitto_sub arguments: a 1 s connection that must be refused or harmless
  local label=$1; shift
  if timeout 3 mosquitto_sub "$@" -t 'anodefreerig/rig-01/status' -W 1 >/dev/null 2>&1; then :; fi
  echo "$label" >> "$work/tried"
}
try_id "lab: the bridge's id on the tools' listener" "${TT[@]}" -u dashboard -P dash-pass -i rig-01
try_id "lab: the bridge's configured id" "${TT[@]}" -u operator -P op-pass -i anodefreerig-bridge-rig-01
try_id "lab: the rigs' listener with the bridge's id" "${R[@]}" -u dashboard -P dash-pass -i anodefreerig-bridge-rig-01
try_id "lab: the rigs' listener, plain id" "${R[@]}" -u operator -P op-pass -i rig-01
try_id "lab: websockets" -h 127.0.0.1 -p "$ws" --cafile "$c/ca.crt" -V mqttv5 -u dashboard -P dash-pass -i rig-01
try_id "rig: the service's id" -h 127.0.0.1 -p "$rigtools" -V mqttv5 -u dashboard -P dash-pass -i anodefreerig
try_id "rig: the service's configured id" -h 127.0.0.1 -p "$rigtools" -V mqttv5 -u dashboard -P dash-pass -i rig-01-service
try_id "rig: the service's listener" -h 127.0.0.1 -p "$rigport" -V mqttv5 -u dashboard -P dash-pass -i rig-01-service
try_id "rig: the bridge's local id" -h 127.0.0.1 -p "$rigtools" -V mqttv5 -u dashboard -P dash-pass -i bridge-rig-01-local
unprefixed=$(timeout 3 mosquitto_sub "${TT[@]}" -u dashboard -P dash-pass -i mosq-unprefixed -t x -W 1 2>&1 || true)
[[ $unprefixed == *"ot authori"* ]] && pass "client ids without the anodefreerig- prefix are refused on the lab broker" || fail "a client id without the prefix was accepted: $unprefixed"
mosquitto_pub "${T[@]}" -u operator -P op-pass -q 1 -t anodefreerig/rig-01/cmd/status -m after-takeover-attempts
wait_subscribers
if grep -h "already connected" "$work/central.log" "$work/rig.log"; then fail "an account disconnected another by its client id"
else pass "no account can disconnect the rig's bridge or service by client id ($(wc -l < "$work/tried") attempts)"; fi
grep -q "cmd/status after-takeover-attempts" "$work/svc-cmds" && pass "bridge and service still carry commands after the attempts" || fail "command lost after takeover attempts"

# 7. replies are confined to the rig's reply subtrees by the broker too (as ReplyTopicPolicy in the service): the
# rig's account cannot publish into its own commands (a reply steered to cmd/abort would command the rig), nor
# elsewhere in the lab; under reply/ and replies it can
watch operator op-pass 'anodefreerig/#' 6 "$work/replies-seen"
mosquitto_pub "${T[@]}" -u rig-01 -P rig01-pass -q 1 -t anodefreerig/rig-01/cmd/abort -m steered-reply 2>/dev/null || true
mosquitto_pub "${T[@]}" -u rig-01 -P rig01-pass -q 1 -t anodefreerig/rig-01/cmd/abort/x -m steered-deeper 2>/dev/null || true
mosquitto_pub "${T[@]}" -u rig-01 -P rig01-pass -q 1 -t anodefreerig/elsewhere -m steered-out 2>/dev/null || true
mosquitto_pub "${T[@]}" -u rig-01 -P rig01-pass -q 1 -t anodefreerig/rig-01/replies -m default-reply
mosquitto_pub "${T[@]}" -u rig-01 -P rig01-pass -q 1 -t anodefreerig/rig-01/reply/dash/42 -m dashboard-reply
mosquitto_pub "${T[@]}" -u rig-01 -P rig01-pass -q 1 -t anodefreerig/rig-01/zone/z1/state -m zone-state
mosquitto_pub "${L[@]}" -u anodefreerig -P svc-pass -q 1 -t anodefreerig/rig-01/cmd/stop -m local-steered 2>/dev/null || true
wait_subscribers
grep -q "steered" "$work/replies-seen" && fail "a rig published outside its data and reply subtrees: $(grep steered "$work/replies-seen")" \
  || pass "a rig cannot publish into its own commands or outside its tree (lab and rig broker)"
grep -q "anodefreerig/rig-01/replies default-reply" "$work/replies-seen" && grep -q "reply/dash/42 dashboard-reply" "$work/replies-seen" \
  && grep -q "zone/z1/state zone-state" "$work/replies-seen" && pass "a rig publishes replies under replies and reply/…, and zone states" || fail "a rig's reply or zone state was refused"

# network cut: stop the lab broker, publish on the rig, restart the lab broker; the queued message arrives
# (the archive's persistent session on the lab broker receives it once the bridge reconnects)
mosquitto_sub "${TT[@]}" -u archive -P ar-pass -i anodefreerig-test-archive -c -q 1 -t 'anodefreerig/+/+/telemetry' -W 1 >/dev/null 2>&1 || true
kill "$central_pid"; wait "$central_pid" 2>/dev/null || true
mosquitto_pub "${L[@]}" -u anodefreerig -P svc-pass -q 1 -t anodefreerig/rig-01/ch1/telemetry -m during-cut
start_broker central "$work/central.conf" "$plain"
mosquitto_sub "${TT[@]}" -u archive -P ar-pass -i anodefreerig-test-archive -c -q 1 -t 'anodefreerig/+/+/telemetry' -v -W 15 -C 1 > "$work/after-cut" 2>/dev/null || true
grep -q "anodefreerig/rig-01/ch1/telemetry during-cut" "$work/after-cut" && pass "message published during a cut arrives after it" || fail "message published during a cut was lost"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed; broker logs:"; cat "$work"/*.log; exit 1; fi
echo "all mosquitto checks passed"
