#!/usr/bin/env bash
# Make sure what the tests need outside Python is here: Chromium (Debian's package, for the
# browser tests), fonts that render Persian, pgRouting, and a PostgreSQL server that answers.
# Idempotent: it installs or starts only what is missing.
set -euo pipefail

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
fc-list 2>/dev/null | grep -qi "Noto Sans Arabic\|Vazir" || need_apt+=(fonts-noto-core)
# pgRouting (with PostGIS, which it requires) for the road network's oracle test
compgen -G "/usr/share/postgresql/15/extension/pgrouting.control" >/dev/null || need_apt+=(postgresql-15-pgrouting)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test-env: installing ${need_apt[*]} from Debian's packages"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# PostgreSQL: the tracker's tests run against SQLite and PostgreSQL.
pg_url="${SITING_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "test-env: PostgreSQL does not answer on 127.0.0.1:5432; starting it"
  if ! command -v pg_ctlcluster >/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi
echo "test-env: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), PostgreSQL answers ($pg_url)"
