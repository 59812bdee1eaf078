"""Start the dashboard in a real Streamlit server for browser tests, screenshots and benchmarks.

``running_app(workspace)`` starts ``streamlit run app.py`` on 127.0.0.1 on a
free port, pointed at ``workspace`` through ``SITING_WORKSPACE``, waits until
``/_stcore/health`` answers ``ok``, yields the base URL, and stops the server
it started (by its process id) on exit.
"""

from __future__ import annotations

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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

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
                log: str | os.PathLike[str] | None = None) -> Iterator[str]:
    """The dashboard served from this checkout on ``workspace``; yields ``http://127.0.0.1:<port>``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SITING_WORKSPACE": str(workspace)}
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
