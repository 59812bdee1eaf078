"""A SAMPLE tracker database for ``make run``: demo accounts and applications at realistic stages.

Everything is made through the tracker's public API (accounts, applicants,
applications, uploads, steps, decisions, licences), so every rule applies and
every change is in the audit trail. The sites are real settlement points of
the SAMPLE workspace (``data/workspace.gpkg``); names carry «(نمونه)» /
"(sample)", and an inactive account named :data:`SAMPLE_MARKER` marks the
database as sample data (:func:`is_sample_tracker`), so the pages show the
SAMPLE banner. Nothing here is official.

>>> build_sample_tracker("sqlite:///data/sample-tracker.db", "data/workspace.gpkg",
...                      files_dir="data/sample-uploads")       # doctest: +SKIP

or ``python -m siting.samples.tracker --url sqlite:///data/sample-tracker.db
--workspace data/workspace.gpkg --files data/sample-uploads`` (prints the demo
accounts). The database must be empty: building into one that holds accounts
is refused with :class:`SampleExists`.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jdatetime
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from siting.rules import licence_expiry
from siting.tracker import models as m
from siting.tracker.core import TrackerSettings
from siting.tracker.errors import TrackerError
from siting.tracker.migrate import upgrade
from siting.tracker.passwords import PasswordPolicy
from siting.tracker.views import ApplicantInput, PersonInput, SiteInput
from siting.workspace import Workspace

SAMPLE_MARKER = "sample-data"
"""User name of the inactive account that marks a tracker database as SAMPLE data."""

SAMPLE_LABEL_FA = "(نمونه)"
SAMPLE_LABEL_EN = "(sample)"
DEFAULT_URL = "sqlite:///data/sample-tracker.db"
DEFAULT_FILES = "data/sample-uploads"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    display_name: str
    what_en: str
    what_fa: str


# Printed on the console by the builder and written in docs/tracker.md ("Dashboard pages").
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo-admin", "sample-admin-1405", "admin", "مدیر سامانه (نمونه)",
                "administrator: accounts and the whole audit trail", "مدیر سامانه: حساب‌ها و کل سابقه"),
    DemoAccount("demo-expert", "sample-expert-1405", "expert", "کارشناس اداره کل (نمونه)",
                "directorate expert: queue, overdue steps, renewals, licences",
                "کارشناس اداره کل: صف کار، مراحل عقب‌افتاده، تجدید، پروانه"),
    DemoAccount("demo-wg", "sample-wg-1405", "wg_member", "عضو کارگروه (نمونه)",
                "working-group member: agenda and decisions", "عضو کارگروه: دستور جلسه و تصمیم‌ها"),
    DemoAccount("demo-steward", "sample-steward-1405", "data_steward", "متصدی داده (نمونه)",
                "data steward: imports files into the workspace (Data page); no applications",
                "متصدی داده: ورود فایل به فضای کاری (صفحهٔ داده‌ها)؛ بدون دسترسی به درخواست‌ها"),
    DemoAccount("demo-zahra", "sample-zahra-1405", "applicant", "زهرا رضایی (نمونه)",
                "applicant (natural person, rural ICT): a returned request, one on the agenda, a licence "
                "expiring soon", "متقاضی حقیقی (ICT روستایی): درخواست عودت‌شده، درخواست در دستور جلسه، "
                "پروانهٔ نزدیک به انقضا"),
    DemoAccount("demo-kavir", "sample-kavir-1405", "applicant", "شرکت خدمات پیشخوان کویر (نمونه)",
                "applicant (company, urban Pishkhan): an approved request in the licensing steps, one on "
                "the agenda", "متقاضی حقوقی (پیشخوان شهری): درخواست موافقت‌شده در مراحل اخذ پروانه، "
                "درخواست در دستور جلسه"),
    DemoAccount("demo-reza", "sample-reza-1405", "applicant", "رضا کاظمی (نمونه)",
                "applicant (natural person, rural ICT): one on the agenda (too close to another), one "
                "rejected", "متقاضی حقیقی (ICT روستایی): درخواست در دستور جلسه (نزدیک به درخواست دیگر)، "
                "درخواست ردشده"),
)


def demo_account(username: str) -> DemoAccount:
    return next(a for a in DEMO_ACCOUNTS if a.username == username)


# Settlements of the SAMPLE workspace (data/sample): code -> what it is used for. The builder reads
# their points from the workspace, so the sites are exactly where the map shows these villages/towns.
SITES: dict[str, str] = {
    "returned": "SMP-V0003",      # rural, Birjand county: returned twice
    "licensed": "SMP-V0012",      # rural, Khusf county: licensed five years ago, expiring soon
    "conflict_a": "SMP-V0661",    # rural, Birjand county: on the agenda ...
    "conflict_b": "SMP-V0890",    # ... 1.6 km from conflict_a (too close: a conflict)
    "approved": "GN117204",       # urban, Sarbisheh: approved, in the licensing steps
    "urban_agenda": "GN127098",   # urban, Khusf: on the agenda
    "rejected": "SMP-V0005",      # rural, Birjand county: rejected
}


class SampleExists(TrackerError):
    """The database already holds accounts: the sample is only built into an empty database."""


@dataclass
class SampleTracker:
    """What :func:`build_sample_tracker` made (application ids by their role in the demo)."""

    url: str
    files_dir: Path
    applications: dict[str, int] = field(default_factory=dict)
    licence_number: str = ""
    licence_expires_on: date | None = None
    accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.t = now

    def __call__(self) -> datetime:
        return self.t

    def at(self, t: datetime) -> None:
        self.t = t


# -- identifiers and files -----------------------------------------------------------------------------
def sample_national_id(seed: int) -> str:
    """A 10-digit national ID that passes the check digit (synthetic, for the sample)."""
    base = f"{(271828182 + seed * 104729) % 10**9:09d}"
    if int(base[3:]) == 0:
        base = base[:8] + "1"
    s = sum(int(base[i]) * (10 - i) for i in range(9))
    r = s % 11
    return base + str(r if r < 2 else 11 - r)


def sample_legal_id(seed: int) -> str:
    """An 11-digit legal-entity ID that passes the check digit (synthetic, for the sample)."""
    base = f"{(1038028479 + seed * 7919) % 10**10:010d}"
    t = int(base[9]) + 2
    s = sum((int(base[i]) + t) * (29, 27, 23, 19, 17)[i % 5] for i in range(10))
    c = s % 11
    return base + str(0 if c == 10 else c)


def _scan(width: int, height: int, label: str) -> Image.Image:
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    for y in range(height // 8, height - height // 10, max(height // 20, 8)):
        d.rectangle((width // 10, y, width - width // 10, y + max(height // 80, 2)), fill=(40, 40, 40))
    d.text((width // 10, height // 30), f"SAMPLE - not official - {label}", fill="black")
    return img


def _pdf(pages: int, label: str) -> bytes:
    images = [_scan(1240, 1754, f"{label} p.{i + 1}") for i in range(pages)]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return buf.getvalue()


def _jpeg(width: int, height: int, label: str) -> bytes:
    buf = io.BytesIO()
    _scan(width, height, label).save(buf, "JPEG", quality=80)
    return buf.getvalue()


class _Files:
    """A sample file for each document kind, made once."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[bytes, str]] = {}

    def __call__(self, kind: str) -> tuple[bytes, str]:
        if kind not in self._cache:
            if kind == "birth_certificate":
                self._cache[kind] = (_pdf(2, kind), "sample-birth-certificate.pdf")
            elif kind in ("statute", "founding_notice", "commitment_form", "commitment_form_personal"):
                self._cache[kind] = (_pdf(1, kind), f"sample-{kind}.pdf")
            elif kind == "photo":
                self._cache[kind] = (_jpeg(450, 600, kind), "sample-photo.jpg")
            else:
                self._cache[kind] = (_jpeg(900, 1200, kind), f"sample-{kind}.jpg")
        return self._cache[kind]


