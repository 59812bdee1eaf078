"""Routes for clients with an API key: the tracker's applications and optimisation jobs.

``Authorization: Bearer sk_…`` is checked against the tracker's database on every request
(:meth:`siting.tracker.Tracker.authenticate_api_key`): a revoked key or a deactivated account stops
working at once. Every read and write then goes through the tracker's own functions with that
identity, so the tracker decides who may do what (:mod:`siting.permissions`), in one transaction,
with the audit row (which names the key) — the API never writes around it.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import Response

from siting.api.errors import ApiError, dumps
from siting.api.guard import client_address
from siting.api.jobs import public_view
from siting.permissions import VIEW_PUBLIC, require
from siting.tracker import ApplicantInput, Identity, PersonInput, SiteInput, Tracker
from siting.tracker.views import jsonable

router = APIRouter(tags=["authenticated"])


def tracker_of(request: Request) -> Tracker:
    tracker: Tracker | None = request.app.state.tracker
    if tracker is None:
        raise ApiError(503, "tracker_unavailable", None,
                       "this server has no tracker database (start it with --database-url)",
                       "این کارساز به پایگاه دادهٔ ردیاب وصل نیست")
    return tracker


def identity(request: Request) -> Identity:
    """The account the request's API key acts as (401 without a valid one)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "Authorization",
                       "Authorization: give an API key as 'Bearer sk_…' (siting tracker create-api-key)",
                       "کلید API را در سرآیند Authorization به صورت 'Bearer sk_…' بفرستید",
                       {"WWW-Authenticate": 'Bearer realm="siting"'})
    tracker = tracker_of(request)
    try:
        return tracker.authenticate_api_key(token.strip())
    except PermissionError:
        # a failed key also costs the address's bucket, so that guessing keys is rate-limited
        limiter = request.app.state.limiter
        wait = limiter.take("ip:" + client_address(request.scope, request.app.state.settings.trust_forwarded_for))
        if wait > 0:
            raise ApiError(429, "rate_limited", None, "too many failed keys from this client; try again later",
                           "کلیدهای نادرست بیش از حد از این کاربر؛ بعداً دوباره تلاش کنید",
                           {"Retry-After": str(max(1, int(wait + 0.999)))}) from None
        raise


Who = Annotated[Identity, Depends(identity)]


def _json(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(jsonable(obj)), status_code=status, media_type="application/json", headers=headers)


def _plain(view: Any) -> Any:
    return dataclasses.asdict(view) if dataclasses.is_dataclass(view) and not isinstance(view, type) else view


@router.get("/me", summary="The account this API key acts as")
def me(who: Who) -> Response:
    return _json({"username": who.username, "role": who.role, "display_name": who.display_name,
                  "key_id": who.method.partition(":")[2]})


# -- applicants ------------------------------------------------------------------------------------------
class PersonIn(BaseModel):
    """One person: the natural applicant (role ``applicant``), or a company's managing director, board
    member or signatory."""

    model_config = ConfigDict(extra="forbid")
    full_name: str = Field(max_length=200)
    national_id: str = Field(max_length=20, description="10 digits; Persian digits accepted")
    education: str = Field(max_length=40, description="e.g. diploma, bachelor, master (دیپلم، کارشناسی)")
    government_employee: bool
    role: str = Field("applicant", max_length=40)
    on_board: bool = False
    signatory: bool = False
    military_exempt: bool = False


class ApplicantIn(BaseModel):
    """A natural person (``kind='natural'``, one person) or a company (``kind='legal'``, 11-digit ID)."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=20, description="natural/legal (حقیقی/حقوقی)")
    name: str = Field(max_length=200)
    national_id: str = Field(max_length=20)
    people: list[PersonIn] = Field(min_length=1, max_length=50)
    company_type: str | None = Field(None, max_length=40)
    ownership: str | None = Field(None, max_length=40)
    registration_number: str | None = Field(None, max_length=40)
    registration_date: date | None = None
    registration_province: str | None = Field(None, max_length=100)
    owner_id: int | None = Field(None, ge=1, le=2**31 - 1, description="staff: the applicant account it belongs to")

    def to_input(self) -> ApplicantInput:
        people = tuple(PersonInput(**p.model_dump()) for p in self.people)
        data = self.model_dump(exclude={"people", "owner_id"})
        return ApplicantInput(people=people, **data)


@router.post("/applicants", status_code=201, summary="Register an applicant (a person or a company)")
def create_applicant(request: Request, who: Who, body: ApplicantIn) -> Response:
    view = tracker_of(request).create_applicant(who, body.to_input(), owner_id=body.owner_id)
    return _json(_plain(view), 201, {"Location": f"/v1/applicants/{view.id}"})


@router.get("/applicants", summary="The caller's applicants (staff: every applicant)")
def list_applicants(request: Request, who: Who) -> Response:
    return _json({"applicants": [_plain(a) for a in tracker_of(request).list_applicants(who)]})


# -- applications ----------------------------------------------------------------------------------------
class SiteIn(BaseModel):
    """A proposed site: a point (Persian digits accepted), or an address with a 10-digit postal code, or an
    address with ``map_not_found``."""

    model_config = ConfigDict(extra="forbid")
    lon: float | str | None = Field(None, description="longitude, WGS84")
    lat: float | str | None = Field(None, description="latitude, WGS84")
    address: str | None = Field(None, max_length=500)
    postal_code: str | None = Field(None, max_length=20)
    map_not_found: bool = False

    def to_input(self) -> SiteInput:
        return SiteInput(lon=self.lon, lat=self.lat, address=self.address,  # type: ignore[arg-type]
                         postal_code=self.postal_code, map_not_found=self.map_not_found)


class ApplicationIn(BaseModel):
    """A new request (a draft) for one of the caller's applicants (experts: for any applicant)."""

    model_config = ConfigDict(extra="forbid")
    applicant_id: int = Field(ge=1, le=2**31 - 1)
    licence_type: str = Field(max_length=64, description="urban/rural (شهری/روستایی)")
    request_type: str = Field("new", max_length=40, description="new, transfer, renewal, change_of_address, …")
    site: SiteIn | None = None
    licence_number: str | None = Field(None, max_length=64)
    details: dict[str, str] | None = None


