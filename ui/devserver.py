"""Start the dashboard in a real Streamlit server for browser tests, screenshots and benchmarks.

``running_app(workspace)`` starts ``streamlit run app.py`` on 127.0.0.1 on a
free port, pointed at ``workspace`` through ``SITING_WORKSPACE``, waits until
``/_stcore/health`` answers ``ok``, yields the base URL, and stops the server
it started (by its process id) on exit.

Browser helpers: :func:`launch_browser` (Debian's Chromium), :func:`new_page`
(a page that records every request leaving 127.0.0.1), :func:`wait_frames`,
and :func:`map_point` (where a longitude/latitude is drawn on a deck.gl canvas).
"""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--no-sandbox", "--disable-dev-shm-usage")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.read().strip() == b"ok"
    except OSError:
        return False


@contextmanager
def running_app(workspace: str | os.PathLike[str], *, timeout: float = 60.0,
                log: str | os.PathLike[str] | None = None,
                env: dict[str, str] | None = None) -> Iterator[str]:
    """The dashboard served from this checkout on ``workspace``; yields ``http://127.0.0.1:<port>``.

    ``env`` adds environment variables (e.g. ``DATABASE_URL`` of a test's tracker database)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **(env or {}), "SITING_WORKSPACE": str(workspace)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py"),
           "--server.headless=true", "--server.address=127.0.0.1", f"--server.port={port}",
           "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {proc.returncode} before answering on {url}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {url}/_stcore/health within {timeout:.0f} s")
            time.sleep(0.25)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group of the process started above, and only it
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if out is not subprocess.DEVNULL:
            out.close()


def launch_browser(playwright):
    """Debian's Chromium through Playwright (never a downloaded browser), headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True)


def new_page(browser, *, width: int = 1400, height: int = 1800, locale: str = "fa-IR"):
    """A page in a fresh browser context; ``page.external`` lists every request that left 127.0.0.1
    (close it with ``page.context.close()``)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    page.external = []
    page.on("request", lambda r: page.external.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    return page


def wait_run_done(page, timeout: float) -> None:
    """Wait until the page has loaded and Streamlit's script run is over, then two frames.

    Not ``networkidle``: after a map session the planner page could keep a request open past a minute
    while it was ready for the person (seen under the full suite's load)."""
    page.wait_for_load_state("load", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('.stApp[data-test-script-state=\"running\"]')", timeout=timeout)
    wait_frames(page)


def wait_frames(page) -> None:
    """Wait until the page has drawn two frames: the browser's main thread is free again."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))")


def world_px(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """A point's position in deck.gl's web-mercator world at ``zoom``, in pixels."""
    size = 512 * 2**zoom
    return ((lon + 180) / 360 * size,
            (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * size)


def map_point(box: dict[str, float], view, lon: float, lat: float) -> tuple[float, float]:
    """Where ``lon``/``lat`` is drawn on a deck canvas with bounding ``box`` (Playwright's
    ``bounding_box()``) showing ``view`` (centre ``lon``/``lat`` and ``zoom``, as the page set it)."""
    cx, cy = world_px(view.lon, view.lat, view.zoom)
    px, py = world_px(lon, lat, view.zoom)
    return box["x"] + box["width"] / 2 + px - cx, box["y"] + box["height"] / 2 + py - cy