STEP_DATA: dict[str, dict[str, str]] = {
    "company_registration": {"registration_number": "54321"},
    "tax_registration": {"economic_code": "411111111111"},
    "licensing_system_registration": {"tracking_code": "SAMPLE-TRK-77"},
    "site_confirmation": {"postal_code": "9717434459"},
    "fee": {"payment_reference": "SAMPLE-PAY-8844", "amount_rial": "25000000"},
}


# -- the builder ---------------------------------------------------------------------------------------
class _Builder:
    def __init__(self, t, clock: _Clock, ids: dict) -> None:
        self.t = t
        self.clock = clock
        self.ids = ids
        self.files = _Files()

    def version(self, app_id: int) -> int:
        return self.t.get_application(self.ids["demo-expert"], app_id).application.version

    def actor(self, actor: str, owner):
        return {"applicant": owner, "working_group": self.ids["demo-wg"],
                "wg_secretariat": self.ids["demo-wg"]}.get(actor, self.ids["demo-expert"])

    def upload_missing(self, app_id: int, owner, step_id: str) -> None:
        for miss in self.t.get_application(owner, app_id).missing_documents:
            if miss.step_id == step_id:
                content, name = self.files(miss.kind)
                self.t.upload_document(owner, app_id, miss.kind, content, name, person_id=miss.person_id)

    def step(self, app_id: int, step_id: str, owner) -> None:
        detail = self.t.get_application(owner, app_id)
        row = next(s for s in detail.current_steps() if s.step_id == step_id)
        self.upload_missing(app_id, owner, step_id)
        self.t.complete_step(self.actor(row.actor, owner), app_id, step_id, expected_version=self.version(app_id),
                             data=STEP_DATA.get(step_id), notes="(نمونه) انجام شد")

    def submit(self, app_id: int, owner, *, principles: bool = True) -> None:
        if principles:
            self.step(app_id, "principles", owner)
        self.upload_missing(app_id, owner, "request")
        self.t.submit(owner, app_id, expected_version=self.version(app_id))

    def ready_steps(self, app_id: int, owner, *, count: int | None = None, until: str | None = None,
                    days_each: float = 0.0) -> list[str]:
        """Complete ready steps (those recorded as steps) in order; stop after ``count`` or when
        ``until`` is ready or nothing is left; the clock moves ``days_each`` before each."""
        done: list[str] = []
        for _ in range(80):
            ready = [s for s in self.t.get_application(owner, app_id).next_steps]
            if until is not None and any(s.step_id == until for s in ready):
                break
            todo = [s for s in ready if s.completed_by_action == "step"]
            if not todo or (count is not None and len(done) >= count):
                break
            self.clock.at(self.clock() + timedelta(days=days_each))
            self.step(app_id, todo[0].step_id, owner)
            done.append(todo[0].step_id)
        return done

    def decide(self, app_id: int, outcome: str, reasons: str, deficiencies: tuple[str, ...] = (),
               requested: tuple[str, ...] = ()) -> None:
        self.t.record_decision(self.ids["demo-wg"], app_id, outcome, reasons, deficiencies=list(deficiencies),
                               expected_version=self.version(app_id), requested_documents=list(requested))


