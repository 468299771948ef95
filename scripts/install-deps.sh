#!/usr/bin/env bash
# Installs everything the build and the tests need on Debian 12 (bookworm).
# Idempotent; run as root (or with sudo available).  Also installs the npm
# oracle packages (independent implementations used only by tests/interop)
# from the committed lockfile into tests/interop/node_modules.
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config clang-14 libclang-rt-14-dev
      libsodium-dev librust-blake3-dev libjansson-dev libsqlite3-dev
      b3sum liblcrq-dev nodejs npm libseccomp-dev libcurl4-openssl-dev openssl
      libngtcp2-dev libngtcp2-crypto-gnutls-dev libgnutls28-dev iproute2
      python3 python3-cryptography"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# nodejs/npm may come from elsewhere on the image (e.g. /usr/bin/node without the Debian package).
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  missing=$(echo "$missing" | tr ' ' '\n' | grep -v -E '^(nodejs|npm)$' | tr '\n' ' ')
fi
if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
  echo "install-deps: installing:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
else
  echo "install-deps: all Debian packages present"
fi

if [ -f tests/interop/package-lock.json ]; then
  if [ ! -d tests/interop/node_modules ] || [ tests/interop/package-lock.json -nt tests/interop/node_modules ]; then
    (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
  fi
  echo "install-deps: npm oracles ready"
fi
