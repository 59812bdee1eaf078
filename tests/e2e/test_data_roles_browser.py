"""Who may import on the Data page, in a real browser: a visitor sees where the data came from, a message
to sign in as data steward or administrator, and no upload or save controls; the data steward, once
signed in, uploads a file, reads the report and saves it. A server on a temporary copy of the SAMPLE
workspace and a temporary tracker database; screenshots in test-artifacts/."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from siting.tracker import PasswordPolicy, Tracker, TrackerSettings, init_database
from siting.workspace import Workspace
from ui.devserver import CHROMIUM, running_app, wait_run_done
from ui.i18n import t

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000
ARTIFACTS = (
    Path(__file__).resolve().parents[2] / "test-artifacts"
)  # git-ignored (as in conftest.py)
PASSWORD = "a long test passphrase"
OFFICES = (
    "office_id,name,licence_type,status,lat,lon\nNEW-1,دفتر آزمون,rural,active,33.96396,58.32945\n"
)


@pytest.fixture(scope="module")
def data_app(sample_workspace_path, tmp_path_factory):
    """``(url, workspace path, folder)``: the dashboard with a tracker holding the data steward ``dana``."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test-env.sh (Debian's chromium package)")
    ARTIFACTS.mkdir(exist_ok=True)
    folder = tmp_path_factory.mktemp("data-roles-browser")
    ws_path = folder / "workspace.gpkg"
    shutil.copy(sample_workspace_path, ws_path)
    db_url = f"sqlite:///{folder / 'tracker.db'}"
    init_database(db_url)
    trk = Tracker(
        TrackerSettings(
            url=db_url, files_dir=folder / "files", password_policy=PasswordPolicy.fast()
        ),
        workspace=Workspace.load(ws_path),
    )
    try:
        root = trk.bootstrap_admin("root", PASSWORD)
        trk.create_user(root, "dana", PASSWORD, "data_steward")
    finally:
        trk.close()
    env = {"DATABASE_URL": db_url, "SITING_TRACKER_FILES": str(folder / "files")}
    with running_app(
        ws_path, env=env, log=ARTIFACTS / "test_data_roles_browser-streamlit.log"
    ) as url:
        yield url, ws_path, folder


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_visitor_has_no_upload_and_the_steward_imports(data_app, page):
    url, ws_path, folder = data_app
    before = _digest(ws_path)
    page.goto(f"{url}/data")
    page.get_by_role("heading", name=t("page.data")).first.wait_for(timeout=TIMEOUT_MS)
    main = page.locator('[data-testid="stMain"]')
    page.get_by_text(t("data.steward_only").split(":")[0]).first.wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)  # the run is over: what is absent now will not appear
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert page.get_by_role("button", name=t("data.confirm")).count() == 0
    assert t("data.provenance") in main.inner_text()  # the public part stays
    page.screenshot(path=str(ARTIFACTS / "data-roles-visitor.png"), full_page=True)

    page.get_by_label(t("tracker.username"), exact=True).fill("dana")
    page.get_by_label(t("tracker.password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t("tracker.signin")).click()
    dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    dropzone.wait_for(state="attached", timeout=TIMEOUT_MS)
    assert t("data.steward_only").split(":")[0] not in main.inner_text()
    csv = folder / "offices-new.csv"
    csv.write_text(OFFICES, encoding="utf-8")
    dropzone.set_input_files(str(csv))
    confirm = page.get_by_role("button", name=t("data.confirm"))
    confirm.wait_for(timeout=TIMEOUT_MS)
    assert _digest(ws_path) == before  # the report first, nothing written yet
    confirm.click()
    page.get_by_text(
        t("data.saved_ok", imported="۱", layer=t("data.layer.offices")).split(":")[0]
    ).first.wait_for(timeout=TIMEOUT_MS)
    page.screenshot(path=str(ARTIFACTS / "data-roles-steward.png"), full_page=True)
    assert _digest(ws_path) != before
    assert "NEW-1" in set(Workspace.load(ws_path).offices["office_id"])
    assert page.locator('[data-testid="stException"]').count() == 0