def _site(ws: Workspace, code: str, address: str) -> SiteInput:
    s = ws.settlements
    row = s[s["code"] == code]
    if row.empty:
        raise TrackerError(f"the workspace has no settlement {code}; build the sample tracker on the SAMPLE "
                           "workspace (make sample / make run)",
                           f"فضای کار سکونتگاه {code} را ندارد؛ ردیاب نمونه را روی فضای کار نمونه بسازید")
    g = row.iloc[0].geometry
    name = row.iloc[0]["name_fa"]
    return SiteInput(lon=round(float(g.x), 6), lat=round(float(g.y), 6), address=f"{name}، {address} {SAMPLE_LABEL_FA}")


def _natural(name: str, seed: int, *, exempt: bool) -> ApplicantInput:
    nid = sample_national_id(seed)
    return ApplicantInput("natural", name, nid, (PersonInput(name, nid, "bachelor", False, military_exempt=exempt),))


def _company() -> ApplicantInput:
    return ApplicantInput(
        "legal", f"شرکت خدمات پیشخوان کویر {SAMPLE_LABEL_FA}", sample_legal_id(7), company_type="company",
        ownership="private", registration_number="14051", registration_date=date(2019, 5, 12),
        registration_province="خراسان جنوبی", people=(
            PersonInput(f"علی محمدی {SAMPLE_LABEL_FA}", sample_national_id(71), "master", False,
                        role="managing_director", on_board=True),
            PersonInput(f"مریم احمدی {SAMPLE_LABEL_FA}", sample_national_id(72), "bachelor", False,
                        role="board_member", signatory=True, military_exempt=True),
            PersonInput(f"حسن کریمی {SAMPLE_LABEL_FA}", sample_national_id(73), "diploma", False,
                        role="signatory"),
        ))


