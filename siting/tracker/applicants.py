"""Applicants: natural persons and companies with their managing director, board and signatories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from .. import permissions
from ..rules import PersonFacts, RuleResult, check_applicant
from ..vocab import parse_applicant_type, parse_education
from . import models as m
from .convert import applicant_view
from .core import Ctx, TrackerBase, api
from .errors import AccessDenied, TrackerInputError, TransitionError
from .ids import digits_only, legal_id_problem, national_id_problem
from .terms import COMPANY_TYPES, OWNERSHIP, PERSON_ROLES, term, tidy_text
from .views import ApplicantInput, ApplicantView, PersonInput

Problems = list[tuple[str, str, str]]


def person_facts(applicant: m.Applicant) -> list[PersonFacts]:
    """The people of an applicant as :func:`siting.rules.check_applicant` expects them.

    A board member or managing director who signs for the company counts as a
    signatory too.
    """
    facts = []
    for p in applicant.people:
        facts.append(PersonFacts(p.full_name, p.role, p.education, p.government_employee))
        if p.signatory and p.role in ("managing_director", "board_member"):
            facts.append(PersonFacts(p.full_name, "signatory", p.education, p.government_employee))
    return facts


def eligibility(tracker: TrackerBase, applicant: m.Applicant, licence_type: str) -> tuple[RuleResult, ...]:
    """The guide's eligibility rules for this applicant and licence type (``siting.rules``)."""
    return tuple(check_applicant(tracker.rules, licence_type, applicant.kind, person_facts(applicant)))


def failures_message(results: Sequence[RuleResult], what_en: str, what_fa: str) -> TransitionError:
    """A :class:`TransitionError` listing the failed rules' own explanations."""
    failed = [r for r in results if r.status == "fail"]
    return TransitionError.collect(what_en, what_fa, [(r.id, r.message_en, r.message_fa) for r in failed])


