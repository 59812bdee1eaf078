"""``siting backup`` (``--out X.tar.gz``, or ``verify X.tar.gz``) and ``siting restore X.tar.gz --to DIR``.

See :mod:`siting.backup` and docs/security.md, "Backup and restore".
"""

from __future__ import annotations

import argparse
from typing import Any

from siting.cli.core import UsageError, emit_json


def cmd_backup(args: argparse.Namespace) -> int:
    from siting.backup import create_backup, verify_backup

    if args.action:
        if args.action[0] != "verify" or len(args.action) != 2 or args.out:
            raise UsageError(
                "use `siting backup --out FILE.tar.gz` or `siting backup verify FILE.tar.gz`"
            )
        report = verify_backup(args.action[1])
        if args.json:
            emit_json({**report.to_dict(), "ok": True})
        else:
            print(
                f"{args.action[1]}: OK, {len(report.members)} files match the manifest "
                f"(database: {report.database})"
            )
        return 0
    if not args.out:
        raise UsageError("give --out FILE.tar.gz (or `siting backup verify FILE.tar.gz`)")
    report = create_backup(
        args.out, workspace=args.workspace, db_url=args.db_url, files_dir=args.files
    )
    if args.json:
        emit_json(report.to_dict())
    else:
        uploads = sum(1 for n in report.members if n.startswith("uploads/"))
        print(
            f"wrote {args.out}: workspace, {report.database} tracker database, {uploads} uploaded files"
        )
        for note in report.notes:
            print(f"  note: {note}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from siting.backup import restore_backup

    report = restore_backup(args.archive, args.to, pg_url=args.pg_url)
    if args.json:
        emit_json(report.to_dict())
    else:
        print(
            f"restored {args.archive} into {args.to}: {len(report.members)} files verified "
            f"(database: {report.database})"
        )
        for note in report.notes:
            print(f"  note: {note}")
    return 0


def register(sub: Any) -> None:
    """Add ``backup`` and ``restore``."""
    p = sub.add_parser(
        "backup", help="write workspace, tracker database and uploads to one archive; or verify one"
    )
    p.add_argument(
        "action", nargs="*", metavar="verify FILE", help="`verify FILE.tar.gz` checks an archive"
    )
    p.add_argument("--out", default=None, help="the archive to write (.tar.gz); never overwritten")
    p.add_argument(
        "--workspace",
        "-w",
        default=None,
        help="workspace (default: $SITING_WORKSPACE or data/workspace.gpkg)",
    )
    p.add_argument(
        "--db-url",
        default=None,
        help="tracker database (default: $DATABASE_URL or data/tracker.db)",
    )
    p.add_argument(
        "--files",
        default=None,
        help="uploaded files (default: $SITING_TRACKER_FILES or data/uploads)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="verify a backup archive and restore it into a new folder")
    p.add_argument("archive")
    p.add_argument(
        "--to", required=True, help="a new (or empty) folder; nothing existing is overwritten"
    )
    p.add_argument(
        "--pg-url", default=None, help="also load a PostgreSQL dump into this EMPTY database"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_restore)
