"""A tracker database for the staff pages' tests, built through the library on the SAMPLE workspace
(synthetic): three proposals on the working group's agenda (two urban ones too close to each other),
an approved application with its licensing steps ready and some overdue, and three licences expiring
at known distances from today.

Imported by name (tests/ui is on sys.path; tests/ui/conftest.py puts ``tests/tracker`` there for its helpers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jdatetime
from tracker_helpers import (
    PASSWORD,
    Clock,
    World,
    company,
    make_world,
    natural_applicant,
    run_ready_steps,
    to_agenda,
    version,
)

from siting.tracker import PasswordPolicy, SiteInput, Tracker, TrackerSettings
from siting.workspace import Workspace

# sample proposals of data/sample/proposals.csv (synthetic): P07 and P08 are 400 m apart in Birjand
P07 = SiteInput(lon=59.25114, lat=32.87828, address="بیرجند (نمونه)")
P08 = SiteInput(lon=59.25514, lat=32.88028, address="بیرجند (نمونه)")
P02 = SiteInput(lon=58.32945, lat=33.96396, address="روستای نمونه ۲")
P03 = SiteInput(lon=58.97889, lat=33.87821, address="روستای نمونه ۳")
LICENCE_SITES = (SiteInput(lon=58.18919, lat=34.45407), SiteInput(lon=56.80746, lat=33.61435),
                 SiteInput(lon=58.30158, lat=33.6338))
EXPIRES_IN_DAYS = (10, 40, 200)  # about; the tests compute each expiry themselves


@dataclass(frozen=True)
class StaffData:
    url: str
    agenda: tuple[int, int, int]  # P07 (company), P08 (company), P02 (natural), oldest first
    approved: int  # approved, licensing steps ready
    licences: tuple[int, ...]
    password: str = PASSWORD


def five_years_before(today: date, plus_days: int) -> date:
    """A Gregorian date five Solar Hijri years before ``today``, plus some days."""
    j = jdatetime.date.fromgregorian(date=today)
    return jdatetime.date(j.year - 5, j.month, min(j.day, 29)).togregorian() + timedelta(days=plus_days)


def _licensed(w: World, owner, applicant, site: SiteInput, number: str, issued_on: date) -> int:
    a = w.t.create_applicant(owner, applicant)
    app = w.t.create_application(owner, a.id, "rural", "new", site=site)
    to_agenda(w, app.id, owner)
    _approve(w, app.id)
    run_ready_steps(w, app.id, owner, until="licence")
    return w.t.issue_licence(w.expert, app.id, number, issued_on, expected_version=version(w, app.id)).id


def _approve(w: World, app_id: int) -> None:
    status = w.t.get_application(w.wg, app_id).application.validation_status
    w.t.record_decision(w.wg, app_id, "approve", "ضوابط رعایت شده است (نمونه)", expected_version=version(w, app_id),
                        override_reason="تصمیم نمونهٔ کارگروه" if status == "fail" else None)


def build(url: str, workspace: str | Path, files_dir: str | Path) -> StaffData:
    """Fill the empty, migrated tracker database at ``url``; users: admin, expert, wg, alice, bob
    (password :data:`PASSWORD`)."""
    now = datetime.now(UTC)
    clock = Clock(now - timedelta(days=60))
    t = Tracker(TrackerSettings(url=url, files_dir=Path(files_dir), password_policy=PasswordPolicy.fast()),
                workspace=Workspace.load(workspace), clock=clock)
    try:
        w = make_world(t, clock)
        today = now.date()
        licences = tuple(
            _licensed(w, owner, natural_applicant(700 + i, name=name), site, f"SMP-R-{i + 1}",
                      five_years_before(today, days))
            for i, (owner, name, site, days) in enumerate(zip(
                (w.alice, w.bob, w.alice), ("رضا نمونه", "سارا نمونه", "مهدی نمونه"), LICENCE_SITES,
                EXPIRES_IN_DAYS, strict=True)))
        clock.t = now - timedelta(days=45)  # its licensing steps became ready 45 days ago: some are overdue
        a = t.create_applicant(w.bob, natural_applicant(720, name="نرگس نمونه"))
        approved = t.create_application(w.bob, a.id, "rural", "new", site=P03).id
        to_agenda(w, approved, w.bob)
        _approve(w, approved)
        clock.t = now - timedelta(days=2)
        agenda = []
        for owner, applicant, ltype, site in (
                (w.alice, company(731, name="شرکت نمونه الف"), "urban", P07),
                (w.bob, company(732, name="شرکت نمونه ب"), "urban", P08),
                (w.alice, natural_applicant(733, name="متقاضی نمونه ۲"), "rural", P02)):
            a = t.create_applicant(owner, applicant)
            app = t.create_application(owner, a.id, ltype, "new", site=site)
            to_agenda(w, app.id, owner)
            agenda.append(app.id)
            clock.advance(0.1)
        return StaffData(url, tuple(agenda), approved, licences)
    finally:
        t.close()
