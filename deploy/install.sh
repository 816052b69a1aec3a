#!/usr/bin/env bash
# Installs (or removes) the AnodeFreeRig service. Idempotent: run it again after an upgrade.
#   sudo deploy/install.sh --bin artifacts/publish/linux-arm64            install/upgrade and start
#   sudo deploy/install.sh --uninstall [--purge]                          remove (purge: also data, config, user)
# Options: --root DIR  act on a system image mounted at DIR (no service is started; used by the tests)
#          --central HOST:PORT  also install the rig's mosquitto with a bridge to the lab broker
#                    (bridge password from $ANODEFREERIG_BRIDGE_PASSWORD); --rig-id ID (default: from config)
#          --no-start  install and enable but do not start
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=/; bin=""; mode=install; purge=no; start=yes; central=""; rig_id=""
while [ $# -gt 0 ]; do
  case $1 in
    --root) root=$2; shift 2;; --bin) bin=$2; shift 2;; --central) central=$2; shift 2;; --rig-id) rig_id=$2; shift 2;;
    --uninstall) mode=uninstall; shift;; --purge) purge=yes; shift;; --no-start) start=no; shift;;
    -h|--help) sed -n 2,9p "$0"; exit 0;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2;;
  esac
done
root=${root%/}; r=$root   # "$r/etc/..." is /etc/... on a live system
user=anodefreerig
live() { [ -z "$r" ] && [ -d /run/systemd/system ]; }
say() { printf '%s\n' "$*"; }
# Lines between these markers in config.txt belong to this script (replaced on re-install, removed on purge).
begin='# >>> AnodeFreeRig install >>>'; end='# <<< AnodeFreeRig install <<<'
bootcfg=$r/boot/firmware/config.txt

remove_boot_block() { sed -i "/^$begin\$/,/^$end\$/d" "$1"; }

if [ "$mode" = uninstall ]; then
  if live; then systemctl disable --now anodefreerig.service 2>/dev/null || true; fi
  rm -f "$r/etc/systemd/system/anodefreerig.service" "$r/etc/systemd/system/multi-user.target.wants/anodefreerig.service"
  rm -rf "$r/opt/anodefreerig"
  if live; then systemctl daemon-reload; fi
  if [ "$purge" = yes ]; then
    rm -rf "$r/etc/anodefreerig" "$r/var/lib/anodefreerig" "$r/var/log/anodefreerig" \
           "$r/etc/mosquitto/conf.d/anodefreerig-rig.conf" "$r/etc/mosquitto/anodefreerig"
    [ -f "$bootcfg" ] && remove_boot_block "$bootcfg"
    if grep -q "^$user:" "$r/etc/passwd" 2>/dev/null; then userdel --prefix "$r" "$user" 2>/dev/null || userdel --prefix "$r" "$user"; fi
    say "AnodeFreeRig removed with its data, configuration and user."
  else
    say "AnodeFreeRig removed. Kept: /etc/anodefreerig (settings), /var/lib/anodefreerig (test data); --purge removes them."
  fi
  exit 0
fi

[ -n "$bin" ] || { echo "--bin DIR (the output of deploy/publish.sh) is required" >&2; exit 2; }
[ -x "$bin/Rig.Service" ] || { echo "$bin/Rig.Service not found or not executable: run deploy/publish.sh first" >&2; exit 2; }

# 1. the account and the device groups (Raspberry Pi OS has gpio/i2c/spi; plain Debian does not)
mkdir -p "$r/etc"; for f in passwd group shadow gshadow; do [ -e "$r/etc/$f" ] || touch "$r/etc/$f"; done
for g in gpio i2c spi dialout; do
  grep -q "^$g:" "$r/etc/group" || groupadd --prefix "$r" --system "$g"
done
if ! grep -q "^$user:" "$r/etc/passwd"; then
  useradd --prefix "$r" --system --user-group --no-create-home --home-dir /var/lib/anodefreerig --shell /usr/sbin/nologin "$user"
  say "created system user $user"
fi

# 2. the program (replaced whole, so an upgrade leaves no stale assembly behind)
mkdir -p "$r/opt/anodefreerig"
rm -rf "$r/opt/anodefreerig/bin.new"; cp -a "$bin" "$r/opt/anodefreerig/bin.new"
rm -rf "$r/opt/anodefreerig/bin"; mv "$r/opt/anodefreerig/bin.new" "$r/opt/anodefreerig/bin"
chown -R root:root "$r/opt/anodefreerig" 2>/dev/null || true
mkdir -p "$r/opt/anodefreerig/deploy"; cp "$here/README.md" "$r/opt/anodefreerig/deploy/README.md" 2>/dev/null || true

