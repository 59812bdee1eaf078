"""The workspace the API answers from, one generation at a time.

A :class:`Snapshot` is one loaded generation with everything derived from it that requests share:
the GeoJSON of offices and settlements, coverage, gaps and H3 cells (each made on first use, once,
as bytes ready to send) and an LRU cache of site checks. :class:`WorkspaceHolder` keeps the current
snapshot; a background thread looks at the file every ``reload_interval`` seconds (its size,
modification time and the generation stamp of :mod:`siting.wslock`, as the dashboard does) and,
when an import wrote a new generation, loads it and swaps it in. Requests only read an attribute:
they never open a file, and they are never held up by a reload (the old generation answers until
the new one is ready).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from siting.api.errors import dumps
from siting.rules import Rules
from siting.workspace import Workspace
from siting.wslock import read_stamp

LOG = logging.getLogger("siting.api")

#: office columns published: no licence holder's data (no licence number, address or dates)
OFFICE_FIELDS = ("office_id", "name", "licence_type", "status", "location", "county")
SETTLEMENT_FIELDS = ("code", "name_fa", "name_en", "kind", "population", "county")


class Snapshot:
    """One generation of the workspace and what the API derives from it."""

    def __init__(self, ws: Workspace, rules: Rules, file_key: tuple | None, cache_size: int) -> None:
        self.ws, self.rules, self.file_key = ws, rules, file_key
        self.generation = ws.generation
        self._products: dict[Any, bytes] = {}
        self._locks: dict[Any, threading.Lock] = {}
        self._guard = threading.Lock()
        self._checks: OrderedDict[tuple, bytes] = OrderedDict()
        self._checks_lock = threading.Lock()
        self._cache_size = cache_size

    def product(self, key: Any, make: Callable[[], Any]) -> bytes:
        """``make()`` serialised once per generation (concurrent first requests wait for one maker)."""
        found = self._products.get(key)
        if found is not None:
            return found
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            found = self._products.get(key)
            if found is None:
                value = make()
                found = value if isinstance(value, bytes) else dumps(value)
                self._products[key] = found
            return found

    def cached_check(self, key: tuple, make: Callable[[], Any]) -> bytes:
        """A site check from the LRU cache, else ``make()`` serialised and kept."""
        with self._checks_lock:
            found = self._checks.get(key)
            if found is not None:
                self._checks.move_to_end(key)
                return found
        value = dumps(make())
        if self._cache_size:
            with self._checks_lock:
                self._checks[key] = value
                while len(self._checks) > self._cache_size:
                    self._checks.popitem(last=False)
        return value

    def warm(self) -> None:
        """Build the spatial index parts every answer needs (as the dashboard does once per generation)."""
        idx = self.ws.index
        for part in ("office_trees", "settlement_tree", "city_tree", "village_tree", "region", "county_tree"):
            getattr(idx, part)


def _file_key(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class WorkspaceHolder:
    """The current :class:`Snapshot`, replaced when the workspace file gets a new generation.

    Parameters
    ----------
    source
        A workspace file, or a :class:`Workspace` already in memory (never reloaded).
    rules
        The rules in force.
    reload_interval
        Seconds between looks at the file (0: never).
    on_change
        Called with each new snapshot after it is swapped in (the tracker's workspace follows it).
    """

    def __init__(self, source: Workspace | str | os.PathLike[str], rules: Rules, *, reload_interval: float = 2.0,
                 cache_size: int = 4096, on_change: Callable[[Snapshot], None] | None = None) -> None:
        self.rules = rules
        self.cache_size = cache_size
        self.on_change = on_change
        self.reload_interval = reload_interval
        if isinstance(source, Workspace):
            self.path: Path | None = None
            self.snapshot = Snapshot(source, rules, None, cache_size)
        else:
            self.path = Path(source).resolve()
            key = _file_key(self.path)
            self.snapshot = Snapshot(Workspace.load(self.path), rules, key, cache_size)
        self.snapshot.warm()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start watching the file (no-op for a workspace in memory or ``reload_interval`` 0)."""
        if self.path is None or self.reload_interval <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._watch, name="siting-api-workspace", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def check(self) -> bool:
        """Look at the file once; load and swap in a new generation if there is one. True if swapped."""
        if self.path is None:
            return False
        key = _file_key(self.path)
        current = self.snapshot
        if key is None or key == current.file_key:
            return False
        try:
            stamp = read_stamp(self.path)
            if stamp is not None and current.ws.base is not None and stamp == current.ws.base:
                current.file_key = key  # touched, not rewritten
                return False
            snap = Snapshot(Workspace.load(self.path), self.rules, key, self.cache_size)
            snap.warm()
        except Exception:  # a half-written or broken file: keep answering from the generation we have
            LOG.warning("workspace %s changed but could not be loaded; still serving generation %s",
                        self.path, current.generation, exc_info=True)
            return False
        self.snapshot = snap
        LOG.info("workspace %s: now serving generation %s", self.path, snap.generation)
        if self.on_change is not None:
            self.on_change(snap)
        return True

    def _watch(self) -> None:
        while not self._stop.wait(self.reload_interval):
            self.check()


__all__ = ["OFFICE_FIELDS", "SETTLEMENT_FIELDS", "Snapshot", "WorkspaceHolder"]