class SiteCheckIn(BaseModel):
    """Attach a site check: with a site, the application's site changes and is validated (the applicant,
    an expert); without one, the stored site is validated again (an expert, a working-group member)."""

    model_config = ConfigDict(extra="forbid")
    site: SiteIn | None = None
    expected_version: int | None = Field(None, ge=1)


@router.post("/applications", status_code=201, summary="Start a request (draft) in the tracker")
def create_application(request: Request, who: Who, body: ApplicationIn) -> Response:
    t = tracker_of(request)
    view = t.create_application(who, body.applicant_id, body.licence_type, body.request_type,
                                site=body.site.to_input() if body.site else None,
                                licence_number=body.licence_number, details=body.details)
    return _json(_plain(view), 201, {"Location": f"/v1/applications/{view.id}"})


@router.get("/applications", summary="The caller's own applications (an applicant's requests)")
def my_applications(request: Request, who: Who) -> Response:
    items = tracker_of(request).my_applications(who)
    return _json({"applications": [_plain(i) for i in items]})


@router.get("/applications/{application_id}", summary="One application: steps, documents, decisions, site report")
def get_application(request: Request, who: Who, application_id: int) -> Response:
    if not 1 <= application_id <= 2**31 - 1:
        raise ApiError(404, "not_found", "application_id", f"no application {application_id}",
                       f"درخواست {application_id} وجود ندارد")
    return _json(_plain(tracker_of(request).get_application(who, application_id)))


@router.post("/applications/{application_id}/site-check",
             summary="Validate the application's site now and keep the report with it")
def attach_site_check(request: Request, who: Who, application_id: int,
                      body: Annotated[SiteCheckIn | None, Body()] = None) -> Response:
    t = tracker_of(request)
    if not 1 <= application_id <= 2**31 - 1:
        raise ApiError(404, "not_found", "application_id", f"no application {application_id}",
                       f"درخواست {application_id} وجود ندارد")
    if body is not None and body.site is not None:
        t.update_site(who, application_id, body.site.to_input(), expected_version=body.expected_version)
    else:
        t.revalidate(who, application_id)
    detail = t.get_application(who, application_id)
    return _json({"application": _plain(detail.application), "validation": detail.validation})


# -- optimisation jobs --------------------------------------------------------------------------------------
JobModel = Literal["mclp", "lscp", "pmedian", "pcenter", "beyond", "capacitated_pmedian", "capacitated_mclp",
                   "backup"]

#: Parameters that only some models use: giving one to another model is refused (it would be ignored).
JOB_ONLY_FOR: dict[str, tuple[str, ...]] = {
    "share": ("lscp",),
    "method": ("mclp", "lscp", "pmedian"),
    "county_floor": ("mclp",),
    "threshold": ("beyond",),
    "count": ("beyond",),
    "capacity": ("capacitated_pmedian", "capacitated_mclp"),
    "backup_primary": ("backup",),
    "first_share": ("backup",),
}