# 3. settings: created once from the shipped (simulated) settings, never overwritten; secrets root-only
install -d -m 0755 "$r/etc/anodefreerig"
if [ ! -e "$r/etc/anodefreerig/appsettings.json" ]; then
  install -m 0644 "$bin/appsettings.json" "$r/etc/anodefreerig/appsettings.json"
  say "wrote /etc/anodefreerig/appsettings.json (simulated rig): edit it for your hardware (hardware/bring-up.md)"
fi
if [ ! -e "$r/etc/anodefreerig/secrets.env" ]; then
  install -m 0600 /dev/null "$r/etc/anodefreerig/secrets.env"
  printf '# Secrets for the rig service (read by systemd as root; KEY=value, e.g. Mqtt__Password=...)\n' > "$r/etc/anodefreerig/secrets.env"
fi
chown root:root "$r/etc/anodefreerig" "$r/etc/anodefreerig/appsettings.json" "$r/etc/anodefreerig/secrets.env" 2>/dev/null || true

# 4. the unit
install -D -m 0644 "$here/systemd/anodefreerig.service" "$r/etc/systemd/system/anodefreerig.service"

# 5. I2C, SPI, PWM and the hardware watchdog on a Pi
if [ -f "$bootcfg" ]; then
  block=$(printf '%s\n%s\n%s\n%s\n%s\n%s\n' "$begin" "dtparam=i2c_arm=on" "dtparam=spi=on" \
          "dtoverlay=pwm,pin=12,func=4" "dtparam=watchdog=on" "$end")
  current=$(sed -n "/^$begin\$/,/^$end\$/p" "$bootcfg")
  if [ "$current" != "$block" ]; then
    remove_boot_block "$bootcfg"; printf '%s\n' "$block" >> "$bootcfg"
    say "ENABLED I2C, SPI, PWM (GPIO12) and the hardware watchdog in /boot/firmware/config.txt: REBOOT before the first run."
  else
    say "I2C, SPI, PWM and watchdog already enabled in /boot/firmware/config.txt"
  fi
else
  say "no /boot/firmware/config.txt (not a Raspberry Pi?): I2C/SPI/PWM overlays not touched"
fi

# 6. optional: the rig's own broker, bridged to the lab broker
if [ -n "$central" ]; then
  [ -n "$rig_id" ] || rig_id=$(sed -n 's/^ *"Id": *"\([A-Za-z0-9_-]*\)".*/\1/p' "$r/etc/anodefreerig/appsettings.json" | head -n1)
  [ -n "${ANODEFREERIG_BRIDGE_PASSWORD:-}" ] || { echo "set ANODEFREERIG_BRIDGE_PASSWORD for the bridge account $rig_id" >&2; exit 2; }
  install -d -m 0750 "$r/etc/mosquitto/anodefreerig" "$r/etc/mosquitto/conf.d"
  sed -e "s#@RIG@#$rig_id#g" "$here/mosquitto/rig/acl" > "$r/etc/mosquitto/anodefreerig/acl"
  ( umask 027; sed -e "s#@RIG@#$rig_id#g" -e "s#@CENTRAL@#$central#g" -e "s#@BRIDGE_PASSWORD@#$ANODEFREERIG_BRIDGE_PASSWORD#" \
      "$here/mosquitto/rig/anodefreerig-rig.conf" > "$r/etc/mosquitto/conf.d/anodefreerig-rig.conf" )
  chgrp mosquitto "$r/etc/mosquitto/conf.d/anodefreerig-rig.conf" "$r/etc/mosquitto/anodefreerig" 2>/dev/null || true
  say "mosquitto: rig $rig_id bridged to $central; add accounts with deploy/mosquitto/add-account.sh --dir /etc/mosquitto/anodefreerig"
fi

# 7. enable (and start)
if [ -n "$r" ]; then
  systemctl --root="$r" enable anodefreerig.service >/dev/null 2>&1 || \
    { mkdir -p "$r/etc/systemd/system/multi-user.target.wants"; ln -sfn /etc/systemd/system/anodefreerig.service "$r/etc/systemd/system/multi-user.target.wants/anodefreerig.service"; }
  say "installed into $r (not started)"
elif live; then
  systemctl daemon-reload
  systemctl enable anodefreerig.service
  if [ "$start" = yes ]; then systemctl restart anodefreerig.service; say "started: journalctl -u anodefreerig -f"; fi
  if [ -n "$central" ]; then systemctl restart mosquitto.service || true; fi
else
  say "systemd is not running here: unit installed, not started"
fi
