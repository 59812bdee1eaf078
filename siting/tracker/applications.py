"""Applications: creating a request, its proposed site and site validation, submitting, cancelling."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import geopandas as gpd
from sqlalchemy import select

from .. import fmt, permissions
from ..reports.labels import POINT_PROBLEMS
from ..rules import check_applicant
from ..rules.site import site_point_problem
from ..rules.validate import (
    Conflict,
    ProposalSet,
    ValidationReport,
    conflicts_at,
    validate_site,
    with_conflicts,
)
from ..text import clean_text, parse_number
from ..vocab import parse_licence_type
from . import models as m
from .applicants import eligibility, failures_message
from .convert import application_view
from .core import Ctx, api
from .errors import NotFound, TrackerInputError, TransitionError
from .ids import digits_only, national_id_problem, postal_code_problem
from .progress import REVIEW_PHASES, ProgressMixin, latest_steps
from .terms import OPEN_STATUSES, term, tidy_text
from .views import ApplicationView, SiteInput

# request outcomes whose application proposes a site (validated against the site rules)
SITE_OUTCOMES = ("issue", "relocate", "transfer")
# ... and those for which a site must be given before submitting
SITE_REQUIRED = ("issue", "relocate")
CORRECTABLE = ("holder_name", "address", "postal_code")


def validation_summary(report: ValidationReport) -> dict[str, Any]:
    """What the agenda shows of a site validation (kept on the application; the full report apart)."""
    return {"status": report.status, "county": report.county,
            "failed": [r.id for r in report.rules if r.status == "fail"],
            "warned": [r.id for r in report.rules if r.status == "warn"],
            "unknown": [r.id for r in report.rules if r.status == "unknown"],
            "newly_covered_population": report.newly_covered_population,
            "conflicts": [int(c.proposal_id) for c in report.conflicts], "sample": report.sample}


def _deg(v: float, lang: str) -> str:
    """Degrees as the site checker writes them (4 decimals, Persian digits in Persian, no grouping)."""
    return fmt.number(v, lang, decimals=4).replace("٬", "").replace(",", "")


def _no_site(site: SiteInput | None) -> bool:
    """No point, no address, and not "I could not find it on the map"."""
    return site is None or (site.lon is None and site.lat is None and not tidy_text(site.address)
                            and not site.map_not_found)


class ApplicationsMixin(ProgressMixin):
    @api("write")
    def create_application(self, ctx: Ctx, applicant_id: int, licence_type: str, request_type: str, *,
                           site: SiteInput | None = None, licence_number: str | None = None,
                           details: Mapping[str, Any] | None = None) -> ApplicationView:
        """Start a request (a draft) for an applicant.

        Parameters
        ----------
        applicant_id
            One of the caller's applicants (experts may enter requests received by fax).
        licence_type
            ``urban`` or ``rural`` (or as people write it: 'پیشخوان شهری', 'ICT روستایی').
        request_type
            One of the workflow file's request types: new, transfer, renewal,
            change_of_address, withdrawal, correction, deputy, conversion.
        site
            The proposed site; validated at once (:func:`siting.rules.validate.validate_site`).
        licence_number
            The licence the request acts on (all but new and conversion).
        details
            For a correction, the corrected fields (holder_name, address,
            postal_code); for a deputy, ``full_name`` and ``national_id``.

        Raises
        ------
        TransitionError
            The applicant type may not hold this licence type (urban licences
            only for companies), or the licence is not one the request can act on.
        """
        applicant = self._applicant(ctx, applicant_id)
        self._require_role(ctx, "applicant", "expert", action_en="start a request", action_fa="درخواست ثبت کند")
        try:
            ltype = parse_licence_type(licence_type)
        except ValueError:
            raise TrackerInputError(f"licence_type: {licence_type!r} is neither urban nor rural",
                                    f"نوع پروانه {licence_type!r} نه شهری است نه روستایی") from None
        rtype = self.workflow.request_types.get(request_type)
        if rtype is None:
            raise TrackerInputError(
                f"request_type: unknown {request_type!r}; expected one of {', '.join(self.workflow.request_types)}",
                f"نوع درخواست {request_type!r} شناخته نیست")
        type_rule = check_applicant(self.rules, ltype, applicant.kind)
        if any(r.status == "fail" for r in type_rule):
            raise failures_message(type_rule, "this applicant may not hold this licence type",
                                   "این متقاضی نمی‌تواند این نوع پروانه را داشته باشد")
        licence = self._licence_for_request(ctx, applicant, ltype, request_type, licence_number)
        if rtype.outcome == "issue" and licence is None and _no_site(site):
            raise TrackerInputError.collect("the site is not valid", "محل پیشنهادی معتبر نیست", [(
                "site", "a request for a new licence needs its site: a point on the map, or an address",
                "درخواست پروانهٔ تازه محل لازم دارد: نقطه‌ای روی نقشه یا نشانی")])
        app = m.Application(applicant=applicant, licence_type=ltype, request_type=request_type, status="draft",
                            round=1, details=self._checked_details(rtype.outcome, details), map_not_found=False,
                            created_at=ctx.now, updated_at=ctx.now)
        if licence is not None:
            app.licence_id = licence.id
            if rtype.outcome != "transfer":
                # the holder's own request keeps the licence's site; a transfer request learns nothing
                # of the holder's office (the new holder gives its site, else the licence keeps its own)
                app.site_lon, app.site_lat, app.address = licence.lon, licence.lat, licence.address
                app.postal_code, app.county = licence.postal_code, licence.county
        ctx.s.add(app)
        ctx.s.flush()
        if site is not None:
            self._set_site(ctx, app, site)
        self._create_steps(ctx, app, REVIEW_PHASES)
        ctx.s.flush()
        self._refresh(ctx, app)
        ctx.audit("application_created", "application", app.id, application_id=app.id, licence_type=ltype,
                  request_type=request_type, licence=licence.number if licence else None,
                  site=self._site_dict(app), validation=app.validation_status)
        return application_view(app)

    @api("write")
    def update_site(self, ctx: Ctx, application_id: int, site: SiteInput, *,
                    expected_version: int | None = None) -> ApplicationView:
        """Change the proposed site or its address; the site validation runs again.

        With ``expected_version`` (what pages pass) a save over someone else's change is refused;
        without it the change is applied to the latest version (on PostgreSQL the row is locked
        and a lost race is retried, so it does not fail under contention).

        Allowed while the applicant prepares the request (draft, returned) and,
        after approval, until the site is confirmed (the guide's step 10).
        """
        self._require_role(ctx, "applicant", "expert", action_en="change the site", action_fa="محل را تغییر دهد")
        app = self._application_to_change(ctx, application_id, expected_version)
        outcome = self.workflow.request_types[app.request_type].outcome
        if outcome not in SITE_OUTCOMES:
            raise TransitionError(f"a {self.workflow.request_types[app.request_type].en} request keeps the "
                                  "licence's site", "این نوع درخواست محل پروانهٔ موجود را نگه می‌دارد")
        confirm = latest_steps(app).get("site_confirmation")
        editable = app.status in ("draft", "returned") or (
            app.status == "approved" and confirm is not None and confirm.state in ("waiting", "ready", "returned"))
        if not editable:
            raise TransitionError(
                f"the site cannot change while the application is {term(app.status, 'en')}",
                f"در وضعیت «{term(app.status)}» محل پیشنهادی قابل تغییر نیست")
        before = self._site_dict(app)
        self._set_site(ctx, app, site)
        self._touch(ctx, app)
        ctx.audit("site_changed", "application", app.id, application_id=app.id, before=before,
                  after=self._site_dict(app), validation=app.validation_status)
        return application_view(app)

    @api("write")
    def submit(self, ctx: Ctx, application_id: int, *, expected_version: int) -> ApplicationView:
        """Send the request to the directorate (first time, or again after a return).

        Checks, and refuses with every reason: the earlier request steps
        (reading the principles), a site (point, or address with postal code,
        or address with "not found on the map") for requests that propose one,
        the guide's eligibility rules (:func:`siting.rules.check_applicant`),
        the licence the request acts on, and that the site is in the province.
        The site validation runs again, so the working group sees a fresh report.
        """
        self._require_role(ctx, "applicant", "expert", action_en="submit requests", action_fa="درخواست ارسال کند")
        app = self._application_to_change(ctx, application_id, expected_version)
        if app.status not in ("draft", "returned"):
            raise TransitionError(f"the application is {term(app.status, 'en')}; only a draft or a returned "
                                  "application can be submitted",
                                  f"وضعیت درخواست «{term(app.status)}» است؛ فقط پیش‌نویس یا درخواست عودت‌شده ارسال می‌شود")
        d, row = self._step_row(app, "request")
        if row.state != "ready":
            raise self._why_not_ready(app, d, row)
        outcome = self.workflow.request_types[app.request_type].outcome
        if outcome in SITE_REQUIRED and app.site_lon is None and not (
                app.address and (app.postal_code or app.map_not_found)):
            raise TransitionError(
                "give the site: a point on the map, or the address with its 10-digit postal code, or the address "
                "with 'I could not find it on the map'",
                "محل دفتر را مشخص کنید: نقطه روی نقشه، یا نشانی با کد پستی ده‌رقمی، یا نشانی با گزینهٔ "
                "«نقطهٔ مورد نظر را روی نقشه پیدا نکردم»")
        waiting = [r for r in self._requested_documents(ctx, app) if not r.uploaded]
        if waiting:
            raise TransitionError(
                "the return asked for documents that are not uploaded yet: " + "; ".join(r.title_en for r in waiting),
                "پیش از ارسال دوباره، این مدارک خواسته‌شده در عودت را بارگذاری کنید: "
                + "؛ ".join(f"«{r.title_fa}»" for r in waiting),
                [(r.kind, r.title_en, r.title_fa) for r in waiting])
        results = eligibility(self, app.applicant, app.licence_type)
        if any(r.status == "fail" for r in results):
            raise failures_message(results, "the applicant does not meet the guide's conditions",
                                   "متقاضی شرایط راهنما را ندارد")
        held = ctx.s.get(m.Licence, app.licence_id) if app.licence_id is not None else None
        if held is not None:
            self._licence_for_request(ctx, app.applicant, app.licence_type, app.request_type,
                                      held.number, exclude=app.id)
        if outcome in SITE_OUTCOMES and (app.site_lon is not None or app.address):
            self._validate(ctx, app)
            if "inside_region" in (app.validation_summary or {}).get("failed", ()):
                raise TransitionError("the site is outside the province; choose a site in South Khorasan",
                                      "محل پیشنهادی بیرون از استان است؛ محلی در خراسان جنوبی انتخاب کنید")
        self._mark_done(ctx, row)
        app.status = "submitted"
        app.submitted_at = ctx.now
        self._touch(ctx, app)
        self._refresh(ctx, app)
        ctx.audit("application_submitted", "application", app.id, application_id=app.id, round=app.round,
                  validation=app.validation_status)
        return application_view(app)

    @api("write")
    def cancel_application(self, ctx: Ctx, application_id: int, reason: str, *,
                           expected_version: int) -> ApplicationView:
        """The applicant gives up an open application (an expert may record it for them)."""
        self._require_role(ctx, "applicant", "expert", action_en="cancel requests", action_fa="درخواست را لغو کند")
        app = self._application_to_change(ctx, application_id, expected_version)
        if app.status not in OPEN_STATUSES:
            raise TransitionError(f"the application is {term(app.status, 'en')}; it cannot be cancelled",
                                  f"وضعیت درخواست «{term(app.status)}» است و لغو نمی‌شود")
        before = app.status
        self._close_open_steps(app)
        app.status = "cancelled"
        self._touch(ctx, app)
        ctx.audit("application_cancelled", "application", app.id, application_id=app.id, before=before,
                  reason=tidy_text(reason))
        return application_view(app)

    @api("write")
    def revalidate(self, ctx: Ctx, application_id: int) -> ApplicationView:
        """Run the site validation again (before a meeting: new offices, new pending proposals)."""
        self._require_role(ctx, "expert", "wg_member", action_en="re-run site validation",
                           action_fa="اعتبارسنجی محل را دوباره اجرا کند")
        app = self._application(ctx, application_id)
        if app.status not in OPEN_STATUSES:
            raise TransitionError(f"the application is {term(app.status, 'en')}; nothing to validate",
                                  f"وضعیت درخواست «{term(app.status)}» است")
        before = app.validation_status
        self._validate(ctx, app)
        self._touch(ctx, app)
        ctx.audit("site_revalidated", "application", app.id, application_id=app.id, before=before,
                  after=app.validation_status)
        return application_view(app)

    # -- the site ---------------------------------------------------------------------------------
    def _checked_site(self, site: SiteInput, current: tuple[Any, Any] = (None, None)) -> dict[str, Any]:
        """The site's stored values, or :class:`TrackerInputError` naming each bad field. ``current`` is the
        application's stored (lon, lat): saving that point again does not check it against the province again."""
        problems = []
        lon: Any = site.lon
        lat: Any = site.lat
        if (lon is None) != (lat is None):
            problems.append(("site", "give both longitude and latitude", "طول و عرض جغرافیایی هر دو لازم‌اند"))
        elif lon is not None:
            try:
                lon, lat = float(parse_number(lon)), float(parse_number(lat))  # type: ignore[arg-type]
            except (TypeError, ValueError):  # (None for a blank number: float(None) is the TypeError)
                lon = lat = None
                problems.append(("site", "longitude and latitude must be numbers", "طول و عرض باید عدد باشند"))
            if lon is not None and (not math.isfinite(lon) or not math.isfinite(lat)
                                    or not -180 <= lon <= 180 or not -90 <= lat <= 90):
                problems.append(("site", f"lon={lon}, lat={lat} is not a longitude/latitude in degrees",
                                 f"طول {lon} و عرض {lat} مختصات جغرافیایی معتبر نیست"))
            elif lon is not None and (lon, lat) != current:
                # outside the province, or latitude and longitude exchanged: refused as the site checker does
                where = site_point_problem(self.workspace, lon, lat)
                if where is not None:
                    fa, en = POINT_PROBLEMS[where]
                    problems.append(("site", en.format(lat=_deg(lat, "en"), lon=_deg(lon, "en")),
                                     fa.format(lat=_deg(lat, "fa"), lon=_deg(lon, "fa"))))
        address = tidy_text(site.address) or None
        if address and len(address) > 500:
            problems.append(("address", "the address is longer than 500 characters", "نشانی بیش از ۵۰۰ نویسه است"))
        postal = None
        if site.postal_code not in (None, ""):
            problem = postal_code_problem(site.postal_code)
            if problem:
                problems.append(("postal_code", *problem))
            postal = digits_only(site.postal_code)
        if site.map_not_found:
            if lon is not None:
                problems.append(("map_not_found", "'not found on the map' and a map point exclude each other",
                                 "«پیدا نکردن روی نقشه» با انتخاب نقطه روی نقشه جمع نمی‌شود"))
            if not address:
                problems.append(("address", "without a map point the address is required",
                                 "بدون نقطه روی نقشه، نشانی لازم است"))
        if problems:
            raise TrackerInputError.collect("the site is not valid", "محل پیشنهادی معتبر نیست", problems)
        return {"site_lon": lon, "site_lat": lat, "address": address, "postal_code": postal,
                "map_not_found": bool(site.map_not_found)}

    def _set_site(self, ctx: Ctx, app: m.Application, site: SiteInput) -> None:
        values = self._checked_site(site, (app.site_lon, app.site_lat))
        changed = any(getattr(app, k) != v for k, v in values.items())
        for k, v in values.items():
            setattr(app, k, v)
        if changed or app.validation_status is None:
            self._validate(ctx, app)

    def _site_dict(self, app: m.Application) -> dict[str, Any]:
        return {"lon": app.site_lon, "lat": app.site_lat, "address": app.address,
                "postal_code": app.postal_code, "map_not_found": app.map_not_found}

    def _validate(self, ctx: Ctx, app: m.Application) -> None:
        """Run :func:`siting.rules.validate.validate_site` on the application's site; keep report and summary."""
        if app.site_lon is None:
            report: dict[str, Any] = {
                "status": "not_located", "address": app.address, "map_not_found": app.map_not_found,
                "note_fa": "محل روی نقشه مشخص نشده است؛ کارگروه باید نشانی را بررسی کند.",
                "note_en": "The site is not on the map; the working group must check the address."}
            summary: dict[str, Any] = {"status": "not_located", "county": None, "failed": [], "warned": [],
                                       "newly_covered_population": None, "conflicts": [], "sample": False}
        else:
            ws = self.workspace
            # the conflicts: the one computation the agenda and the decision use (pending and approved
            # proposals, the binding minimum of the two sides, each competitor's status)
            rep = with_conflicts(
                validate_site(ws, self.rules, licence_type=app.licence_type, lon=app.site_lon, lat=app.site_lat,
                              applicant_type=app.applicant.kind),
                self._live_conflicts(ctx, app))
            report = rep.to_dict()
            summary = validation_summary(rep)
            app.county = rep.county
        app.validation_status = summary["status"]
        app.validation_summary = summary
        app.validated_at = ctx.now
        ctx.s.add(m.SiteValidation(application_id=app.id, run_at=ctx.now, lon=app.site_lon, lat=app.site_lat,
                                   address=app.address, status=summary["status"], report=report))
        for row in app.steps:  # the site visit's actor follows the county
            if row.state in ("waiting", "ready", "returned"):
                row.actor = self.workflow.actor_for(self.workflow.step(row.step_id), app.county)

    def _pending_proposals(self, ctx: Ctx, app: m.Application) -> ProposalSet:
        """The other pending proposals near the site (submitted, under review or approved, not yet
        licensed): only those inside a box a little larger than the largest minimum distance, so the
        cost does not grow with the number of applications in the province."""
        return self._nearby_proposals(ctx, app)[0]

    def _live_conflicts(self, ctx: Ctx, app: m.Application) -> tuple[Conflict, ...]:
        """The proposals too close to the application's site as the database stands now (pending and
        approved ones, each with its status): the one computation behind the agenda's conflict list,
        the reports the working group reads and the check of a decision."""
        if app.site_lon is None or app.site_lat is None:
            return ()
        proposals, rows = self._nearby_proposals(ctx, app)
        found = conflicts_at(self.workspace, self.rules, licence_type=app.licence_type, lon=app.site_lon,
                             lat=app.site_lat, proposals=proposals, exclude_proposal=str(app.id),
                             statuses={k: r.status for k, r in rows.items()})
        return tuple(replace(c, lon=rows[c.proposal_id].site_lon, lat=rows[c.proposal_id].site_lat) for c in found)

    @api("read")
    def site_conflicts(self, ctx: Ctx, application_ids: Sequence[int]) -> dict[int, tuple[Conflict, ...]]:
        """For each application, the proposals (pending or approved) whose site is closer to its site
        than the minimum distance, now, nearest first, each with its ``status`` (staff only).

        The stored validation report lists the conflicts seen when it was made; this is what they
        are now (a competitor approved, withdrawn or decided since). :func:`siting.tracker.staff.meeting_view`
        uses it for the agenda's pairs and for the report of every proposal on the agenda.
        """
        self._require_action(ctx, permissions.READ_APPLICATIONS)
        out: dict[int, tuple[Conflict, ...]] = {}
        for app_id in sorted({int(i) for i in application_ids}):
            app = self._application(ctx, app_id)
            out[app_id] = self._live_conflicts(ctx, app)
        return out

    def _after_approval(self, ctx: Ctx, app: m.Application, conflicts: Sequence[Conflict]) -> None:
        """Validate again the approved site and the pending proposals in conflict with it, so that every
        stored report says what the agenda says (the competitor now holds its site)."""
        pending = [int(c.proposal_id) for c in conflicts
                   if c.status in ("submitted", "under_review") and str(c.proposal_id).isdigit()]
        for other in [app, *(self._application(ctx, i) for i in pending)]:
            before = other.validation_status
            self._validate(ctx, other)
            ctx.audit("site_revalidated", "application", other.id, application_id=other.id, before=before,
                      after=other.validation_status, because_of=app.id)

    def _nearby_proposals(self, ctx: Ctx, app: m.Application) -> tuple[ProposalSet, dict[str, Any]]:
        """:meth:`_pending_proposals` and the row of each (id as text → status, site_lon, site_lat)."""
        reach = max(max(self.rules.for_type(t).min_distance_same_type_m, self.rules.for_type(t).min_distance_any_type_m)
                    for t in ("urban", "rural"))
        site_lon, site_lat = app.site_lon, app.site_lat
        if site_lon is None or site_lat is None:  # a site without a point conflicts with nothing
            site_lon = site_lat = math.nan
        dlat = 1.5 * reach / 111_000
        dlon = dlat / max(math.cos(math.radians(site_lat)), 0.1)
        a = m.Application
        rows = ctx.s.execute(
            select(a.id, a.licence_type, a.site_lon, a.site_lat, a.status, m.Applicant.name)
            .join(m.Applicant, m.Applicant.id == a.applicant_id)
            .where(a.status.in_(("submitted", "under_review", "approved")), a.id != app.id,
                   a.site_lon.between(site_lon - dlon, site_lon + dlon),
                   a.site_lat.between(site_lat - dlat, site_lat + dlat),
                   a.request_type.in_(self._site_request_types()))).all()
        frame = gpd.GeoDataFrame(
            {"proposal_id": [str(r.id) for r in rows], "name": [r.name for r in rows],
             "licence_type": [r.licence_type for r in rows]},
            geometry=gpd.points_from_xy([r.site_lon for r in rows], [r.site_lat for r in rows]), crs="EPSG:4326")
        return ProposalSet.from_frame(self.workspace, frame), {str(r.id): r for r in rows}

    def _site_request_types(self) -> list[str]:
        return [k for k, v in self.workflow.request_types.items() if v.outcome in SITE_OUTCOMES]

    # -- the licence a request acts on ------------------------------------------------------------------
    def _licence_for_request(self, ctx: Ctx, applicant: m.Applicant, licence_type: str, request_type: str,
                             number: str | None, *, exclude: int | None = None) -> m.Licence | None:
        rtype = self.workflow.request_types[request_type]
        if not rtype.needs_licence:
            if number:
                raise TrackerInputError(f"a {rtype.en} request does not act on an existing licence",
                                        f"«{rtype.fa}» به پروانهٔ موجود مربوط نیست")
            return None
        if not number:
            raise TrackerInputError(f"licence_number: a {rtype.en} request names the licence it acts on",
                                    f"شمارهٔ پروانه: «{rtype.fa}» باید شمارهٔ پروانه را داشته باشد")
        lic = ctx.s.scalars(select(m.Licence).where(m.Licence.number == clean_text(number))).first()
        holder = lic is not None and lic.holder_id == applicant.id
        if lic is None or (ctx.role == "applicant" and request_type != "transfer" and not holder):
            # someone else's licence answers like a missing one: only a transfer may name it
            raise NotFound(f"no licence numbered {number!r} for this applicant",
                           f"پروانه‌ای با شمارهٔ {number!r} برای این متقاضی وجود ندارد")
        problems = []
        if lic.status != "active":
            problems.append(("licence", f"licence {lic.number} is {term(lic.status, 'en')}",
                             f"پروانهٔ {lic.number} {term(lic.status)} است"))
        elif request_type != "renewal" and lic.expires_on <= ctx.today:
            problems.append(("licence", f"licence {lic.number} has expired; renew it first",
                             f"پروانهٔ {lic.number} منقضی شده است؛ ابتدا آن را تجدید کنید"))
        if lic.licence_type != licence_type:
            problems.append(("licence_type", f"licence {lic.number} is a {lic.licence_type} licence",
                             f"پروانهٔ {lic.number} از نوع {term(lic.licence_type)} است"))
        if request_type == "transfer" and holder:
            problems.append(("licence", "a licence is transferred to another applicant, not to its holder",
                             "امتیاز به متقاضی دیگری منتقل می‌شود، نه به دارندهٔ فعلی"))
        if request_type != "transfer" and not holder:
            problems.append(("licence", f"licence {lic.number} is held by another applicant",
                             f"دارندهٔ پروانهٔ {lic.number} متقاضی دیگری است"))
        other = ctx.s.scalars(select(m.Application).where(
            m.Application.licence_id == lic.id, m.Application.status.in_(OPEN_STATUSES),
            m.Application.id != (exclude or -1))).first()
        if other is not None and (ctx.role != "applicant" or self._owns(ctx, other.applicant)):
            problems.append(("licence", f"request {other.id} on licence {lic.number} is still open",
                             f"درخواست {other.id} برای پروانهٔ {lic.number} هنوز باز است"))
        elif other is not None:  # someone else's request: neither its number nor whose it is
            problems.append(("licence", f"licence {lic.number} has another request in progress",
                             f"برای پروانهٔ {lic.number} درخواست دیگری در جریان است"))
        if problems:
            raise TransitionError.collect(f"this {rtype.en} request cannot be made",
                                          f"«{rtype.fa}» ممکن نیست", problems)
        return lic

    def _checked_details(self, outcome: str, details: Mapping[str, Any] | None) -> dict[str, Any]:
        details = dict(details or {})
        if outcome == "correct":
            bad = sorted(set(details) - set(CORRECTABLE))
            clean = {k: tidy_text(v) for k, v in details.items() if k in CORRECTABLE and tidy_text(v)}
            if bad or not clean:
                raise TrackerInputError(f"details: a correction changes some of {', '.join(CORRECTABLE)}",
                                        "جزئیات: اصلاحیه باید دست‌کم یکی از نام دارنده، نشانی یا کد پستی را تغییر دهد")
            if "postal_code" in clean:
                problem = postal_code_problem(clean["postal_code"])
                if problem:
                    raise TrackerInputError(f"details.postal_code: {problem[0]}", f"کد پستی: {problem[1]}")
                clean["postal_code"] = digits_only(clean["postal_code"])
            return clean
        if outcome == "deputy":
            name = tidy_text(details.get("full_name"))
            nid = digits_only(details.get("national_id"))
            problem = national_id_problem(nid, reject_repeated=self.settings.reject_repeated_national_ids)
            if not name or problem:
                raise TrackerInputError(
                    "details: the deputy's full_name and a valid national_id are required"
                    + (f" ({problem[0]})" if problem else ""),
                    "جزئیات: نام و کد ملی معتبر جانشین لازم است" + (f" ({problem[1]})" if problem else ""))
            return {"full_name": name, "national_id": nid}
        if details:
            raise TrackerInputError("details: this request type takes no details",
                                    "جزئیات: این نوع درخواست جزئیاتی ندارد")
        return {}
