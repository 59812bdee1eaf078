"""Builders for the tracker's tests: people with valid IDs, real PDF and image files, and a driver
that walks an application through the workflow the way the actors would."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PIL import Image, ImageDraw

from siting.tracker import (
    ApplicantInput,
    Identity,
    PersonInput,
    SiteInput,
    Tracker,
)

URBAN_SITE = SiteInput(lon=59.22, lat=32.87, address="بیرجند، خیابان مدرس، پلاک ۱۲")  # Birjand city
RURAL_SITE = SiteInput(lon=59.52, lat=32.72, address="روستای مود")  # near the village Mud, Birjand county
KHUSF_SITE = SiteInput(lon=58.51, lat=33.50, address="روستای ماژان")  # Khusf county (population unknown)


class Clock:
    """A settable clock for the tracker (aware UTC)."""

    def __init__(self, now: datetime) -> None:
        self.t = now

    def __call__(self) -> datetime:
        return self.t

    def advance(self, days: float) -> None:
        self.t = self.t + timedelta(days=days)

    @property
    def today(self) -> date:
        return self.t.date()


# -- identifiers --------------------------------------------------------------------------------------
def national_id(seed: int) -> str:
    """A valid 10-digit national ID (check digit as in FIELD-NOTES), different for each seed."""
    base = f"{(123456789 + seed * 104729) % 10**9:09d}"
    if int(base[3:]) == 0:
        base = base[:8] + "1"
    s = sum(int(base[i]) * (10 - i) for i in range(9))
    r = s % 11
    return base + str(r if r < 2 else 11 - r)


def legal_id(seed: int) -> str:
    """A valid 11-digit legal-entity ID, different for each seed."""
    base = f"{(1038028479 + seed * 7919) % 10**10:010d}"
    t = int(base[9]) + 2
    s = sum((int(base[i]) + t) * (29, 27, 23, 19, 17)[i % 5] for i in range(10))
    c = s % 11
    return base + str(0 if c == 10 else c)


def natural_applicant(seed: int, *, education: str = "bachelor", government_employee: bool = False,
                      military_exempt: bool = False, name: str = "زهرا رضایی") -> ApplicantInput:
    nid = national_id(seed)
    return ApplicantInput(kind="natural", name=name, national_id=nid, people=(
        PersonInput(full_name=name, national_id=nid, education=education,
                    government_employee=government_employee, military_exempt=military_exempt),))


def company(seed: int, *, md_education: str = "master", md_government: bool = False,
            signatory_education: str = "diploma", member_education: str = "bachelor",
            name: str = "شرکت خدمات پیشخوان کویر") -> ApplicantInput:
    """A company with a managing director on the board, one more board member who signs, and a
    signatory who is not on the board."""
    return ApplicantInput(
        kind="legal", name=name, national_id=legal_id(seed), company_type="company", ownership="private",
        registration_number="12345", registration_date=date(2020, 3, 1), registration_province="خراسان جنوبی",
        people=(
            PersonInput("علی محمدی", national_id(seed * 10 + 1), md_education, md_government,
                        role="managing_director", on_board=True),
            PersonInput("مریم احمدی", national_id(seed * 10 + 2), member_education, False, role="board_member",
                        signatory=True, military_exempt=True),
            PersonInput("حسن کریمی", national_id(seed * 10 + 3), signatory_education, False, role="signatory"),
        ))


# -- real files ---------------------------------------------------------------------------------------
def scan_image(width: int = 1240, height: int = 1754, label: str = "page") -> Image.Image:
    """A page that looks like a scan: white with dark text bars."""
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    for y in range(height // 10, height - height // 10, max(height // 20, 8)):
        d.rectangle((width // 10, y, width - width // 10, y + max(height // 80, 2)), fill=(30, 30, 30))
    d.text((width // 8, height // 20), label, fill="black")
    return img


def pdf_of(images: list[Image.Image], resolution: float = 150) -> bytes:
    """A PDF with one image per page (how a scanner or Pillow saves a multi-page scan)."""
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=resolution, save_all=True, append_images=images[1:])
    return buf.getvalue()


def scan_pdf(pages: int = 2, resolution: float = 150) -> bytes:
    return pdf_of([scan_image(label=f"page {i + 1}") for i in range(pages)], resolution)


def jpeg(width: int = 900, height: int = 1200) -> bytes:
    buf = io.BytesIO()
    scan_image(width, height).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def png(width: int = 900, height: int = 1200) -> bytes:
    buf = io.BytesIO()
    scan_image(width, height).save(buf, "PNG")
    return buf.getvalue()


@functools.cache
def good_file(kind: str) -> tuple[bytes, str]:
    """A file that passes the checks for a document kind of siting/tracker/workflow.yaml (made once per kind)."""
    if kind in ("birth_certificate",):
        return scan_pdf(4), "shenasnameh.pdf"
    if kind in ("statute", "founding_notice", "commitment_form", "commitment_form_personal"):
        return scan_pdf(3), f"{kind}.pdf"
    if kind == "photo":
        return jpeg(600, 800), "photo.jpg"
    return jpeg(), f"{kind}.jpg"


# -- people ---------------------------------------------------------------------------------------------
@dataclass
class World:
    """A tracker with an administrator, a directorate expert, a working-group member and two applicants."""

    t: Tracker
    clock: Clock
    admin: Identity
    expert: Identity
    wg: Identity
    alice: Identity
    bob: Identity


PASSWORD = "a long test passphrase"


def make_world(t: Tracker, clock: Clock) -> World:
    admin = t.bootstrap_admin("admin", PASSWORD, "مدیر")
    ids = {}
    for name, role in (("expert", "expert"), ("wg", "wg_member"), ("alice", "applicant"), ("bob", "applicant")):
        t.create_user(admin, name, PASSWORD, role, name)
        ids[name] = t.authenticate(name, PASSWORD)
    return World(t, clock, admin, **ids)


# -- walking the workflow ------------------------------------------------------------------------------
STEP_DATA = {
    "company_registration": {"registration_number": "54321"},
    "tax_registration": {"economic_code": "411111111111"},
    "licensing_system_registration": {"tracking_code": "TRK-1405-77"},
    "site_confirmation": {"postal_code": "9717434459"},
    "fee": {"payment_reference": "PAY-884422", "amount_rial": "25000000"},
}


def actor_identity(w: World, actor: str, owner: Identity) -> Identity:
    return {"applicant": owner, "working_group": w.wg, "wg_secretariat": w.wg}.get(actor, w.expert)


def version(w: World, app_id: int, who: Identity | None = None) -> int:
    return w.t.get_application(who or w.expert, app_id).application.version


def upload_missing(w: World, app_id: int, owner: Identity, step_id: str | None = None) -> int:
    """Upload a good file for every document still missing (for one step, or all); returns how many."""
    detail = w.t.get_application(owner, app_id)
    n = 0
    for miss in detail.missing_documents:
        if step_id is not None and miss.step_id != step_id:
            continue
        content, name = good_file(miss.kind)
        w.t.upload_document(owner, app_id, miss.kind, content, name, person_id=miss.person_id)
        n += 1
    return n


def do_step(w: World, app_id: int, step_id: str, owner: Identity, **data: str) -> None:
    """Complete a step as its actor would: upload what it needs, give its facts, record it."""
    detail = w.t.get_application(owner, app_id)
    row = next(s for s in detail.current_steps() if s.step_id == step_id)
    upload_missing(w, app_id, owner, step_id)
    who = actor_identity(w, row.actor, owner)
    w.t.complete_step(who, app_id, step_id, expected_version=version(w, app_id),
                      data=data or STEP_DATA.get(step_id), notes=f"{step_id} ok")


def to_agenda(w: World, app_id: int, owner: Identity) -> None:
    """Read the principles, submit, and receive the request: it is on the working group's agenda."""
    do_step(w, app_id, "principles", owner)
    w.t.submit(owner, app_id, expected_version=version(w, app_id))
    do_step(w, app_id, "intake", owner)