def _at(now: datetime, days: float) -> datetime:
    return now + timedelta(days=days)


def _issue_date_for(today: date, days_left: int, rules) -> date:
    """The issue date whose five-Solar-Hijri-year expiry falls ``days_left`` days after ``today``."""
    target = today + timedelta(days=days_left)
    j = jdatetime.date.fromgregorian(date=target)
    issued = jdatetime.date(j.year - rules.validity_years, j.month, min(j.day, 29)).togregorian()
    while licence_expiry(issued, rules) < target:
        issued += timedelta(days=1)
    return issued


def build_sample_tracker(url: str, workspace: str | os.PathLike[str] | Workspace, *,
                         files_dir: str | os.PathLike[str] = DEFAULT_FILES, now: datetime | None = None,
                         password_policy: PasswordPolicy | None = None) -> SampleTracker:
    """Create the SAMPLE tracker database at ``url`` (migrated here) on the SAMPLE ``workspace``.

    ``files_dir`` receives the sample's uploaded files (keep it apart from the
    real ``data/uploads``). ``now`` is the moment the sample is "today" (by
    default the current time): the past events are dated before it.

    Raises
    ------
    SampleExists
        The database already holds accounts (nothing is changed).
    """
    from siting.tracker import Tracker

    ws = workspace if isinstance(workspace, Workspace) else Workspace.load(workspace)
    if not ws.is_sample:
        raise TrackerError("the sample tracker is built on the SAMPLE workspace only (its sites are sample "
                           "settlements)", "ردیاب نمونه فقط روی فضای کار نمونه ساخته می‌شود")
    now = now or datetime.now(UTC)
    from siting.tracker.db import make_engine

    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            users = conn.execute(select(func.count()).select_from(m.User)).scalar_one()
        if users:
            raise SampleExists(
                f"the database {url} already holds {users} account(s); the sample tracker is built only into "
                "an empty database (delete the sample database file to rebuild it)",
                f"پایگاه دادهٔ {url} از پیش {users} حساب دارد؛ ردیاب نمونه فقط در پایگاه دادهٔ خالی ساخته "
                "می‌شود (برای ساخت دوباره، پروندهٔ پایگاه دادهٔ نمونه را پاک کنید)")
    finally:
        engine.dispose()

    clock = _Clock(_at(now, -5 * 366))
    settings = TrackerSettings(url=url, files_dir=files_dir, password_policy=password_policy or PasswordPolicy())
    t = Tracker(settings, workspace=ws, clock=clock)
    out = SampleTracker(url=url, files_dir=Path(files_dir))
    try:
        _build(t, clock, ws, now, out)
    finally:
        t.close()
    return out