class ApplicantsMixin(TrackerBase):
    @api("write")
    def create_applicant(self, ctx: Ctx, data: ApplicantInput, *, owner_id: int | None = None) -> ApplicantView:
        """Register a natural person or a company with its people.

        Parameters
        ----------
        data
            The form: national IDs are checked (10-digit check digit for people,
            11-digit for companies), every problem is reported at once.
        owner_id
            Staff registering on behalf of an applicant account name it here;
            applicants always own what they create.

        Raises
        ------
        TrackerInputError
            Listing every invalid field.
        """
        self._require_action(ctx, permissions.APPLY)
        owner = ctx.user
        if owner_id is not None and owner_id != ctx.user.id:
            self._require_action(ctx, permissions.PROCESS_APPLICATIONS)
            owner = self._user(ctx, owner_id)
            if owner.role != "applicant":
                raise TrackerInputError(f"owner: user {owner_id} is not an applicant account",
                                        f"مالک: کاربر {owner_id} حساب متقاضی نیست")
        fields = self._checked_applicant(ctx, data, existing_id=None)
        applicant = m.Applicant(owner_id=owner.id, created_at=ctx.now, updated_at=ctx.now,
                                **fields["applicant"])
        applicant.people = [m.Person(**p) for p in fields["people"]]
        ctx.s.add(applicant)
        ctx.s.flush()
        ctx.audit("applicant_created", "applicant", applicant.id, kind=applicant.kind,
                  national_id=applicant.national_id, people=len(applicant.people))
        return applicant_view(applicant)

    @api("write")
    def update_applicant(self, ctx: Ctx, applicant_id: int, data: ApplicantInput, *,
                         expected_version: int) -> ApplicantView:
        """Change an applicant's details and people (matched by national ID).

        Refused while one of its applications is with the working group, and
        when the change would make an approved or licensed application
        ineligible (a new managing director without a degree, say).
        """
        applicant = self._applicant(ctx, applicant_id)
        self._check_version(applicant, expected_version, f"applicant {applicant_id}", f"متقاضی {applicant_id}")
        if ctx.role not in ("applicant", "expert"):
            raise AccessDenied("only the applicant or a directorate expert may change an applicant",
                               "فقط خود متقاضی یا کارشناس اداره کل می‌تواند مشخصات متقاضی را تغییر دهد")
        apps = ctx.s.scalars(select(m.Application).where(m.Application.applicant_id == applicant.id)).all()
        busy = [a.id for a in apps if a.status in ("submitted", "under_review")]
        if busy:
            raise TransitionError(
                f"applications {busy} are under review; the applicant's details cannot change until they are decided",
                f"درخواست‌های {busy} در دست بررسی‌اند؛ تا تصمیم‌گیری، مشخصات متقاضی تغییر نمی‌کند")
        fields = self._checked_applicant(ctx, data, existing_id=applicant.id)
        if fields["applicant"]["kind"] != applicant.kind:
            raise TrackerInputError("kind: a natural person cannot become a company or the other way round",
                                    "نوع متقاضی (حقیقی/حقوقی) قابل تغییر نیست")
        before = applicant_view(applicant)
        for k, v in fields["applicant"].items():
            setattr(applicant, k, v)
        by_id = {p.national_id: p for p in applicant.people}
        keep = []
        for p in fields["people"]:
            row = by_id.get(p["national_id"])
            if row is None:
                row = m.Person(**p)
            else:
                for k, v in p.items():
                    setattr(row, k, v)
            keep.append(row)
        applicant.people = keep
        ctx.s.flush()
        for app in apps:
            if app.status in ("approved", "licensed"):
                results = eligibility(self, applicant, app.licence_type)
                if any(r.status == "fail" for r in results):
                    raise failures_message(
                        results, f"the change would make application {app.id} ineligible",
                        f"این تغییر درخواست {app.id} را از شرایط خارج می‌کند")
        self._touch(ctx, applicant)
        ctx.audit("applicant_updated", "applicant", applicant.id,
                  before={"name": before.name, "people": [p.national_id for p in before.people]},
                  after={"name": applicant.name, "people": [p.national_id for p in applicant.people]})
        return applicant_view(applicant)

    @api("read")
    def get_applicant(self, ctx: Ctx, applicant_id: int) -> ApplicantView:
        """One applicant with its people."""
        return applicant_view(self._applicant(ctx, applicant_id))

    @api("read")
    def list_applicants(self, ctx: Ctx) -> tuple[ApplicantView, ...]:
        """The caller's applicants (staff: every applicant)."""
        q = select(m.Applicant).order_by(m.Applicant.id)
        if ctx.role == "applicant":
            q = q.where(m.Applicant.owner_id == ctx.user.id)
        else:
            self._require_action(ctx, permissions.READ_APPLICATIONS)
        return tuple(applicant_view(a) for a in ctx.s.scalars(q))

    # -- checking the form ---------------------------------------------------------------------------
    def _checked_applicant(self, ctx: Ctx, data: ApplicantInput, existing_id: int | None) -> dict:
        problems: Problems = []
        repeated = self.settings.reject_repeated_national_ids
        try:
            kind = parse_applicant_type(data.kind)
        except ValueError:
            raise TrackerInputError(f"kind: {data.kind!r} is neither natural nor legal",
                                    f"نوع متقاضی {data.kind!r} نه حقیقی است نه حقوقی",
                                    [("kind", "natural or legal", "حقیقی یا حقوقی")]) from None
        name = tidy_text(data.name)
        if not name:
            problems.append(("name", "the name is missing", "نام وارد نشده است"))
        nid = digits_only(data.national_id)
        problem = (national_id_problem(nid, reject_repeated=repeated) if kind == "natural"
                   else legal_id_problem(nid))
        if problem:
            problems.append(("national_id", *problem))
        elif ctx.s.scalars(select(m.Applicant.id).where(
                m.Applicant.kind == kind, m.Applicant.national_id == nid,
                m.Applicant.id != (existing_id or -1))).first() is not None:
            problems.append(("national_id", f"{nid} is already registered as an applicant",
                             f"{nid} پیش‌تر به‌عنوان متقاضی ثبت شده است"))
        people = [self._checked_person(i, p, kind, problems) for i, p in enumerate(data.people)]
        ids = [p["national_id"] for p in people if p]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            problems.append(("people", f"national IDs repeated: {', '.join(dup)}",
                             f"کد ملی تکراری: {'، '.join(dup)}"))
        roles = [p.role for p in data.people]
        company: dict = {"company_type": None, "ownership": None, "registration_number": None,
                         "registration_date": None, "registration_province": None}
        if kind == "natural":
            if len(data.people) != 1 or roles != ["applicant"]:
                problems.append(("people", "a natural person is one person with role 'applicant'",
                                 "متقاضی حقیقی یک نفر با نقش «متقاضی» است"))
            elif people[0] and people[0]["national_id"] != nid:
                problems.append(("people", "the person's national ID differs from the applicant's",
                                 "کد ملی شخص با کد ملی متقاضی یکسان نیست"))
        else:
            if roles.count("managing_director") != 1:
                problems.append(("people", "a company lists exactly one managing director",
                                 "برای شرکت دقیقاً یک مدیرعامل ثبت شود"))
            if "applicant" in roles:
                problems.append(("people", "a company's people are its managing director, board members "
                                 "and signatories", "اشخاص شرکت مدیرعامل، اعضای هیئت مدیره و صاحبان امضا هستند"))
            company = self._checked_company(data, problems)
        if problems:
            raise TrackerInputError.collect("the applicant's details are not valid", "مشخصات متقاضی معتبر نیست",
                                            problems)
        return {"applicant": {"kind": kind, "name": name, "national_id": nid, **company},
                "people": people}

    def _checked_person(self, i: int, p: PersonInput, kind: str, problems: Problems) -> dict:
        where = f"people[{i}]"
        before = len(problems)
        full_name = tidy_text(p.full_name)
        if not full_name:
            problems.append((f"{where}.full_name", "the name is missing", "نام وارد نشده است"))
        nid = digits_only(p.national_id)
        problem = national_id_problem(nid, reject_repeated=self.settings.reject_repeated_national_ids)
        if problem:
            problems.append((f"{where}.national_id", *problem))
        try:
            education = parse_education(p.education)
        except ValueError:
            education = None
            problems.append((f"{where}.education", f"unknown education level {p.education!r}",
                             f"مدرک تحصیلی {p.education!r} شناخته نیست"))
        if not isinstance(p.government_employee, bool):
            problems.append((f"{where}.government_employee", "say whether the person is a government employee",
                             "اشتغال یا عدم اشتغال در دستگاه دولتی را مشخص کنید"))
        if p.role not in PERSON_ROLES:
            problems.append((f"{where}.role", f"unknown role {p.role!r}", f"نقش {p.role!r} شناخته نیست"))
        if p.on_board and p.role != "managing_director":
            problems.append((f"{where}.on_board", "only the managing director is marked as also on the board",
                             "فقط مدیرعامل با گزینهٔ «عضو هیئت مدیره» علامت می‌خورد"))
        if kind == "natural" and (p.on_board or p.signatory):
            problems.append((f"{where}", "board and signatory marks are for companies",
                             "علامت هیئت مدیره و صاحب امضا برای شرکت‌هاست"))
        if len(problems) > before:
            return {}
        return {"role": p.role, "full_name": full_name, "national_id": nid, "education": education,
                "government_employee": p.government_employee, "on_board": bool(p.on_board),
                "signatory": bool(p.signatory or p.role == "signatory"),
                "military_exempt": bool(p.military_exempt)}

    def _checked_company(self, data: ApplicantInput, problems: Problems) -> dict:
        if data.company_type not in COMPANY_TYPES:
            problems.append(("company_type", f"expected one of {', '.join(COMPANY_TYPES)}",
                             "نوع شخص حقوقی را از فهرست انتخاب کنید: "
                             + "، ".join(term(c) for c in COMPANY_TYPES)))
        if data.ownership is not None and data.ownership not in OWNERSHIP:
            problems.append(("ownership", "private or government", "خصوصی یا دولتی"))
        reg = digits_only(data.registration_number)
        if not reg:
            problems.append(("registration_number", "the registration number is missing",
                             "شمارهٔ ثبت وارد نشده است"))
        if data.registration_date is not None and not isinstance(data.registration_date, date):
            problems.append(("registration_date", "a date is expected", "تاریخ ثبت معتبر نیست"))
        return {"company_type": data.company_type, "ownership": data.ownership, "registration_number": reg,
                "registration_date": data.registration_date,
                "registration_province": tidy_text(data.registration_province) or None}
