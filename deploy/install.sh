#!/usr/bin/env bash
# Installs (or removes) the AnodeFreeRig service. Idempotent: run it again after an upgrade.
#   sudo deploy/install.sh --bin artifacts/publish/linux-arm64            install/upgrade and start
#   sudo deploy/install.sh --uninstall [--purge]                          remove (purge: also data, config, user)
# Options: --root DIR  act on a system image mounted at DIR (no service is started, nothing is apt-installed)
#          --central HOST:PORT  also set up the rig's mosquitto (installed if missing) bridged to the lab broker,
#                    and point the service at it; --central-ca FILE  the lab broker's CA certificate
#          --rig-id ID (default: from the settings)   --no-start  install and enable but do not start
# Secrets come from the environment, never the command line: ANODEFREERIG_BRIDGE_PASSWORD (the rig's account on
# the lab broker, required with --central), ANODEFREERIG_OPERATOR_PASSWORD (optional: an "operator" account on the
# rig's broker). Any character is fine except a line break and leading or trailing blanks (mosquitto drops them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=/; bin=""; mode=install; purge=no; start=yes; central=""; central_ca=""; rig_id=""
while [ $# -gt 0 ]; do
  case $1 in
    --root) root=$2; shift 2;; --bin) bin=$2; shift 2;; --central) central=$2; shift 2;; --rig-id) rig_id=$2; shift 2;;
    --central-ca) central_ca=$2; shift 2;;
    --uninstall) mode=uninstall; shift;; --purge) purge=yes; shift;; --no-start) start=no; shift;;
    -h|--help) sed -n 2,11p "$0"; exit 0;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2;;
  esac
done
root=${root%/}; r=$root   # "$r/etc/..." is /etc/... on a live system
user=anodefreerig
live() { [ -z "$r" ] && [ -d /run/systemd/system ]; }
say() { printf '%s\n' "$*"; }
die() { printf '%s\n' "$*" >&2; exit 2; }
# Lines between these markers in config.txt belong to this script (replaced on re-install, removed on purge).
begin='# >>> AnodeFreeRig install >>>'; end='# <<< AnodeFreeRig install <<<'
bootcfg=$r/boot/firmware/config.txt
mq=$r/etc/mosquitto/anodefreerig

remove_boot_block() { sed -i "/^$begin\$/,/^$end\$/d" "$1"; }

if [ "$mode" = uninstall ]; then
  if live; then systemctl disable --now anodefreerig.service 2>/dev/null || true; fi
  rm -f "$r/etc/systemd/system/anodefreerig.service" "$r/etc/systemd/system/multi-user.target.wants/anodefreerig.service"
  rm -rf "$r/opt/anodefreerig"
  rm -f "$r/usr/local/bin/anodefreerig"
  if live; then systemctl daemon-reload; fi
  if [ "$purge" = yes ]; then
    rm -rf "$r/etc/anodefreerig" "$r/var/lib/anodefreerig" "$r/var/log/anodefreerig" \
           "$r/etc/mosquitto/conf.d/anodefreerig-rig.conf" "$mq"
    [ -f "$bootcfg" ] && remove_boot_block "$bootcfg"
    if grep -q "^$user:" "$r/etc/passwd" 2>/dev/null; then userdel --prefix "$r" "$user" 2>/dev/null || userdel --prefix "$r" "$user"; fi
    say "AnodeFreeRig removed with its data, configuration and user."
  else
    say "AnodeFreeRig removed. Kept: /etc/anodefreerig (settings), /var/lib/anodefreerig (test data); --purge removes them."
  fi
  exit 0
fi

[ -n "$bin" ] || die "--bin DIR (the output of deploy/publish.sh) is required"
[ -x "$bin/Rig.Service" ] || die "$bin/Rig.Service not found or not executable: run deploy/publish.sh first"