def _build(t, clock: _Clock, ws: Workspace, now: datetime, out: SampleTracker) -> None:
    admin_acc = DEMO_ACCOUNTS[0]
    admin = t.bootstrap_admin(admin_acc.username, admin_acc.password, admin_acc.display_name)
    marker = t.create_user(admin, SAMPLE_MARKER, None, "applicant",
                           "داده‌های نمونه — غیررسمی / SAMPLE data — not official")
    t.set_user_active(admin, marker.id, False)
    ids: dict[str, object] = {admin_acc.username: admin}
    for acc in DEMO_ACCOUNTS[1:]:
        t.create_user(admin, acc.username, acc.password, acc.role, acc.display_name)
        ids[acc.username] = t.authenticate(acc.username, acc.password)
    b = _Builder(t, clock, ids)
    zahra, kavir, reza = ids["demo-zahra"], ids["demo-kavir"], ids["demo-reza"]
    expert = ids["demo-expert"]

    z = t.create_applicant(zahra, _natural(f"زهرا رضایی {SAMPLE_LABEL_FA}", 11, exempt=True))
    r = t.create_applicant(reza, _natural(f"رضا کاظمی {SAMPLE_LABEL_FA}", 23, exempt=False))
    k = t.create_applicant(kavir, _company())

    # 1. Zahra's licence, issued five Solar Hijri years ago less 40 days: on the renewal list.
    issued = _issue_date_for(now.date(), 40, t.rules)
    start = datetime.combine(issued, now.timetz()) - timedelta(days=75)
    clock.at(start)
    app = t.create_application(zahra, z.id, "rural", "new", site=_site(ws, SITES["licensed"], "کنار مدرسه"))
    b.submit(app.id, zahra)
    clock.at(start + timedelta(days=2))
    b.step(app.id, "intake", zahra)
    clock.at(start + timedelta(days=20))
    b.decide(app.id, "approve", "(نمونه) محل با ضوابط سازگار است و روستا پوشش ندارد.")
    b.ready_steps(app.id, zahra, until="licence", days_each=3)
    clock.at(datetime.combine(issued, now.timetz()))
    lic = t.issue_licence(expert, app.id, "SAMPLE-R-1400-017", issued, expected_version=b.version(app.id))
    b.ready_steps(app.id, zahra, days_each=4)
    out.applications["licensed"] = app.id
    out.licence_number, out.licence_expires_on = lic.number, lic.expires_on

    # 2. Reza's request at a site near an existing office: rejected by the working group.
    clock.at(_at(now, -70))
    app = t.create_application(reza, r.id, "rural", "new", site=_site(ws, SITES["rejected"], "ورودی روستا"))
    b.submit(app.id, reza)
    clock.at(_at(now, -68))
    b.step(app.id, "intake", reza)
    clock.at(_at(now, -55))
    b.decide(app.id, "reject", "(نمونه) روستاهای اطراف را دفتر موجود پوشش می‌دهد و جمعیت بدون پوشش کافی نیست.")
    out.applications["rejected"] = app.id

    # 3. Kavir's urban Pishkhan in Sarbisheh: approved 40 days ago, some licensing steps done, others overdue.
    clock.at(_at(now, -50))
    app = t.create_application(kavir, k.id, "urban", "new",
                               site=_site(ws, SITES["approved"], "خیابان امام، پلاک ۴۲"))
    b.submit(app.id, kavir)
    clock.at(_at(now, -48))
    b.step(app.id, "intake", kavir)
    clock.at(_at(now, -40))
    b.decide(app.id, "approve", "(نمونه) شهر سربیشه دفتر پیشخوان فعال ندارد؛ محل با ضوابط سازگار است.")
    b.ready_steps(app.id, kavir, count=4, days_each=2)
    out.applications["approved"] = app.id

    # 4. Zahra's request returned twice: round 1 and round 2 each with their deficiencies.
    clock.at(_at(now, -32))
    app = t.create_application(zahra, z.id, "rural", "new",
                               site=_site(ws, SITES["returned"], "جنب دهیاری"))
    b.submit(app.id, zahra)
    clock.at(_at(now, -30))
    b.step(app.id, "intake", zahra)
    clock.at(_at(now, -21))
    b.decide(app.id, "return", "(نمونه) پرونده ناقص است.",
             ("تصویر کارت ملی خوانا نیست؛ تصویر روشن‌تری بارگذاری کنید.",
              "نشانی محل پیشنهادی کامل نیست؛ پلاک و کد پستی را بنویسید."), requested=("national_card",))
    clock.at(_at(now, -14))
    person = t.get_application(zahra, app.id).applicant.people[0]
    content, name = b.files("national_card")
    t.upload_document(zahra, app.id, "national_card", content, name, person_id=person.id)
    t.update_site(zahra, app.id, _site(ws, SITES["returned"], "جنب دهیاری، پلاک ۷"),
                  expected_version=b.version(app.id))
    b.submit(app.id, zahra, principles=False)
    clock.at(_at(now, -13))
    b.step(app.id, "intake", zahra)
    clock.at(_at(now, -6))
    b.decide(app.id, "return", "(نمونه) پس از بررسی دور دوم، یک کسری باقی است.",
             ("گواهی عدم سوء پیشینه تاریخ گذشته است؛ گواهی جدید (کمتر از سه ماه) بارگذاری کنید.",),
             requested=("no_criminal_record",))
    out.applications["returned"] = app.id

    # 5. On the agenda: Reza and Zahra 1.6 km apart (a conflict), and Kavir's urban request in Khusf.
    clock.at(_at(now, -9))
    app_a = t.create_application(reza, r.id, "rural", "new", site=_site(ws, SITES["conflict_a"], "میدان روستا"))
    b.submit(app_a.id, reza)
    clock.at(_at(now, -8))
    b.step(app_a.id, "intake", reza)
    clock.at(_at(now, -4))
    app_b = t.create_application(zahra, z.id, "rural", "new", site=_site(ws, SITES["conflict_b"], "کنار مسجد"))
    b.submit(app_b.id, zahra)
    clock.at(_at(now, -3))
    b.step(app_b.id, "intake", zahra)
    clock.at(_at(now, -3))
    app_c = t.create_application(kavir, k.id, "urban", "new", site=_site(ws, SITES["urban_agenda"], "بلوار اصلی"))
    b.submit(app_c.id, kavir)
    clock.at(_at(now, -2))
    b.step(app_c.id, "intake", kavir)
    # before the meeting the secretariat re-runs the site checks, so both of the pair see each other
    clock.at(_at(now, -1))
    for app_id in (app_a.id, app_b.id, app_c.id):
        t.revalidate(ids["demo-wg"], app_id)
    out.applications.update(conflict_a=app_a.id, conflict_b=app_b.id, urban_agenda=app_c.id)


