"""Optimisation runs as jobs: submit (202 and an id), poll, fetch the result; no request waits for a
solver.

Jobs run in a pool of ``job_workers`` threads with at most ``job_queue`` more waiting (beyond that a
submission is refused with 503 and ``Retry-After``). Each job is a small JSON file in ``jobs_dir``
(its result beside it), written atomically, so that every worker of one server (``--workers N``
shares the folder) answers a poll, whichever accepted the job. A job is read only by the account
that submitted it; anyone else gets the same 404 as for a job that does not exist. Jobs and results
are kept for a day (``keep_seconds``), then swept.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from siting.api.errors import ApiError, dumps
from siting.io.files import write_private

LOG = logging.getLogger("siting.api")
_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class JobStore:
    """Jobs on disk plus the in-process pool that runs them."""

    def __init__(self, folder: str | os.PathLike[str] | None, workers: int, queue: int,
                 keep_seconds: float = 86_400.0) -> None:
        self.dir = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="siting-api-jobs-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.capacity = workers + queue
        self.keep_seconds = keep_seconds
        self._swept = 0.0
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="siting-api-job")
        self._pending = 0
        self._lock = threading.Lock()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- files --------------------------------------------------------------------------------------
    def _path(self, job_id: str, suffix: str = ".json") -> Path:
        return self.dir / f"{job_id}{suffix}"

    def _write(self, path: Path, data: bytes) -> None:
        write_private(path, data)

    def _save(self, job: dict[str, Any]) -> None:
        self._write(self._path(job["id"]), dumps(job))

    def get(self, job_id: str, owner: str) -> dict[str, Any]:
        """The job, if ``owner`` submitted it; else 404 (the same as for no such job)."""
        job = None
        if _ID.match(job_id):
            try:
                job = json.loads(self._path(job_id).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                job = None
        if job is None or job.get("owner") != owner:
            raise ApiError(404, "not_found", "job_id", f"job_id: no job {job_id[:40]!r} of yours",
                           f"کاری با شناسهٔ {job_id[:40]!r} برای شما وجود ندارد")
        return job

    def result(self, job_id: str, owner: str) -> bytes:
        """The result of a finished job (409 while it is queued or running, 422 if it failed)."""
        job = self.get(job_id, owner)
        if job["status"] == "failed":
            err = job.get("error") or {}
            raise ApiError(422, "job_failed", err.get("field"), err.get("message_en", "the job failed"),
                           err.get("message_fa", "اجرای کار ناموفق بود"))
        if job["status"] != "done":
            raise ApiError(409, "not_ready", "job_id", f"job {job_id} is {job['status']}; poll it until it is done",
                           f"کار {job_id} هنوز تمام نشده است ({job['status']})؛ بعداً دوباره بپرسید",
                           {"Retry-After": "2"})
        return self._path(job_id, ".result.json").read_bytes()

    # -- running ------------------------------------------------------------------------------------
    def sweep(self, now: float | None = None) -> int:
        """Remove the files of jobs last written more than ``keep_seconds`` ago; returns how many."""
        now = time.time() if now is None else now
        removed = 0
        for path in self.dir.glob("*.json"):
            try:
                if now - path.stat().st_mtime > self.keep_seconds:
                    path.unlink()
                    removed += 1
            except OSError:
                continue  # another worker removed it first
        return removed

    def submit(self, owner: str, params: dict[str, Any], run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Queue ``run`` (it returns the JSON-ready result); 503 when the pool and its queue are full.
        Old jobs are swept at most once a minute, here (the folder does not grow without end)."""
        if time.monotonic() - self._swept > 60:
            self._swept = time.monotonic()
            self.sweep()
        with self._lock:
            if self._pending >= self.capacity:
                raise ApiError(503, "queue_full", None,
                               "the optimisation queue is full; submit again later",
                               "صف اجرای بهینه‌سازی پر است؛ کمی بعد دوباره بفرستید", {"Retry-After": "30"})
            self._pending += 1
        job = {"id": secrets.token_urlsafe(16), "owner": owner, "status": "queued", "params": params,
               "submitted_at": _now(), "started_at": None, "finished_at": None, "error": None}
        try:
            self._save(job)
            self._pool.submit(self._run, dict(job), run)
        except BaseException:
            with self._lock:
                self._pending -= 1
            raise
        return job

    def _run(self, job: dict[str, Any], run: Callable[[], dict[str, Any]]) -> None:
        try:
            job.update(status="running", started_at=_now())
            self._save(job)
            try:
                result = run()
                self._write(self._path(job["id"], ".result.json"), dumps(result))
                job.update(status="done", finished_at=_now())
            except Exception as exc:
                from siting.errors import SitingError

                if isinstance(exc, SitingError):
                    en = getattr(exc, "message_en", None) or str(exc)
                    fa = getattr(exc, "message_fa", None) or f"اجرای کار ناموفق بود: {en}"
                    job.update(status="failed", finished_at=_now(),
                               error={"field": getattr(exc, "source", None), "message_en": en, "message_fa": fa})
                else:
                    ref = secrets.token_hex(6)
                    LOG.error("optimisation job %s failed unexpectedly (reference %s)", job["id"], ref, exc_info=exc)
                    job.update(status="failed", finished_at=_now(),
                               error={"field": None, "message_en": f"unexpected error (reference {ref})",
                                      "message_fa": f"خطای پیش‌بینی‌نشده (شناسهٔ پیگیری {ref})"})
            self._save(job)
        finally:
            with self._lock:
                self._pending -= 1


def public_view(job: dict[str, Any]) -> dict[str, Any]:
    """A job as its owner sees it (without the owner field)."""
    return {k: v for k, v in job.items() if k != "owner"}


__all__ = ["JobStore", "public_view"]