# A secret must survive mosquitto's line-based configuration and its UTF-8 check; refuse what cannot, before
# anything is written. The value is only ever expanded inside double quotes and written with printf '%s'.
check_secret() { # NAME VALUE
  local name=$1 value=$2
  [ -n "$value" ] || die "$name is empty"
  case $value in *$'\n'*|*$'\r'*) die "$name contains a line break: mosquitto cannot store it";; esac
  case $value in [[:blank:]]*|*[[:blank:]]) die "$name starts or ends with a blank: mosquitto would drop it";; esac
  printf '%s' "$value" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 || die "$name is not valid UTF-8: mosquitto refuses it"
}
if [ -n "$central" ]; then
  [[ $central =~ ^[A-Za-z0-9.-]+:[0-9]{1,5}$ ]] || die "--central must be HOST:PORT (got '$central')"
  [ -n "${ANODEFREERIG_BRIDGE_PASSWORD+x}" ] || die "set ANODEFREERIG_BRIDGE_PASSWORD (the rig's password on the lab broker)"
  check_secret ANODEFREERIG_BRIDGE_PASSWORD "$ANODEFREERIG_BRIDGE_PASSWORD"
  if [ -n "${ANODEFREERIG_OPERATOR_PASSWORD+x}" ]; then check_secret ANODEFREERIG_OPERATOR_PASSWORD "$ANODEFREERIG_OPERATOR_PASSWORD"; fi
  [ -z "$central_ca" ] || [ -f "$central_ca" ] || die "--central-ca $central_ca: no such file"
  # mosquitto: installed on a live system, checked in an image; mosquitto_passwd hashes the accounts either way.
  if [ -z "$r" ] && ! command -v mosquitto_passwd >/dev/null; then
    say "installing mosquitto (the rig's local broker)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mosquitto >/dev/null
  fi
  command -v mosquitto_passwd >/dev/null || die "mosquitto_passwd not found: apt-get install mosquitto"
  [ -x "$r/usr/sbin/mosquitto" ] || say "WARNING: no mosquitto in $r: install it in the image (apt-get install mosquitto) before the first boot"
fi

# 1. the account and the device groups (Raspberry Pi OS has gpio/i2c/spi; plain Debian does not)
mkdir -p "$r/etc"; for f in passwd group shadow gshadow; do [ -e "$r/etc/$f" ] || touch "$r/etc/$f"; done
for g in gpio i2c spi dialout; do
  grep -q "^$g:" "$r/etc/group" || groupadd --prefix "$r" --system "$g"
done
if ! grep -q "^$user:" "$r/etc/passwd"; then
  useradd --prefix "$r" --system --user-group --no-create-home --home-dir /var/lib/anodefreerig --shell /usr/sbin/nologin "$user"
  say "created system user $user"
fi

# 2. the program (replaced whole, so an upgrade leaves no stale assembly behind) and the foreground wrapper
mkdir -p "$r/opt/anodefreerig"
rm -rf "$r/opt/anodefreerig/bin.new"; cp -a "$bin" "$r/opt/anodefreerig/bin.new"
rm -rf "$r/opt/anodefreerig/bin"; mv "$r/opt/anodefreerig/bin.new" "$r/opt/anodefreerig/bin"
chown -R root:root "$r/opt/anodefreerig" 2>/dev/null || true
mkdir -p "$r/opt/anodefreerig/deploy"; cp "$here/README.md" "$r/opt/anodefreerig/deploy/README.md" 2>/dev/null || true
install -D -m 0755 "$here/anodefreerig" "$r/usr/local/bin/anodefreerig"

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

# 5. I2C, SPI, PWM and the hardware watchdog on a Pi. "[all]" first: config.txt may end inside a [pi4] or [cm4]
#    filter section, and without it the block would apply to that model only.
if [ -f "$bootcfg" ]; then
  block=$(printf '%s\n' "$begin" "[all]" "dtparam=i2c_arm=on" "dtparam=spi=on" \
          "dtoverlay=pwm,pin=12,func=4" "dtparam=watchdog=on" "$end")
  current=$(sed -n "/^$begin\$/,/^$end\$/p" "$bootcfg")
  if [ "$current" != "$block" ]; then
    remove_boot_block "$bootcfg"
    # A file without a final newline would glue the marker onto its last line.
    [ ! -s "$bootcfg" ] || [ -z "$(tail -c1 "$bootcfg")" ] || printf '\n' >> "$bootcfg"
    printf '%s\n' "$block" >> "$bootcfg"
    say "ENABLED I2C, SPI, PWM (GPIO12) and the hardware watchdog in /boot/firmware/config.txt: REBOOT before the first run."
  else
    say "I2C, SPI, PWM and watchdog already enabled in /boot/firmware/config.txt"
  fi
else
  say "no /boot/firmware/config.txt (not a Raspberry Pi?): I2C/SPI/PWM overlays not touched"
fi