def run_ready_steps(w: World, app_id: int, owner: Identity, *, until: str) -> list[str]:
    """Complete ready steps, in the order they become ready, until ``until`` is ready; returns their ids."""
    done = []
    for _ in range(60):
        detail = w.t.get_application(owner, app_id)
        ready = [s for s in detail.next_steps]
        if any(s.step_id == until for s in ready):
            return done
        todo = [s for s in ready if s.completed_by_action == "step"]
        if not todo:
            raise AssertionError(f"stuck before {until}: ready {[s.step_id for s in ready]}")
        do_step(w, app_id, todo[0].step_id, owner)
        done.append(todo[0].step_id)
    raise AssertionError("too many steps")


def licensed(w: World, owner: Identity, applicant: ApplicantInput, licence_type: str, site: SiteInput,
             number: str) -> tuple[int, int]:
    """A new application taken all the way to its licence; returns (application id, licence id)."""
    a = w.t.create_applicant(owner, applicant)
    app = w.t.create_application(owner, a.id, licence_type, "new", site=site)
    to_agenda(w, app.id, owner)
    w.t.record_decision(w.wg, app.id, "approve", "meets the rules", expected_version=version(w, app.id))
    run_ready_steps(w, app.id, owner, until="licence")
    lic = w.t.issue_licence(w.expert, app.id, number, w.clock.today, expected_version=version(w, app.id))
    return app.id, lic.id


def snapshot(t: Tracker) -> dict[str, list[tuple]]:
    """Every row of every tracker table, to prove that a refused or failed call changed nothing."""
    from sqlalchemy import select

    from siting.tracker.models import Base

    out = {}
    with t.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def row_counts(url: str) -> dict[str, int]:
    """Rows of every tracker table in the database at ``url`` (for checks such as "one document more")."""
    from sqlalchemy import create_engine, func, select

    from siting.tracker.models import Base

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {tbl.name: conn.execute(select(func.count()).select_from(tbl)).scalar_one()
                    for tbl in Base.metadata.sorted_tables}
    finally:
        engine.dispose()
