#!/usr/bin/env bash
# Make sure the Debian packages the project needs are present.
#   scripts/system-deps.sh build   what `make build` needs (WeasyPrint's Pango, venv, a C compiler)
#   scripts/system-deps.sh test    plus what the tests drive (Chromium, Java for the Nu checker, rsync, git,
#                                  nginx with brotli_static and openssl for the deploy sample's test)
# As root it installs what is missing with apt-get; otherwise it prints the exact command and stops.
set -euo pipefail

mode=${1:-build}
python=${PYTHON:-python3}

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
want() { for p in "$@"; do have_pkg "$p" || need+=("$p"); done; }

# WeasyPrint renders with Pango and HarfBuzz (subsetting makes the kit smaller and faster).
want libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig
# Debian's python3 ships venv/ensurepip separately.
"$python" -c "import ensurepip, venv" 2>/dev/null || want python3-venv
# Isso depends on misaka, which compiles a small C extension.
command -v cc >/dev/null 2>&1 || want gcc libc6-dev
"$python" -c "import sysconfig, os, sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')) else 1)" \
  || want python3-dev

if [ "$mode" = test ]; then
  want chromium rsync git poppler-utils
  # systemd-analyze verifies the backup timer of deploy/ (tests/test_comments_data.py).
  command -v systemd-analyze >/dev/null 2>&1 || want systemd
  # npm ci installs pdf.js (package-lock.json) for the kit's form test in Chromium.
  command -v npm >/dev/null 2>&1 || want npm
  # deploy/nginx.conf is served for real by tests/test_nginx*.py (Debian 12: nginx 1.22).
  want nginx libnginx-mod-http-brotli-static openssl
  command -v java >/dev/null 2>&1 || want default-jre-headless
fi

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Mancano pacchetti di sistema: ${need[*]}" >&2
  echo "Installali con:  sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Mancano pacchetti di sistema (${need[*]}) e apt-get non c'è: installali con il gestore di pacchetti del sistema." >&2
  exit 1
fi
echo "Installo i pacchetti di sistema: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
