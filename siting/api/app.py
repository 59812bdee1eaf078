"""The application factory: :func:`create_app` (in-process, tests) and :func:`app_from_env` (what
``siting serve`` gives uvicorn, so that each worker process builds its own app)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI

from siting.api import errors, private, public
from siting.api.guard import Guard, RateLimiter
from siting.api.jobs import JobStore
from siting.api.settings import ApiSettings
from siting.api.state import Snapshot, WorkspaceHolder
from siting.rules import load_rules
from siting.workspace import Workspace, resolve_path

LOG = logging.getLogger("siting.api")
VERSION = "1"
DESCRIPTION = (
    "Siting and coverage service of South Khorasan's ICT directorate: offices, settlements, coverage, "
    "service gaps, the site check and the rules (public); applications in the tracker and optimisation "
    "jobs (API key). Errors: `{\"error\": {status, code, field, message, message_fa, message_en}}`; "
    "`?lang=fa|en` or Accept-Language chooses `message` (Persian by default). "
    "سامانهٔ مکان‌یابی و پوشش دفاتر پیشخوان و ICT روستایی خراسان جنوبی.")


def _open_tracker(database_url: str | None, settings: ApiSettings, ws: Workspace) -> Any:
    from siting.tracker import Tracker, TrackerSettings

    return Tracker(TrackerSettings(url=database_url, files_dir=settings.files_dir,
                                   rules_path=settings.rules_path), workspace=ws)


def create_app(workspace: Workspace | str | os.PathLike[str] | None = None, database_url: str | None = None, *,
               settings: ApiSettings | None = None) -> FastAPI:
    """The API as an ASGI app.

    Parameters
    ----------
    workspace
        A workspace file (default ``$SITING_WORKSPACE`` or ``data/workspace.gpkg``), watched for new
        generations; or a :class:`~siting.workspace.Workspace` in memory (never reloaded).
    database_url
        The tracker's database (as ``siting tracker --database-url``); ``None``: ``$DATABASE_URL`` if
        set, else no tracker (the authenticated routes answer 503).
    settings
        Limits and behaviour (:class:`ApiSettings`).
    """
    settings = settings or ApiSettings()
    rules = load_rules(settings.rules_path)
    source = workspace if isinstance(workspace, Workspace) else resolve_path(workspace)
    tracker_box: dict[str, Any] = {}

    def follow(snap: Snapshot) -> None:
        if tracker_box.get("t") is not None:
            tracker_box["t"].use_workspace(snap.ws)

    holder = WorkspaceHolder(source, rules, reload_interval=settings.reload_interval,
                             cache_size=settings.site_check_cache, on_change=follow)
    url = database_url or os.environ.get("DATABASE_URL") or None
    tracker = _open_tracker(url, settings, holder.snapshot.ws) if url else None
    tracker_box["t"] = tracker
    jobs = JobStore(settings.jobs_dir, settings.job_workers, settings.job_queue)
    limiter = RateLimiter(settings.rate_per_second, settings.rate_burst)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder.start()
        try:
            yield
        finally:
            holder.stop()
            jobs.close()
            if tracker is not None:
                tracker.close()

    app = FastAPI(title="siting API", version=VERSION, description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/v1/openapi.json", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.holder = holder
    app.state.tracker = tracker
    app.state.jobs = jobs
    app.state.limiter = limiter
    errors.install(app)
    v1 = APIRouter(prefix="/v1")
    v1.include_router(public.router)
    v1.include_router(private.router)
    app.include_router(v1)
    app.add_middleware(Guard, settings=settings, limiter=limiter)
    return app


def close_app(app: FastAPI) -> None:
    """Release what :func:`create_app` opened (the server's lifespan does this when it stops)."""
    app.state.holder.stop()
    app.state.jobs.close()
    if app.state.tracker is not None:
        app.state.tracker.close()


def app_from_env() -> FastAPI:
    """:func:`create_app` from ``SITING_WORKSPACE``, ``DATABASE_URL`` and ``SITING_API_*`` (uvicorn's
    ``--factory`` entry point, one call per worker process)."""
    if not LOG.handlers:  # the server's log: generations served, unexpected errors with their reference
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s siting.api: %(message)s"))
        LOG.addHandler(handler)
        LOG.setLevel(logging.INFO)
    ws = os.environ.get("SITING_WORKSPACE")
    return create_app(Path(ws) if ws else None, os.environ.get("DATABASE_URL") or None,
                      settings=ApiSettings.from_env())


__all__ = ["VERSION", "app_from_env", "close_app", "create_app"]
