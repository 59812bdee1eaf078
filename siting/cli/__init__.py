"""The ``siting`` command: the same public functions the dashboard and notebooks use.

Subcommands are registered here, explicitly: the core ones (:mod:`siting.cli.core`),
``optimize`` (:mod:`siting.cli.optimize`), ``tracker`` (:mod:`siting.cli.tracker`),
``backup``/``restore`` (:mod:`siting.cli.backup`), ``publish`` (:mod:`siting.cli.publish`, the public
map) and ``serve`` (:mod:`siting.cli.serve`, the HTTP API).

Exit status: 0 on success; 2 on bad input — any :class:`~siting.errors.SitingError`, which
names the file, row or field, or a usage error — with one line on standard error; 1 on
anything else, which is a bug: the line says so and ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from siting.cli import backup, core, optimize, publish, serve, tracker
from siting.errors import SitingError
from siting.workspace import resolve_path

#: Each adds its subcommands to the ``siting`` parser, in this order.
SUBCOMMANDS = (core.register, optimize.register, tracker.register, backup.register, publish.register,
               serve.register)


def build_parser() -> argparse.ArgumentParser:
    """The ``siting`` argument parser with every subcommand."""
    parser = core.Parser(prog="siting",
                         description="Coverage and siting analysis for Pishkhan and rural ICT offices.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=core.Parser)
    for register in SUBCOMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``siting`` with ``argv`` (default: the command line); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "workspace", None) is None and hasattr(args, "workspace"):
        args.workspace = str(resolve_path(None))
    try:
        return int(args.func(args) or 0)
    except SitingError as exc:
        if args.debug:
            raise
        msg = str(exc).replace("\n", " ")
        print(f"siting: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f"siting: unexpected error ({exc.__class__.__name__}: {exc}); this is a bug: "
              "run with --debug for details", file=sys.stderr)
        return 1


__all__ = ["SUBCOMMANDS", "build_parser", "main"]