def is_sample_tracker(tracker) -> bool:
    """Whether the tracker's database is the SAMPLE one (it holds the :data:`SAMPLE_MARKER` account).

    A plain read of one row, without an identity: the sign-in form shows the
    SAMPLE banner and the demo accounts before anyone is signed in.
    """
    with tracker.engine.connect() as conn:
        row = conn.execute(select(m.User.id).where(
            m.User.username == SAMPLE_MARKER, m.User.password_hash.is_(None), m.User.sso_subject.is_(None),
            m.User.active.is_(False))).first()
    return row is not None


def accounts_text(lang: str = "en") -> str:
    """The demo accounts as a table for the console."""
    rows = [f"  {a.username:<12} {a.password:<20} {a.what_en if lang == 'en' else a.what_fa}"
            for a in DEMO_ACCOUNTS]
    head = "SAMPLE tracker — demo accounts (not official):" if lang == "en" else \
        "ردیاب نمونه — حساب‌های نمایشی (غیررسمی):"
    return "\n".join([head, f"  {'user':<12} {'password':<20} what", *rows])


def main(argv: list[str] | None = None, *, out: Callable[[str], None] = print) -> int:
    p = argparse.ArgumentParser(prog="python -m siting.samples.tracker",
                                description="Build the SAMPLE tracker database (demo accounts and applications).")
    p.add_argument("--url", default=DEFAULT_URL, help=f"database URL (default {DEFAULT_URL})")
    p.add_argument("--workspace", default="data/workspace.gpkg", help="the SAMPLE workspace")
    p.add_argument("--files", default=DEFAULT_FILES, help=f"folder of the sample's uploads (default {DEFAULT_FILES})")
    args = p.parse_args(argv)
    try:
        made = build_sample_tracker(args.url, args.workspace, files_dir=args.files)
    except TrackerError as exc:
        print(f"error: {exc.message('en')}", file=sys.stderr)
        return 2
    out(f"SAMPLE tracker built: {made.url} (uploads in {made.files_dir}); applications {made.applications}")
    out(accounts_text("en"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
