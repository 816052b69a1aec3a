#!/usr/bin/env bash
# Adds an account to a mosquitto password file and its block to the acl file, then reloads mosquitto.
#   add-account.sh rig|dashboard|operator|archive|homeassistant NAME [--dir /etc/mosquitto/anodefreerig] [--prefix anodefreerig]
# Asks for the password (mosquitto_passwd); re-running for an existing name changes only its password.
set -euo pipefail
role=${1:?role: rig, dashboard, operator, archive or homeassistant}; name=${2:?account name}; shift 2
dir=/etc/mosquitto/anodefreerig; prefix=anodefreerig
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2;; --prefix) prefix=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
[[ $name =~ ^[A-Za-z0-9_-]{1,32}$ ]] || { echo "name must be letters, digits, '-' or '_'" >&2; exit 2; }
# The lab broker binds a rig's client id to its account name on the rigs' listener; client ids anyone may send start
# with "anodefreerig-", so a rig named like that could be impersonated (anodefreerig-central.conf).
if [ "$role" = rig ] && [[ $name == anodefreerig-* ]]; then echo "a rig's name must not start with 'anodefreerig-' (client ids of other accounts do)" >&2; exit 2; fi
# Every input is checked before anything is written: a refused call leaves no login behind.
case $role in rig|dashboard|operator|archive|homeassistant) ;; *) echo "role must be rig, dashboard, operator, archive or homeassistant" >&2; exit 2;; esac
[[ $prefix =~ ^[A-Za-z0-9_-]{1,64}$ ]] || { echo "prefix must be one topic level: letters, digits, '-' or '_'" >&2; exit 2; }
[ -d "$dir" ] || { echo "no directory $dir" >&2; exit 2; }
touch "$dir/passwd"
mosquitto_passwd "$dir/passwd" "$name"
if ! grep -qx "user $name" "$dir/acl" 2>/dev/null; then
  case $role in
    rig) printf '\nuser %s\n' "$name"
         # Same list as rig/acl and central/acl: data kinds, replies (never cmd/), discovery; reads its commands.
         printf 'topic write %s/%s/+\n' "$prefix" "$name"
         for kind in telemetry state cycles history recent prediction prediction_error spectrum; do printf 'topic write %s/%s/+/%s\n' "$prefix" "$name" "$kind"; done
         printf 'topic write %s/%s/zone/#\ntopic write %s/%s/reply/#\ntopic write %s/%s/replies/#\n' "$prefix" "$name" "$prefix" "$name" "$prefix" "$name"
         printf 'topic write homeassistant/+/%s/#\ntopic read %s/%s/cmd/#\n' "$name" "$prefix" "$name";;
    dashboard) printf '\nuser %s\ntopic read %s/#\n' "$name" "$prefix";;
    operator) printf '\nuser %s\ntopic read %s/#\ntopic write %s/+/cmd/#\n' "$name" "$prefix" "$prefix";;
    archive) printf '\nuser %s\ntopic read %s/#\ntopic write %s/+/cmd/replay\n' "$name" "$prefix" "$prefix";;
    homeassistant) printf '\nuser %s\ntopic read %s/#\ntopic read homeassistant/#\ntopic write homeassistant/status\n' "$name" "$prefix";;
    *) echo "role must be rig, dashboard, operator, archive or homeassistant" >&2; exit 2;;
  esac >> "$dir/acl"
fi
systemctl reload mosquitto 2>/dev/null || echo "reload mosquitto (kill -HUP) to apply"