class JobIn(BaseModel):
    """An optimisation run (see ``siting optimize``). Candidates are the settlements or H3 cells over the
    gaps; files on the server are not offered. Hyphens in ``model`` read as underscores
    (``capacitated-pmedian``)."""

    model_config = ConfigDict(extra="forbid")
    model: JobModel
    licence_type: str = Field("rural", max_length=64)
    k: int | None = Field(None, ge=1, le=100, description="number of new sites (every model but lscp)")
    share: float | None = Field(None, gt=0, le=1, description="target covered share, 0–1 (lscp)")
    radius: float | None = Field(None, gt=0, le=200_000, description="service radius, metres")
    candidates: str = Field("settlements", pattern=r"^(settlements|h3|h3:\d{1,2})$")
    population_rule: bool = False
    method: Literal["auto", "exact", "greedy"] | None = Field(
        None, description="mclp, lscp, pmedian: auto (default), exact or greedy; the other models are exact")
    time_limit: float = Field(30.0, gt=0, description="solver seconds (at most the server's job_time_limit)")
    county_floor: float | None = Field(None, gt=0, le=1, description="mclp: every county at least this share covered")
    threshold: float | None = Field(None, gt=0, le=1_000_000,
                                    description="beyond: distance (metres) beyond which a settlement counts")
    count: Literal["settlements", "population"] | None = Field(
        None, description="beyond: count settlements (default) or people")
    capacity: float | None = Field(None, gt=0, le=1e9, description="capacitated models: people one office can serve "
                                   "(default: the rules file's capacity, a placeholder)")
    backup_primary: Literal["backup", "first"] | None = Field(
        None, description="backup: maximise the backup cover first (default) or the first cover")
    first_share: float | None = Field(None, gt=0, le=1, description="backup: at least this share covered once")
    fixed: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        None, max_length=50, description="ids of candidate sites kept open as offices (k does not count them)")

    @field_validator("model", mode="before")
    @classmethod
    def _hyphens(cls, v: Any) -> Any:
        return v.replace("-", "_") if isinstance(v, str) else v


def _check_job(body: JobIn) -> None:
    """Model-specific parameters: the ones a model needs are given, none it would ignore is."""
    if body.model != "lscp" and body.k is None:
        raise ApiError(422, "missing", "k", f"k: the number of new sites is required for {body.model}",
                       "k (تعداد دفترهای جدید) لازم است")
    if body.model == "lscp" and body.k is not None:
        raise ApiError(422, "not_applicable", "k", "k: lscp finds the number of sites itself; give share",
                       "برای lscp تعداد دفترها داده نمی‌شود؛ share را بدهید")
    if body.model == "beyond" and body.threshold is None:
        raise ApiError(422, "missing", "threshold",
                       "threshold: the distance (metres) beyond which a settlement counts is required for beyond",
                       "threshold (فاصله‌ای که فراتر از آن شمرده می‌شود) لازم است")
    for field, models in JOB_ONLY_FOR.items():
        if getattr(body, field) is not None and body.model not in models:
            raise ApiError(422, "not_applicable", field,
                           f"{field}: used only by {', '.join(models)}, not by {body.model}",
                           f"{field} فقط برای {'، '.join(models)} است، نه {body.model}")


@router.post("/optimize/jobs", status_code=202, summary="Submit an optimisation run; poll it by its id")
def submit_job(request: Request, who: Who, body: JobIn) -> Response:
    from siting.api.public import licence_type_of
    from siting.optimize.scenarios import Scenario, run_scenario

    require(who, VIEW_PUBLIC)
    settings = request.app.state.settings
    if body.time_limit > settings.job_time_limit:
        raise ApiError(422, "out_of_range", "time_limit",
                       f"time_limit: at most {settings.job_time_limit:g} s on this server",
                       f"زمان حل حداکثر {settings.job_time_limit:g} ثانیه است")
    if body.candidates.startswith("h3:") and int(body.candidates[3:]) > settings.max_h3_resolution:
        raise ApiError(422, "out_of_range", "candidates",
                       f"candidates: H3 resolution at most {settings.max_h3_resolution} on this server",
                       f"تفکیک H3 نامزدها حداکثر {settings.max_h3_resolution} است")
    _check_job(body)
    scenario = Scenario(model=body.model, licence_type=licence_type_of(body.licence_type, "licence_type"), k=body.k,
                        share=body.share, radius=body.radius, candidates=body.candidates,
                        population_rule=body.population_rule, method=body.method or "auto",
                        time_limit=body.time_limit, county_floor=body.county_floor, threshold=body.threshold,
                        count=body.count or "settlements", capacity=body.capacity,
                        backup_primary=body.backup_primary or "backup", first_share=body.first_share,
                        fixed=tuple(body.fixed) if body.fixed else None)
    snap = request.app.state.holder.snapshot

    def run() -> dict[str, Any]:
        out = run_scenario(snap.ws, scenario, snap.rules).to_dict()
        out["generation"] = snap.generation
        return out

    job = request.app.state.jobs.submit(who.username, body.model_dump(), run)
    return _json(public_view(job), 202, {"Location": f"/v1/optimize/jobs/{job['id']}"})


@router.get("/optimize/jobs/{job_id}", summary="A job's status: queued, running, done or failed")
def poll_job(request: Request, who: Who, job_id: str) -> Response:
    return _json(public_view(request.app.state.jobs.get(job_id, who.username)))


@router.get("/optimize/jobs/{job_id}/result", summary="The result of a finished job (the keys of `siting optimize --json`)")
def job_result(request: Request, who: Who, job_id: str) -> Response:
    return Response(request.app.state.jobs.result(job_id, who.username), media_type="application/json")


__all__ = ["JOB_ONLY_FOR", "ApplicantIn", "ApplicationIn", "JobIn", "PersonIn", "SiteCheckIn", "SiteIn", "identity", "router"]
