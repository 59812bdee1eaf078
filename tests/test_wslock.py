"""One writer at a time, no lost update, with real concurrent processes.

Also the refusals of item 5 in the workspace's area: a read-only workspace is not replaced, a missing
folder is not created (exit 2 naming the folder), and temporary files of a killed save are cleaned by
the next write.
"""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from siting.errors import WorkspaceError
from siting.samples.hand import hand_workspace
from siting.workspace import Workspace
from siting.wslock import StaleWorkspaceError, lock_path, read_stamp, workspace_lock

BIN = Path(sys.executable).parent / "siting"
PROJECT = Path(__file__).resolve().parents[1]


def run(*args: object, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN), *map(str, args)], capture_output=True, text=True, timeout=timeout
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp.gpkg" in p.name)


@pytest.fixture()
def ws_path(tmp_path: Path) -> Path:
    return hand_workspace().save(tmp_path / "ws.gpkg")


def offices_csv(folder: Path, n: int = 6) -> Path:
    path = folder / "new_offices.csv"
    rows = [
        f"N{i},دفتر تازه {i},rural,active,{59.0 + i * 0.05:.3f},{32.5 + i * 0.03:.3f}"
        for i in range(n)
    ]
    path.write_text(
        "office_id,name,licence_type,status,lon,lat\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return path


def settlements_csv(folder: Path, n: int = 7) -> Path:
    path = folder / "new_settlements.csv"
    rows = [
        f"V{i},روستای تازه {i},New village {i},village,{100 + i},{58.6 + i * 0.1:.3f},{33.1 + i * 0.02:.3f}"
        for i in range(n)
    ]
    path.write_text(
        "code,name_fa,name_en,kind,population,lon,lat\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return path


# -- no lost update --------------------------------------------------------------------------------


def test_twenty_runs_of_two_concurrent_imports_lose_no_rows(tmp_path: Path):
    """Two `siting import` processes at once into one workspace: both sets of rows are there, every time."""
    offices, settlements = offices_csv(tmp_path), settlements_csv(tmp_path)
    base = hand_workspace()
    n_off, n_set = len(base.offices), len(base.settlements)
    failures = []
    for i in range(20):
        ws = base.save(tmp_path / f"ws{i}.gpkg")
        procs = [
            subprocess.Popen(
                [str(BIN), "import", "offices", str(offices), "--append", "-w", str(ws)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
            subprocess.Popen(
                [str(BIN), "import", "settlements", str(settlements), "--append", "-w", str(ws)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        ]
        outs = [p.communicate(timeout=180) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        got = Workspace.load(ws)
        if (len(got.offices), len(got.settlements)) != (n_off + 6, n_set + 7):
            failures.append((i, len(got.offices), len(got.settlements)))
        assert got.generation == 3  # saved by hand, then once by each import
        assert sorted(got.imports["layer"]) == ["offices", "settlements"]
        assert temp_files(tmp_path) == []
    assert failures == [], (
        f"rows lost in runs {failures} (want {n_off + 6} offices, {n_set + 7} settlements)"
    )


def test_a_stale_save_is_refused_and_the_newer_file_is_kept(ws_path: Path):
    a = Workspace.load(ws_path)
    b = Workspace.load(ws_path)
    assert a.generation == b.generation == 1
    a2 = a.with_layer("offices", a.offices.iloc[:1])
    a2.save()
    after_a = sha(ws_path)
    b2 = b.with_layer("settlements", b.settlements.iloc[:2])
    with pytest.raises(
        StaleWorkspaceError,
        match="changed by someone else since it was read.*generation 1.*now at 2",
    ):
        b2.save()
    assert sha(ws_path) == after_a
    got = Workspace.load(ws_path)
    assert len(got.offices) == 1 and len(got.settlements) == 5 and got.generation == 2
    # the writer that saved may save again (its value is what the file holds)
    a2.with_layer("offices", a2.offices).save()
    assert Workspace.load(ws_path).generation == 3


def test_a_save_by_another_process_makes_this_one_stale(ws_path: Path):
    mine = Workspace.load(ws_path)
    code = (
        "from siting.workspace import Workspace; import sys; w = Workspace.load(sys.argv[1]); "
        "w.with_layer('offices', w.offices.iloc[:2]).save()"
    )
    subprocess.run([sys.executable, "-c", code, str(ws_path)], check=True, timeout=120)
    before = sha(ws_path)
    with pytest.raises(StaleWorkspaceError):
        mine.with_layer("offices", mine.offices.iloc[:0]).save()
    assert sha(ws_path) == before and len(Workspace.load(ws_path).offices) == 2


def test_a_writer_waits_for_the_lock_and_applies_on_top(ws_path: Path, tmp_path: Path):
    """A process holds the lock; an import started meanwhile waits, then adds its rows to the newer file."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent("""
        import sys, time
        from siting.workspace import Workspace
        from siting.wslock import workspace_lock
        with workspace_lock(sys.argv[1]):
            print("held", flush=True)
            w = Workspace.load(sys.argv[1])
            time.sleep(2)
            w.with_layer("offices", w.offices.iloc[:3]).save()
        """),
            str(ws_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    p = run("import", "offices", offices_csv(tmp_path), "--append", "-w", ws_path)
    assert p.returncode == 0, p.stderr
    assert holder.wait(timeout=60) == 0
    assert time.monotonic() - started > 1.0  # it waited
    got = Workspace.load(ws_path)
    assert len(got.offices) == 3 + 6 and got.generation == 3


def test_threads_of_one_process_take_turns(ws_path: Path):
    """The lock serialises threads too (a Streamlit server): 8 read-modify-writes, 8 generations."""

    def bump(i: int) -> None:
        with workspace_lock(ws_path):
            w = Workspace.load(ws_path)
            w.with_layer("offices", w.offices.iloc[: (i % 4) + 1], note=i).save()

    with ThreadPoolExecutor(4) as ex:
        list(ex.map(bump, range(8)))
    assert Workspace.load(ws_path).generation == 1 + 8


def test_lock_timeout_is_a_clear_error(ws_path: Path, monkeypatch: pytest.MonkeyPatch):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time; from siting.wslock import workspace_lock\n"
            "with workspace_lock(sys.argv[1]):\n print('held', flush=True); time.sleep(30)",
            str(ws_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("SITING_WORKSPACE_LOCK_TIMEOUT", "0.5")
        w = Workspace.load(ws_path)
        with pytest.raises(WorkspaceError, match="another program is writing this workspace"):
            w.save()
    finally:
        holder.kill()
        holder.wait()


# -- a killed save ---------------------------------------------------------------------------------

SAVE_LOOP = """
import sys
from siting.workspace import Workspace
w = Workspace.load(sys.argv[1])
big = w.with_layer("settlements", w.settlements.sample(20000, replace=True, random_state=1))
print("ready", flush=True)
while True:
    big.save(sys.argv[1], replace_existing=True)
"""


def test_kill_during_save_leaves_a_temp_file_that_the_next_write_removes(
    ws_path: Path, tmp_path: Path
):
    folder = ws_path.parent
    left: list[str] = []
    for _attempt in range(10):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVE_LOOP, str(ws_path)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        while not temp_files(folder) and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        left = temp_files(folder)
        if left:
            break
    assert left, "could not kill a save half-way (no temporary file seen)"
    # the workspace itself is whole: the old or the new file, never a mixture
    Workspace.load(ws_path)
    # the kernel released the dead writer's lock: the next write goes ahead and cleans up
    p = run("import", "offices", offices_csv(tmp_path), "--append", "-w", ws_path)
    assert p.returncode == 0, p.stderr
    assert temp_files(folder) == []
    assert lock_path(ws_path).exists()


# -- refusals (item 5) -----------------------------------------------------------------------------


def test_a_read_only_workspace_is_refused_with_exit_2_and_left_alone(ws_path: Path, tmp_path: Path):
    ws_path.chmod(0o444)
    before, mode = sha(ws_path), stat.S_IMODE(ws_path.stat().st_mode)
    ino = ws_path.stat().st_ino
    p = run("import", "offices", offices_csv(tmp_path), "--append", "-w", ws_path)
    assert p.returncode == 2
    assert "read-only" in p.stderr and str(ws_path) in p.stderr and "Traceback" not in p.stderr
    assert sha(ws_path) == before and stat.S_IMODE(ws_path.stat().st_mode) == mode == 0o444
    assert ws_path.stat().st_ino == ino  # not replaced
    assert temp_files(ws_path.parent) == []


def test_a_save_keeps_the_file_mode(ws_path: Path):
    ws_path.chmod(0o640)
    w = Workspace.load(ws_path)
    w.with_layer("offices", w.offices.iloc[:1]).save()
    assert stat.S_IMODE(ws_path.stat().st_mode) == 0o640


def test_a_missing_workspace_folder_is_refused_not_created(tmp_path: Path):
    missing = tmp_path / "no-such-folder"
    p = run("import", "offices", offices_csv(tmp_path), "--create", "-w", missing / "ws.gpkg")
    assert p.returncode == 2, p.stderr
    assert f"folder {missing} does not exist" in p.stderr and "Traceback" not in p.stderr
    p = run(
        "init",
        "--manifest",
        PROJECT / "data" / "sources" / "sample.yaml",
        "-w",
        missing / "ws.gpkg",
    )
    assert p.returncode == 2, p.stderr
    assert f"folder {missing} does not exist" in p.stderr
    with pytest.raises(WorkspaceError, match="does not exist"):
        hand_workspace().save(missing / "ws.gpkg")
    assert not missing.exists()


def test_a_missing_output_folder_is_refused_not_created(ws_path: Path, tmp_path: Path):
    missing = tmp_path / "out" / "deeper"
    p = run("gaps", "--geojson", "--out", missing / "gaps.geojson", "-w", ws_path)
    assert p.returncode == 2, p.stderr
    assert f"folder {missing} does not exist" in p.stderr and "Traceback" not in p.stderr
    p = run("optimize", "mclp", "--k", "1", "--geojson", missing / "sites.geojson", "-w", ws_path)
    assert p.returncode == 2, p.stderr + p.stdout
    assert f"folder {missing} does not exist" in p.stderr
    assert not (tmp_path / "out").exists()


def test_stamp_round_trip(ws_path: Path):
    s = read_stamp(ws_path)
    assert s is not None and s.generation == 1 and s.write_id
    assert Workspace.load(ws_path).base == s
    assert read_stamp(ws_path.with_name("absent.gpkg")) is None