# 6. optional: the rig's own broker, bridged to the lab broker, and the service pointed at it
add_account() { # NAME PASSWORD: adds the account once; an existing account keeps its password (add-account.sh changes it)
  if ! grep -q "^$1:" "$mq/passwd" 2>/dev/null; then
    # mosquitto_passwd reads the password twice from stdin: the secret never becomes a command-line word.
    printf '%s\n%s\n' "$2" "$2" | mosquitto_passwd "$mq/passwd" "$1" >/dev/null
    say "mosquitto: account $1 created"
  fi
}
if [ -n "$central" ]; then
  [ -n "$rig_id" ] || rig_id=$(sed -n 's/^ *"Id": *"\([A-Za-z0-9_-]*\)".*/\1/p' "$r/etc/anodefreerig/appsettings.json" | head -n1)
  [[ $rig_id =~ ^[A-Za-z0-9_-]{1,64}$ ]] || die "rig id '$rig_id' must be letters, digits, '-' or '_' (--rig-id)"
  install -d -m 0750 "$mq" "$mq/certs"; install -d -m 0755 "$r/etc/mosquitto/conf.d"
  [ -z "$central_ca" ] || install -m 0644 "$central_ca" "$mq/certs/ca.crt"
  [ -f "$mq/certs/ca.crt" ] || say "WARNING: no /etc/mosquitto/anodefreerig/certs/ca.crt: the bridge connects once the lab broker's CA is there (--central-ca FILE)"
  ( umask 027
    while IFS= read -r line; do printf '%s\n' "${line//@RIG@/$rig_id}"; done < "$here/mosquitto/rig/acl" > "$mq/acl.new"
    mv "$mq/acl.new" "$mq/acl"
    # Rig id and host were checked above; the password is copied as it is, on its own line.
    while IFS= read -r line; do
      if [ "$line" = "remote_password @BRIDGE_PASSWORD@" ]; then
        printf 'remote_password %s\n' "$ANODEFREERIG_BRIDGE_PASSWORD"
      else
        line=${line//@RIG@/$rig_id}; printf '%s\n' "${line//@CENTRAL@/$central}"
      fi
    done < "$here/mosquitto/rig/anodefreerig-rig.conf" > "$r/etc/mosquitto/conf.d/anodefreerig-rig.conf.new"
    mv "$r/etc/mosquitto/conf.d/anodefreerig-rig.conf.new" "$r/etc/mosquitto/conf.d/anodefreerig-rig.conf"
    [ -e "$mq/passwd" ] || : > "$mq/passwd"
    # The service's own account: a random password made here, kept in a file only the service group reads.
    if [ ! -s "$r/etc/anodefreerig/mqtt-password" ]; then
      head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$r/etc/anodefreerig/mqtt-password"
    fi
    add_account anodefreerig "$(cat "$r/etc/anodefreerig/mqtt-password")"
    if [ -n "${ANODEFREERIG_OPERATOR_PASSWORD+x}" ]; then add_account operator "$ANODEFREERIG_OPERATOR_PASSWORD"; fi
  )
  chmod 0640 "$r/etc/anodefreerig/mqtt-password" "$mq/passwd" "$mq/acl" "$r/etc/mosquitto/conf.d/anodefreerig-rig.conf"
  # Groups by number from the image's own /etc/group (the host's may differ or lack them).
  gid() { awk -F: -v g="$1" '$1 == g { print $3 }' "$r/etc/group"; }
  chgrp "$(gid "$user")" "$r/etc/anodefreerig/mqtt-password"
  if [ -n "$(gid mosquitto)" ]; then
    chgrp "$(gid mosquitto)" "$r/etc/mosquitto/conf.d/anodefreerig-rig.conf" "$mq" "$mq/certs" "$mq/passwd" "$mq/acl"
  else
    say "WARNING: no mosquitto group in $r/etc/group yet: after installing mosquitto, chgrp mosquitto the files in /etc/mosquitto/anodefreerig"
  fi
  # Not secret: where the broker is and which file holds the password. The unit reads it (EnvironmentFile=).
  printf '%s\n' "# Written by deploy/install.sh --central: the service talks to the rig's own mosquitto." \
    "Mqtt__Broker=127.0.0.1" "Mqtt__Port=1883" "Mqtt__Username=anodefreerig" \
    "Mqtt__PasswordFile=/etc/anodefreerig/mqtt-password" > "$r/etc/anodefreerig/broker.env"
  chmod 0644 "$r/etc/anodefreerig/broker.env"
  say "mosquitto: rig $rig_id bridged to $central; service pointed at 127.0.0.1:1883 (/etc/anodefreerig/broker.env)"
  say "  more accounts: deploy/mosquitto/add-account.sh dashboard NAME --dir /etc/mosquitto/anodefreerig"
fi

# 7. enable (and start)
if [ -n "$r" ]; then
  systemctl --root="$r" enable anodefreerig.service >/dev/null 2>&1 || \
    { mkdir -p "$r/etc/systemd/system/multi-user.target.wants"; ln -sfn /etc/systemd/system/anodefreerig.service "$r/etc/systemd/system/multi-user.target.wants/anodefreerig.service"; }
  say "installed into $r (not started)"
elif live; then
  systemctl daemon-reload
  systemctl enable anodefreerig.service
  if [ -n "$central" ]; then systemctl enable mosquitto.service >/dev/null 2>&1 || true; systemctl restart mosquitto.service; fi
  if [ "$start" = yes ]; then systemctl restart anodefreerig.service; say "started: journalctl -u anodefreerig -f"; fi
else
  say "systemd is not running here: unit installed, not started"
fi
