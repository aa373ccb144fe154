#!/usr/bin/env bash
# Install the system packages the test suite needs, when missing: Chromium (browser tests),
# PostgreSQL + PostGIS (database tests) and Redis (the shared cache's tests start their own
# redis-server). Runs apt-get only as root; otherwise it just reports what is missing so
# the suite's own error explains itself.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing+=(postgresql)
fi
postgis_ok() { ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; }
postgis_ok || missing+=(postgis)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "missing system packages (install them as root): ${missing[*]}" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
pkgs=()
for p in "${missing[@]}"; do
    [ "$p" = postgis ] || pkgs+=("$p")
done
if [ ${#pkgs[@]} -gt 0 ]; then
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
fi
if ! postgis_ok; then
    pgv=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    apt-get install -y -qq --no-install-recommends "postgresql-${pgv}-postgis-3"
fi
