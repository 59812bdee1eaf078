"""Settings of the HTTP API, from arguments or from ``SITING_API_*`` variables (what ``siting serve``
hands its workers)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from siting.errors import InputError


@dataclass(frozen=True)
class ApiSettings:
    """How the API runs.

    Parameters
    ----------
    rules_path
        Rules file (default ``$SITING_RULES`` or the packaged one).
    files_dir
        The tracker's uploads folder (default as the tracker's).
    max_body_bytes
        Largest request body; larger ones get 413 (default 1 MiB).
    rate_per_second, rate_burst
        Token bucket per API key, else per client address: ``rate_burst`` requests at once, refilled
        at ``rate_per_second``; ``rate_per_second=0`` turns the limit off (e.g. behind a proxy that
        limits, or for a load test).
    trust_forwarded_for
        Take the client address from ``X-Forwarded-For`` (only behind a trusted proxy).
    job_workers, job_queue
        Optimisation jobs run in a pool of ``job_workers`` threads; at most ``job_queue`` more wait;
        beyond that a submission gets 503 with ``Retry-After``.
    job_time_limit
        Largest solver time (seconds) a job may ask for.
    jobs_dir
        Where jobs and results are kept (shared by the workers of one server); default a new
        temporary folder.
    reload_interval
        Seconds between looks at the workspace file for a new generation (0: never look).
    max_h3_resolution
        Finest H3 grid ``/v1/gaps?h3=`` serves (7 ≈ 5 km² cells; finer grids of a province are
        hundreds of thousands of cells).
    site_check_cache
        Site-check answers kept per generation (least recently used go first).
    """

    rules_path: str | None = None
    files_dir: str | None = None
    max_body_bytes: int = 1024 * 1024
    rate_per_second: float = 20.0
    rate_burst: int = 40
    trust_forwarded_for: bool = False
    job_workers: int = 1
    job_queue: int = 4
    job_time_limit: float = 120.0
    jobs_dir: str | None = None
    reload_interval: float = 2.0
    max_h3_resolution: int = 7
    site_check_cache: int = 4096

    def __post_init__(self) -> None:
        checks = (("max_body_bytes", self.max_body_bytes >= 1), ("rate_per_second", self.rate_per_second >= 0),
                  ("rate_burst", self.rate_burst >= 1), ("job_workers", 1 <= self.job_workers <= 64),
                  ("job_queue", 0 <= self.job_queue <= 10_000), ("job_time_limit", self.job_time_limit > 0),
                  ("reload_interval", self.reload_interval >= 0),
                  ("max_h3_resolution", 0 <= self.max_h3_resolution <= 10),
                  ("site_check_cache", self.site_check_cache >= 0))
        for name, ok in checks:
            if not ok:
                raise InputError(f"API setting {name}={getattr(self, name)!r} is out of range", source=name)

    def to_env(self) -> dict[str, str]:
        """The settings as ``SITING_API_*`` variables (:meth:`from_env` reads them back)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v is not None:
                out[ENV_PREFIX + f.name.upper()] = str(int(v) if isinstance(v, bool) else v)
        return out

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        """Settings from ``SITING_API_<NAME>`` variables (e.g. ``SITING_API_RATE_PER_SECOND=0``)."""
        env = os.environ if environ is None else environ
        kwargs: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            kind = str(f.type)
            try:
                if "bool" in kind:
                    kwargs[f.name] = raw.strip().lower() in ("1", "true", "yes")
                elif "int" in kind:
                    kwargs[f.name] = int(raw)
                elif "float" in kind:
                    kwargs[f.name] = float(raw)
                else:
                    kwargs[f.name] = raw
            except ValueError:
                raise InputError(f"{ENV_PREFIX}{f.name.upper()}={raw!r} is not a number",
                                 source=ENV_PREFIX + f.name.upper()) from None
        return cls(**kwargs)  # type: ignore[arg-type]


ENV_PREFIX = "SITING_API_"

__all__ = ["ENV_PREFIX", "ApiSettings"]
