"""A workspace change by another process: every session loads the new generation on its
next run, a signed-in tracker session stays signed in, and what the person set on a page is kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from apptest_helpers import assert_clean, layer, texts
from test_tracker_staff_pages import _open, built_sqlite, db_kind, staff_db  # noqa: F401  (fixtures)

from siting.workspace import Workspace
from ui import state
from ui.components import signin
from ui.i18n import t

BIN = Path(sys.executable).parent / "siting"


def _import_offices(ws: Path, folder: Path, n: int = 4) -> None:
    csv = folder / "more_offices.csv"
    rows = [
        f"R{i},دفتر تازه {i},rural,active,{59.1 + i * 0.02:.3f},{32.8 + i * 0.02:.3f}"
        for i in range(n)
    ]
    csv.write_text(
        "office_id,name,licence_type,status,lon,lat\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    p = subprocess.run(
        [str(BIN), "import", "offices", str(csv), "--append", "-w", str(ws)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr


def _signed_in(at) -> bool:
    return not any(w.label == t("tracker.username") for w in at.text_input) and any(
        "کارشناس" in c for c in texts(at.caption)
    )


def test_signed_in_session_survives_a_workspace_change_and_sees_the_new_data(
    staff_db,  # noqa: F811
    workspace_copy,
    tmp_path,
):
    at = _open("tracker_queue", "expert")
    assert _signed_in(at)
    at.switch_page("ui/pages/planner.py").run()
    assert_clean(at)
    before = len(layer(at, "offices")["data"])
    gen = Workspace.load(workspace_copy).generation
    slider = at.slider[0]
    slider_key, typed = slider.key, slider.min + 1.5
    slider.set_value(typed).run()
    assert_clean(at)

    _import_offices(workspace_copy, tmp_path)  # another process writes the workspace
    assert Workspace.load(workspace_copy).generation == gen + 1
    assert state.workspace_key(workspace_copy).generation == gen + 1

    at.run()
    assert_clean(at)
    assert not at.error
    assert len(layer(at, "offices")["data"]) == before + 4  # the new generation is shown
    assert at.slider(key=slider_key).value == typed  # what the person set is kept
    at.switch_page("ui/pages/tracker_queue.py").run()
    assert_clean(at)
    assert not at.error, texts(at.error)  # on main: "this identity was not issued by this tracker"
    assert _signed_in(at)
    assert t("tracker.signin_needed") not in texts(at.info)  # no sign-in asked for
    trk = signin._open_tracker(signin.resolve_url(), signin.sso_policy())
    assert trk.workspace.generation == gen + 1  # site validation runs on the new generation too
