#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine: the npm packages from the lockfile,
# and the real peers from Debian (slapd, FreeRADIUS + radclient, eapol_test, Samba AD DC, Chromium).
# Idempotent: only missing things are installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
have() { command -v "$1" >/dev/null 2>&1; }
[ -x /usr/sbin/slapd ] || need+=(slapd ldap-utils)
have radclient   || need+=(freeradius-utils)
[ -x /usr/sbin/freeradius ] || need+=(freeradius)
have eapol_test  || need+=(eapoltest)
have samba-tool  || need+=(samba samba-dsdb-modules winbind krb5-user)
[ -d /usr/share/samba/setup ] || need+=(samba-ad-dc samba-ad-provision)   # samba-tool domain provision needs these
have chromium    || need+=(chromium)
have openssl     || need+=(openssl)
have python3     || need+=(python3)   # one sink test makes a unix datagram socket with it
[ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || need+=(iproute2)   # the Samba AD harness claims 127.0.0.N addresses
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  echo "installing Debian packages: ${need[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
  # Debian starts the packaged daemons on install; the tests run their own throwaway instances.
  for svc in slapd freeradius samba-ad-dc smbd nmbd winbind; do
    $SUDO systemctl stop "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
  done
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
