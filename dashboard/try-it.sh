#!/usr/bin/env bash
# The dashboard on a development machine, against the simulated rig: builds the page, starts a mosquitto on
# 127.0.0.1 only (plain MQTT on 1884 for the service, WebSockets on 9001 serving dashboard/dist, anonymous: it listens
# on loopback alone), runs the service against it, and prints the address to open. Ctrl+C stops both.
# Needs: node + npm, mosquitto (apt-get install mosquitto), the .NET SDK.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mqtt_port=${MQTT_PORT:-1884}; ws_port=${WS_PORT:-9001}
(cd "$here" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build --silent)
work=$(mktemp -d)
runas=(); [ "$(id -u)" = 0 ] && runas=("user root")
cat > "$work/mosquitto.conf" <<CONF
listener $mqtt_port 127.0.0.1
listener $ws_port 127.0.0.1
protocol websockets
# Without it Debian's mosquitto 2.0.11 (libwebsockets with IPv6) ignores the address above and listens on every
# interface: an anonymous broker that takes commands would be open to the LAN.
socket_domain ipv4
http_dir $here/dist
allow_anonymous true
${runas[*]}
CONF
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; rm -rf "$work"' EXIT
# USER is not set under cron, systemd-run or a bare container shell.
echo "dashboard: open http://127.0.0.1:$ws_port/?broker=ws://127.0.0.1:$ws_port/&user=${USER:-$(id -un)} (any account name, no password)"
Mqtt__Broker=127.0.0.1 Mqtt__Port=$mqtt_port dotnet run --project "$here/../src/Rig.Service"
