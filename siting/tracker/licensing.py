"""Licences: issuing, transferring and changing them; the renewal-due list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from .. import permissions
from ..rules import licence_expiry
from ..text import clean_text
from . import models as m
from .convert import licence_view
from .core import Ctx, api
from .errors import NotFound, TrackerInputError, TransitionError
from .progress import ProgressMixin, _titles, latest_steps
from .terms import OPEN_STATUSES, term
from .views import LicenceView, RenewalItem

ISSUING = ("issue", "transfer")
#: The renewal-due list looks at most this far ahead (about 2,700 years: "everything", without date overflow).
MAX_RENEWAL_DAYS = 1_000_000
CHANGING = ("renew", "relocate", "withdraw", "correct", "deputy")


class LicensingMixin(ProgressMixin):
    def _final_step(self, ctx: Ctx, app: m.Application, outcomes: tuple[str, ...]) -> m.Step:
        """The licence step, checked: right request type, approved, every step it needs done (the fee)."""
        rtype = self.workflow.request_types[app.request_type]
        if rtype.outcome not in outcomes:
            verb = ("issue a licence", "صدور پروانه") if outcomes == ISSUING else ("change a licence", "تغییر پروانه")
            raise TransitionError(f"a {rtype.en} request does not {verb[0]}", f"«{rtype.fa}» به {verb[1]} نمی‌انجامد")
        if app.status != "approved":
            raise TransitionError(
                f"no licence without approval: the application is {term(app.status, 'en')}",
                f"بدون موافقت، پروانه صادر نمی‌شود: وضعیت درخواست «{term(app.status)}» است")
        d, row = self._step_row(app, "licence")
        missing = self._missing_needs(app, d, latest_steps(app))
        if missing or row.state != "ready":
            missing = missing or [d]
            en, fa = _titles(missing)
            raise TransitionError(f"the licence waits for: {en}", f"پروانه منتظر این مراحل است: {fa}")
        return row

    @api("write")
    def issue_licence(self, ctx: Ctx, application_id: int, number: str, issued_on: date, *,
                      expected_version: int) -> LicenceView:
        """Record the licence the regulator issued (directorate experts).

        Only for an approved application whose steps up to the fee are done.
        The licence is valid for five Solar Hijri years
        (:func:`siting.rules.licence_expiry`). For a transfer the new holder
        gets a new licence for the rest of the old one's term and the old one
        is marked transferred.
        """
        self._require_action(ctx, permissions.PROCESS_APPLICATIONS)
        app = self._application_to_change(ctx, application_id, expected_version)
        row = self._final_step(ctx, app, ISSUING)
        number = clean_text(number or "") or ""
        if not number:
            raise TrackerInputError("number: the licence number is required", "شمارهٔ پروانه لازم است")
        if ctx.s.scalars(select(m.Licence.id).where(m.Licence.number == number)).first() is not None:
            raise TrackerInputError(f"number: licence {number} exists already", f"پروانهٔ {number} پیش‌تر ثبت شده است")
        if not isinstance(issued_on, date) or issued_on > ctx.today:
            raise TrackerInputError("issued_on: the issue date cannot be in the future",
                                    "تاریخ صدور نمی‌تواند در آینده باشد")
        old = ctx.s.get(m.Licence, app.licence_id) if app.licence_id else None
        lic = m.Licence(
            number=number, licence_type=app.licence_type, holder_id=app.applicant_id,
            application_id=app.id, predecessor_id=old.id if old else None, holder_name=app.applicant.name,
            issued_on=issued_on, expires_on=old.expires_on if old else licence_expiry(issued_on, self.rules),
            renewals=old.renewals if old else 0, status="active", created_at=ctx.now)
        # the site: the application's; a transfer that named none keeps the licence's own
        if old is not None and app.site_lon is None and not app.address:
            lic.lon, lic.lat, lic.address = old.lon, old.lat, old.address
            lic.postal_code, lic.county = old.postal_code, old.county
        else:
            lic.lon, lic.lat, lic.address = app.site_lon, app.site_lat, app.address
            lic.postal_code, lic.county = app.postal_code, app.county
        if lic.expires_on <= lic.issued_on:
            raise TransitionError("the transferred licence has expired; renew it first",
                                  "پروانهٔ منتقل‌شده منقضی شده است؛ ابتدا آن را تجدید کنید")
        ctx.s.add(lic)
        if old is not None:
            old.status = "transferred"
            self._touch(ctx, old)
        ctx.s.flush()
        if old is None:
            app.licence_id = lic.id
        self._finish(ctx, app, row, "licensed", licence=number)
        ctx.audit("licence_issued", "licence", lic.id, application_id=app.id, number=number,
                  issued_on=issued_on, expires_on=lic.expires_on, predecessor=old.number if old else None)
        return licence_view(lic)

    @api("write")
    def apply_licence_change(self, ctx: Ctx, application_id: int, *, expected_version: int) -> LicenceView:
        """Apply an approved change to the licence (directorate experts), once its steps are done.

        Renewal adds a five-year period (and needs the fee), change of address
        moves the licence to the application's site, withdrawal ends it,
        correction rewrites the corrected fields, deputy records the deputy.
        """
        self._require_action(ctx, permissions.PROCESS_APPLICATIONS)
        app = self._application_to_change(ctx, application_id, expected_version)
        row = self._final_step(ctx, app, CHANGING)
        lic = ctx.s.get(m.Licence, app.licence_id)
        if lic is None or lic.status != "active":
            raise TransitionError("the licence is no longer active", "پروانه دیگر معتبر نیست")
        outcome = self.workflow.request_types[app.request_type].outcome
        before = licence_view(lic)
        details: dict[str, Any] = dict(app.details or {})
        if outcome == "renew":
            lic.renewals += 1
            lic.expires_on = licence_expiry(lic.issued_on, self.rules, renewals=lic.renewals)
        elif outcome == "relocate":
            lic.lon, lic.lat, lic.address = app.site_lon, app.site_lat, app.address
            lic.postal_code, lic.county = app.postal_code, app.county
        elif outcome == "withdraw":
            lic.status = "withdrawn"
        elif outcome == "correct":
            for k, v in details.items():
                setattr(lic, k, v)
        else:  # deputy
            lic.deputy_name, lic.deputy_national_id = details["full_name"], details["national_id"]
        self._touch(ctx, lic)
        self._finish(ctx, app, row, "completed", licence=lic.number)
        ctx.audit("licence_changed", "licence", lic.id, application_id=app.id, change=outcome,
                  before={k: getattr(before, k) for k in ("expires_on", "renewals", "status", "lon", "lat", "address",
                                                          "postal_code", "holder_name", "deputy_name")},
                  after={k: getattr(lic, k) for k in ("expires_on", "renewals", "status", "lon", "lat", "address",
                                                      "postal_code", "holder_name", "deputy_name")})
        return licence_view(lic)

    def _finish(self, ctx: Ctx, app: m.Application, row: m.Step, status: str, **data: Any) -> None:
        self._mark_done(ctx, row, data)
        app.status = status
        self._touch(ctx, app)
        self._refresh(ctx, app)

    @api("read")
    def get_licence(self, ctx: Ctx, licence_id: int) -> LicenceView:
        """One licence (applicants: only their own)."""
        lic = ctx.s.get(m.Licence, licence_id)
        if lic is not None:
            self._applicant(ctx, lic.holder_id)
        elif ctx.role == "applicant":
            self._applicant(ctx, -1)
        if lic is None:
            raise NotFound(f"no licence {licence_id}", f"پروانهٔ {licence_id} وجود ندارد")
        return licence_view(lic)

    @api("read")
    def renewals_due(self, ctx: Ctx, within_days: int = 90, *, today: date | None = None,
                     include_expired: bool = True) -> tuple[RenewalItem, ...]:
        """Active licences expiring within ``within_days`` (and, by default, those already expired).

        Applicants see their own licences; staff see all. Each item says
        whether a renewal request is already open.
        """
        today = today or ctx.today
        if not isinstance(within_days, int) or not 0 <= within_days <= MAX_RENEWAL_DAYS:
            raise TrackerInputError(f"within_days must be between 0 and {MAX_RENEWAL_DAYS} days",
                                    f"تعداد روزها باید بین ۰ و {MAX_RENEWAL_DAYS} باشد")
        q = (select(m.Licence).where(m.Licence.status == "active",
                                     m.Licence.expires_on <= today + timedelta(days=within_days))
             .order_by(m.Licence.expires_on, m.Licence.id))
        if not include_expired:
            q = q.where(m.Licence.expires_on > today)
        if ctx.role == "applicant":
            q = q.join(m.Applicant, m.Applicant.id == m.Licence.holder_id).where(m.Applicant.owner_id == ctx.user.id)
        else:
            self._require_action(ctx, permissions.READ_APPLICATIONS)
        licences = list(ctx.s.scalars(q))
        open_renewals = dict(ctx.s.execute(
            select(m.Application.licence_id, m.Application.id).where(
                m.Application.request_type == "renewal", m.Application.status.in_(OPEN_STATUSES),
                m.Application.licence_id.in_([lic.id for lic in licences]))).all()) if licences else {}
        return tuple(RenewalItem(licence_view(lic), (lic.expires_on - today).days, open_renewals.get(lic.id))
                     for lic in licences)
