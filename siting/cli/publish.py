"""``siting publish --out DIR``: the public map as static files (see :mod:`siting.publish`)."""

from __future__ import annotations

import argparse
from typing import Any

from siting.cli.core import emit_json
from siting.rules import load_rules
from siting.workspace import Workspace


def cmd_publish(args: argparse.Namespace) -> int:
    """Write the site; print the files and their sizes (or one JSON object with ``--json``)."""
    from siting.publish import DATA_LIMIT_BYTES, publish

    ws = Workspace.load(args.workspace)
    report = publish(ws, args.out, rules=load_rules(args.rules), lang_default=args.lang,
                     basemap_url=args.basemap)
    if args.json:
        emit_json(report.to_dict())
        return 0
    label = "SAMPLE data" if report.sample else "data"
    print(f"published the public map of {ws.path} ({label}) to {report.out_dir}"
          + (" (the previous publish was replaced)" if report.replaced else ""))
    print(f"  offices: {report.offices}, settlements: {report.settlements}, gap areas: "
          + ", ".join(f"{t} {n}" for t, n in report.gaps.items()))
    for rel, size in report.files.items():
        if rel.startswith("data/") or rel in ("index.html", "app.js"):
            print(f"  {rel:<24} {size:>10,} bytes")
    print(f"  data files together      {report.data_bytes:>10,} bytes (aim: under {DATA_LIMIT_BYTES:,})")
    for note in report.notes:
        print(f"  note: {note}")
    print("serve the folder with any static web server, e.g. "
          f"`python -m http.server -d {report.out_dir} --bind 127.0.0.1 8000`")
    return 0


def register(sub: Any) -> None:
    """Add ``publish``."""
    p = sub.add_parser("publish", help="write the public map as static files (HTML, JavaScript, data)")
    p.add_argument("--out", required=True,
                   help="the site's folder: new, empty, or a previous publish (replaced whole)")
    p.add_argument("--workspace", "-w", default=None,
                   help="workspace GeoPackage (default: $SITING_WORKSPACE or data/workspace.gpkg)")
    p.add_argument("--rules", default=None,
                   help="rules file (default: $SITING_RULES or the packaged siting/rules/rules.yaml)")
    p.add_argument("--basemap", default=None, metavar="URL",
                   help="tile URL template, e.g. https://tiles.example.org/{z}/{x}/{y}.png (default: none, "
                        "the page then asks nothing of any other server)")
    p.add_argument("--lang", choices=("fa", "en"), default="fa", help="the language the page opens in")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_publish)
