"""``siting serve``: the HTTP API (:mod:`siting.api`) under uvicorn.

Examples::

    siting serve                                   # 127.0.0.1:8000, data/workspace.gpkg, $DATABASE_URL if set
    siting serve -w data/reference.gpkg --database-url sqlite:///data/tracker.db --port 8080
    siting serve --host 0.0.0.0 --workers 2 --rate-limit 50/100

Each worker process builds its own app from the environment (workspace, database, ``SITING_API_*``);
the optimisation jobs' folder is shared by the workers of one server.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from typing import Any

from siting.errors import InputError


def _rate(text: str) -> tuple[float, int]:
    """``R/BURST`` (requests per second, burst), ``R`` (burst 2R) or ``0`` (no limit)."""
    rate_text, _, burst_text = text.partition("/")
    try:
        rate = float(rate_text)
        burst = int(burst_text) if burst_text else max(1, int(2 * rate))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected RATE/BURST, e.g. 20/40, or 0 for no limit") from None
    if rate < 0 or burst < 1 or rate != rate:
        raise argparse.ArgumentTypeError(f"{text!r}: the rate must be at least 0 and the burst at least 1")
    return rate, burst


def register(sub: Any) -> None:
    """Add ``serve``."""
    p = sub.add_parser("serve", help="run the HTTP API (/v1, OpenAPI at /v1/openapi.json)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--workspace", "-w", default=None,
                   help="workspace GeoPackage (default: $SITING_WORKSPACE or data/workspace.gpkg)")
    p.add_argument("--database-url", default=None,
                   help="the tracker's database (default $DATABASE_URL; without one, the key routes answer 503)")
    p.add_argument("--rules", default=None, help="rules file (default: $SITING_RULES or the packaged one)")
    p.add_argument("--rate-limit", type=_rate, default=None, metavar="R/BURST",
                   help="requests per second and burst per API key or client address (default 20/40; 0: off)")
    p.add_argument("--max-body", type=int, default=None, metavar="BYTES", help="largest request body (default 1 MiB)")
    p.add_argument("--job-workers", type=int, default=None, help="optimisation threads per worker (default 1)")
    p.add_argument("--job-queue", type=int, default=None, help="jobs that may wait per worker (default 4)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from siting.api.settings import ApiSettings
    from siting.workspace import resolve_path

    if not 1 <= args.workers <= 64:
        raise InputError(f"--workers {args.workers}: expected 1 to 64")
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port {args.port}: expected 0 to 65535")
    ws = resolve_path(args.workspace).resolve()
    if not ws.exists():
        raise InputError(f"{ws}: workspace not found; build one with `siting init` (or give -w FILE)")
    base = ApiSettings.from_env()
    changes: dict[str, Any] = {}
    if args.rules:
        changes["rules_path"] = args.rules
    if args.rate_limit is not None:
        changes["rate_per_second"], changes["rate_burst"] = args.rate_limit
    for name in ("max_body", "job_workers", "job_queue"):
        value = getattr(args, name)
        if value is not None:
            changes["max_body_bytes" if name == "max_body" else name] = value
    if base.jobs_dir is None:
        changes["jobs_dir"] = tempfile.mkdtemp(prefix="siting-api-jobs-")
    settings = ApiSettings(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, **changes})
    os.environ.update(settings.to_env())
    os.environ["SITING_WORKSPACE"] = str(ws)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    from siting.api.app import app_from_env, close_app

    app = app_from_env()  # fail here, with one line, if the workspace, rules or database cannot be opened
    if args.workers == 1:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
        return 0
    close_app(app)  # each worker builds its own; this process only supervises them
    del app
    uvicorn.run("siting.api.app:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level=args.log_level, access_log=False)
    return 0


__all__ = ["cmd_serve", "register"]
