#!/usr/bin/env bash
# A non-editable install: build a wheel with `pip wheel .`, install it in a fresh venv outside the source
# tree, and run `siting init` on the bundled sample and `siting validate` with the default rules,
# `siting tracker init` with the default workflow and `siting publish`. The rules, the workflow, the
# tracker's migrations and the public map's files must come from the installed package's data, not from
# this checkout. Run by .ci/run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m pip wheel --no-deps -q -w "$work/dist" "$root"
"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work/dist"/siting-*.whl
cd "$work"   # no source tree and no data/ folder here
where=$("$work/venv/bin/python" -c "import siting; print(siting.__file__)")
case "$where" in
  "$work/venv/"*) ;;
  *) echo "check-wheel: siting was imported from $where, not from the installed wheel" >&2; exit 1 ;;
esac
bin="$work/venv/bin"
"$bin/siting" init --manifest "$root/data/sources/sample.yaml" --workspace "$work/ws.gpkg"
out=$("$bin/siting" validate --workspace "$work/ws.gpkg" --lon 59.33 --lat 32.92 --type rural --applicant natural)
echo "$out"
grep -q "licence rural" <<<"$out" || { echo "check-wheel: validate printed no result" >&2; exit 1; }
"$bin/siting" tracker init --database-url "sqlite:///$work/tracker.db"
# the public map's page, script and vendored Leaflet are package data (MANIFEST.in)
"$bin/siting" publish --workspace "$work/ws.gpkg" --out "$work/site"
for f in index.html app.js style.css vendor/leaflet/leaflet.js vendor/leaflet/LICENSE data/gaps.geojson; do
  [ -s "$work/site/$f" ] || { echo "check-wheel: siting publish wrote no $f" >&2; exit 1; }
done
echo "check-wheel: OK (siting from $where)"
