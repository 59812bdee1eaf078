"""The tracker's engine room: settings, one transaction per call, access and audit.

Every public function of :class:`siting.tracker.Tracker` is declared with
:func:`api`, which

1. checks that the caller's :class:`~siting.tracker.access.Identity` was
   issued by this tracker and that the account is still active with the
   same role (read from the database on every call);
2. runs the function in ONE database transaction (SQLite: ``BEGIN
   IMMEDIATE`` for changes, ``BEGIN DEFERRED`` for reads), so a failure
   anywhere leaves the database exactly as it was, and removes any file the
   call had stored;
3. for changes, insists that the function wrote at least one audit entry;
   for reads, that it changed nothing;
4. turns a lost optimistic-locking race into :class:`ConflictError`.

Concurrent writers (PostgreSQL): a change reads its application with
``SELECT … FOR UPDATE``, so writers of one application queue instead of
racing; a write that still loses a race (``StaleDataError``, a
serialisation failure or deadlock, SQLite "database is locked") is run
again from the start, up to :data:`WRITE_ATTEMPTS` times. Running again is
safe: nothing was committed, and a call that names the version its caller
saw (``expected_version``) re-reads the row and is refused with
:class:`ConflictError` if someone changed it meanwhile.

Text arguments containing NUL characters are refused before any database
work with a :class:`TrackerInputError` naming the field (PostgreSQL cannot
store them; SQLite would store them silently).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import inspect
import os
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import permissions
from ..rules import Rules, load_rules
from ..workspace import Workspace
from . import models as m
from .access import ACTOR_ROLES, Identity, SsoPolicy
from .audit import chain
from .db import make_engine, read_engine
from .documents import DEFAULT_FILES_DIR, FileStore
from .errors import (
    AccessDenied,
    ConflictError,
    NotFound,
    TrackerInputError,
    TrackerNotReady,
)
from .migrate import current_revision, head_revision
from .passwords import PasswordPolicy
from .terms import term
from .throttle import SigninPolicy
from .views import jsonable
from .workflow import Workflow, load_workflow

#: The sign-in method of an identity from an API key: ``api_key:<key id>`` (:mod:`siting.tracker.apikeys`).
API_KEY_METHOD = "api_key:"
#: How often a write that lost a race is run again before :class:`ConflictError` (see the module docstring).
WRITE_ATTEMPTS = 8
_RETRY_PGCODES = ("40001", "40P01")  # serialization_failure, deadlock_detected

P = ParamSpec("P")
R = TypeVar("R")
Kind = Literal["read", "write"]


@dataclass(frozen=True)
class TrackerSettings:
    """How to open a tracker.

    Parameters
    ----------
    url
        Database URL; default ``$DATABASE_URL``, else SQLite at ``data/tracker.db``.
    files_dir
        Where uploaded files are kept (outside any served folder); default
        ``$SITING_TRACKER_FILES``, else ``data/uploads``.
    workflow_path, rules_path, workspace_path
        Files read when no object is given to :class:`Tracker` (defaults as in
        :func:`load_workflow`, :func:`siting.rules.load_rules`,
        :meth:`siting.workspace.Workspace.load`).
    password_policy
        scrypt parameters for local accounts.
    sso
        The SSO policy (:class:`siting.tracker.access.SsoPolicy`), or ``None``
        to refuse external identities.
    reject_repeated_national_ids
        Refuse national IDs made of one repeated digit (they pass the checksum).
    signin_policy
        Lockout after failed sign-ins (:class:`siting.tracker.throttle.SigninPolicy`).
    """

    url: str | None = None
    files_dir: str | os.PathLike[str] | None = None
    workflow_path: str | os.PathLike[str] | None = None
    rules_path: str | os.PathLike[str] | None = None
    workspace_path: str | os.PathLike[str] | None = None
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    sso: SsoPolicy | None = None
    reject_repeated_national_ids: bool = True
    signin_policy: SigninPolicy = field(default_factory=SigninPolicy)


class Ctx:
    """What a public function works with during its one transaction (internal)."""

    def __init__(self, tracker: TrackerBase, session: Session, user: m.User, now: datetime,
                 kind: Kind = "read", via: str | None = None) -> None:
        self.tracker = tracker
        #: how the caller signed in when it matters to the audit (``api_key:<key id>``), else None
        self.via = via
        self.kind = kind
        self.s = session
        self.user = user
        self.now = now
        self.audits = 0
        self.new_files: list[str] = []

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def today(self) -> date:
        return self.now.date()

    def audit(self, action: str, entity: str, entity_id: int | None, *,
              application_id: int | None = None, **details: Any) -> None:
        """Append an entry to the audit trail (in the same transaction as the change); a change made
        with an API key records the key's id (``via``)."""
        if self.via is not None:
            details = {**details, "via": self.via}
        chain(self.s, m.AuditEntry(
            at=self.now, user_id=self.user.id, username=self.user.username, role=self.user.role,
            action=action, entity=entity, entity_id=entity_id, application_id=application_id,
            details=jsonable(details)))
        self.audits += 1


def api(kind: Kind) -> Callable[[Callable[Concatenate[Any, Ctx, P], R]],
                               Callable[Concatenate[Any, Identity, P], R]]:
    """Declare a public tracker function (see the module docstring).

    The function is written as ``f(self, ctx, ...)``; callers call
    ``tracker.f(who, ...)`` with their :class:`Identity`.
    """

    def deco(fn: Callable[Concatenate[Any, Ctx, P], R]) -> Callable[Concatenate[Any, Identity, P], R]:
        @functools.wraps(fn)
        def wrapper(self: TrackerBase, who: Identity, /, *args: P.args, **kwargs: P.kwargs) -> R:
            return self._call(fn, kind, who, args, kwargs)

        sig = inspect.signature(fn)
        params = list(sig.parameters.values())
        params[1] = inspect.Parameter("who", inspect.Parameter.POSITIONAL_ONLY, annotation="Identity")
        params[0] = params[0].replace(kind=inspect.Parameter.POSITIONAL_ONLY)
        wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__tracker_api__ = kind  # type: ignore[attr-defined]
        return wrapper

    return deco


class TrackerBase:
    """Settings, engine, sessions and the helpers every part of the tracker shares."""

    def __init__(
        self,
        settings: TrackerSettings | None = None,
        *,
        workflow: Workflow | None = None,
        rules: Rules | None = None,
        workspace: Workspace | None = None,
        engine: Engine | None = None,
        clock: Callable[[], datetime] | None = None,
        check_schema: bool = True,
    ) -> None:
        self.settings = settings or TrackerSettings()
        self.engine = engine or make_engine(self.settings.url)
        self._read_engine = read_engine(self.engine)
        self.workflow = workflow or load_workflow(self.settings.workflow_path)
        self.rules = rules or load_rules(self.settings.rules_path)
        self._workspace = workspace
        self._workspace_lock = threading.Lock()
        files = self.settings.files_dir or os.environ.get("SITING_TRACKER_FILES") or DEFAULT_FILES_DIR
        self.files = FileStore(Path(files))
        self._clock = clock or (lambda: datetime.now(UTC))
        self._secret = secrets.token_bytes(32)
        if check_schema:
            have, want = current_revision(self.engine), head_revision()
            if have != want:
                raise TrackerNotReady(
                    f"the tracker database is at schema {have or 'empty'}, this version needs {want}; "
                    "run `siting tracker migrate` (or `siting tracker init` for a new database)",
                    f"پایگاه دادهٔ ردیاب در نسخهٔ {have or 'خالی'} است و نسخهٔ {want} لازم است؛ "
                    "فرمان `siting tracker migrate` را اجرا کنید")

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def now(self) -> datetime:
        """The tracker's clock (aware UTC)."""
        t = self._clock()
        if t.tzinfo is None:
            raise ValueError("the tracker's clock must return timezone-aware datetimes")
        return t

    @property
    def workspace(self) -> Workspace:
        """The workspace site validation runs on (loaded on first use)."""
        with self._workspace_lock:
            if self._workspace is None:
                self._workspace = Workspace.load(self.settings.workspace_path)
            return self._workspace

    def use_workspace(self, workspace: Workspace) -> None:
        """Run site validation on ``workspace`` from now on (e.g. a newer generation of the file);
        identities already issued stay valid."""
        with self._workspace_lock:
            self._workspace = workspace

    # -- identities ------------------------------------------------------------------------------
    def _sign(self, user: m.User, method: str) -> Identity:
        msg = f"{user.id}|{user.username}|{user.role}|{method}".encode()
        token = hmac.new(self._secret, msg, hashlib.sha256).hexdigest()
        return Identity(user.id, user.username, user.role, user.display_name, method, token)

    def _check_identity(self, who: object) -> Identity:
        if not isinstance(who, Identity):
            raise AccessDenied("sign in first: no identity was given", "ابتدا وارد سامانه شوید")
        msg = f"{who.user_id}|{who.username}|{who.role}|{who.method}".encode()
        good = hmac.new(self._secret, msg, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, who.token):
            raise AccessDenied("this identity was not issued by this tracker; sign in again",
                               "این هویت را این سامانه صادر نکرده است؛ دوباره وارد شوید")
        return who

    # -- the transaction around every public call -----------------------------------------------
    def _call(self, fn: Callable[..., R], kind: Kind, who: Identity, args: tuple, kwargs: dict) -> R:
        who = self._check_identity(who)
        _refuse_nul(fn, args, kwargs)
        attempts = WRITE_ATTEMPTS if kind == "write" else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._call_once(fn, kind, who, args, kwargs)
            except _Retry as retry:
                if attempt == attempts:
                    raise retry.error from None
                time.sleep(random.uniform(0.001, 0.005 * attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _call_once(self, fn: Callable[..., R], kind: Kind, who: Identity, args: tuple, kwargs: dict) -> R:
        engine = self.engine if kind == "write" else self._read_engine
        ctx: Ctx | None = None
        try:
            with Session(engine, expire_on_commit=False) as s, s.begin():
                user = s.get(m.User, who.user_id)
                if user is None or not user.active:
                    raise AccessDenied("this account is not active; ask an administrator",
                                       "این حساب فعال نیست؛ با مدیر سامانه تماس بگیرید")
                if user.role != who.role or user.username != who.username:
                    raise AccessDenied("your account was changed; sign in again",
                                       "حساب شما تغییر کرده است؛ دوباره وارد شوید")
                via = who.method if who.method.startswith(API_KEY_METHOD) else None
                ctx = Ctx(self, s, user, self.now(), kind, via)
                result = fn(self, ctx, *args, **kwargs)
                if kind == "write":
                    if ctx.audits == 0:
                        raise RuntimeError(f"{fn.__name__} changed data without writing the audit trail")
                    s.flush()
                elif s.new or s.dirty or s.deleted:
                    raise RuntimeError(f"{fn.__name__} is a read function but changed data")
            return result
        except StaleDataError:
            self._discard_files(ctx)
            raise _Retry(ConflictError(
                "someone else changed this record at the same time; nothing was saved. "
                "Reload it, look at their change and save again",
                "هم‌زمان کاربر دیگری این پرونده را تغییر داد و تغییر شما ذخیره نشد؛ "
                "صفحه را دوباره بارگیری کنید، تغییر او را ببینید و دوباره ذخیره کنید")) from None
        except OperationalError as exc:
            self._discard_files(ctx)
            text = str(exc.orig).lower()
            if "locked" in text or "busy" in text or getattr(exc.orig, "sqlstate", None) in _RETRY_PGCODES:
                raise _Retry(ConflictError("the database is busy; nothing was saved, try again",
                                           "پایگاه داده مشغول است؛ چیزی ذخیره نشد، دوباره تلاش کنید")) from exc
            raise
        except IntegrityError as exc:
            self._discard_files(ctx)
            raise TrackerInputError(
                f"the change conflicts with stored data (a duplicate or a missing reference): {exc.orig}",
                "این تغییر با داده‌های ذخیره‌شده ناسازگار است (تکراری یا ارجاع نادرست)") from exc
        except DataError as exc:
            self._discard_files(ctx)
            raise TrackerInputError(f"a value cannot be stored: {exc.orig}",
                                    "مقداری که فرستاده شد قابل ذخیره نیست") from exc
        except BaseException:
            self._discard_files(ctx)
            raise

    def _discard_files(self, ctx: Ctx | None) -> None:
        if ctx is not None:
            for name in ctx.new_files:
                self.files.remove(name)

    # -- records and who may touch them --------------------------------------------------------
    @api("read")
    def authorize(self, ctx: Ctx, action: str) -> str:
        """The caller's role if their account, as the database has it now, may take ``action``
        (one of :data:`siting.permissions.ACTIONS`); else :class:`AccessDenied`.

        For rights checked outside the tracker (importing the workspace, editing the rules): an
        account deactivated or given another role since signing in is refused at once.
        """
        self._require_action(ctx, action)
        return ctx.role

    def _require_action(self, ctx: Ctx, action: str) -> None:
        """Refuse unless the caller's role may take ``action`` (:data:`siting.permissions.ROLE_ACTIONS`)."""
        if not permissions.role_allowed(ctx.role, action):
            denied = permissions.PermissionDenied(action, ctx.role)
            raise AccessDenied(denied.message_en, denied.message_fa)

    def _require_role(self, ctx: Ctx, *roles: str, action_en: str, action_fa: str) -> None:
        if ctx.role not in roles:
            who_en = ", ".join(term(r, "en") for r in roles)
            who_fa = "، ".join(term(r, "fa") for r in roles)
            raise AccessDenied(f"only a {who_en} may {action_en}", f"فقط {who_fa} می‌تواند {action_fa}")

    def _owns(self, ctx: Ctx, applicant: m.Applicant) -> bool:
        return applicant.owner_id == ctx.user.id

    def _applicant(self, ctx: Ctx, applicant_id: int) -> m.Applicant:
        if ctx.role != "applicant":
            self._require_action(ctx, permissions.READ_APPLICATIONS)
        a = ctx.s.get(m.Applicant, applicant_id)
        if ctx.role == "applicant" and (a is None or not self._owns(ctx, a)):
            raise AccessDenied(f"applicant {applicant_id} is not one of yours",
                               f"متقاضی {applicant_id} متعلق به شما نیست")
        if a is None:
            raise NotFound(f"no applicant {applicant_id}", f"متقاضی {applicant_id} وجود ندارد")
        return a

    def _application(self, ctx: Ctx, application_id: int) -> m.Application:
        """The application, for applicants only their own: a missing one and someone else's get the
        same answer. In a write on PostgreSQL the row is locked (``FOR UPDATE``) until the commit."""
        if ctx.role != "applicant":
            self._require_action(ctx, permissions.READ_APPLICATIONS)
        if ctx.kind == "write" and ctx.s.get_bind().dialect.name != "sqlite":
            app = ctx.s.get(m.Application, application_id, with_for_update=True, populate_existing=True)
        else:
            app = ctx.s.get(m.Application, application_id)
        if ctx.role == "applicant" and (app is None or not self._owns(ctx, app.applicant)):
            raise AccessDenied(f"application {application_id} is not one of your applications",
                               f"درخواست {application_id} از درخواست‌های شما نیست")
        if app is None:
            raise NotFound(f"no application {application_id}", f"درخواست {application_id} وجود ندارد")
        return app

    def _application_to_change(self, ctx: Ctx, application_id: int, expected_version: int | None) -> m.Application:
        """The application (access checked) if it is still at the version the caller saw."""
        app = self._application(ctx, application_id)
        self._check_version(app, expected_version, f"application {app.id}", f"درخواست {app.id}")
        return app

    def _mark_done(self, ctx: Ctx, row: m.Step, data: dict[str, Any] | None = None) -> None:
        """Record a step as done now, by the caller."""
        row.state = "done"
        row.completed_at = ctx.now
        row.completed_by = ctx.user.id
        if data is not None:
            row.data = data

    def _check_version(self, obj: m.Application | m.Applicant | m.Licence | m.User,
                       expected: int | None, what_en: str, what_fa: str) -> None:
        if expected is not None and obj.version != expected:
            raise ConflictError(
                f"{what_en} was changed by someone else since you opened it (version {expected}, now "
                f"{obj.version}); nothing was saved. Reload it and save again",
                f"{what_fa} پس از باز کردن شما توسط کاربر دیگری تغییر کرده است (نسخهٔ {expected}، اکنون "
                f"{obj.version})؛ چیزی ذخیره نشد. دوباره بارگیری و ذخیره کنید")

    def _touch(self, ctx: Ctx, obj: m.Application | m.Applicant | m.Licence | m.User) -> None:
        """Raise the row's version: the UPDATE only succeeds if nobody changed it meanwhile."""
        obj.version = obj.version + 1
        if hasattr(obj, "updated_at"):
            obj.updated_at = ctx.now

    def _may_act_on_step(self, ctx: Ctx, app: m.Application, actor: str) -> bool:
        if actor == "applicant" and ctx.role == "applicant":
            return self._owns(ctx, app.applicant)
        return ctx.role in ACTOR_ROLES.get(actor, ())

    def _user(self, ctx: Ctx, user_id: int) -> m.User:
        u = ctx.s.get(m.User, user_id)
        if u is None:
            raise NotFound(f"no user {user_id}", f"کاربر {user_id} وجود ندارد")
        return u

    def _users_by_name(self, s: Session, username: str) -> m.User | None:
        return s.scalars(select(m.User).where(m.User.username == username)).first()


class _Retry(Exception):
    """A write lost a race and may be run again; ``error`` is raised if attempts run out."""

    def __init__(self, error: ConflictError) -> None:
        super().__init__(error.message_en)
        self.error = error


#: arguments cleaned instead of refused: an upload's file name is kept as a display name only, without
#: control characters (:func:`siting.tracker.documents.display_name`)
_NUL_CLEANED = frozenset({"filename"})


def _nul_path(value: Any, path: str, depth: int = 0) -> str | None:
    """The path of the first text inside ``value`` that holds a NUL character, else ``None``."""
    if depth > 6:
        return None
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for k, v in value.items():
            found = _nul_path(k, path, depth + 1) or _nul_path(v, f"{path}.{k}", depth + 1)
            if found:
                return found
    elif isinstance(value, (list, tuple, set, frozenset)):
        for i, v in enumerate(value):
            found = _nul_path(v, f"{path}[{i}]", depth + 1)
            if found:
                return found
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            found = _nul_path(getattr(value, f.name, None), f"{path}.{f.name}", depth + 1)
            if found:
                return found
    return None


@functools.cache
def _param_names(fn: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(inspect.signature(fn).parameters)[2:]


def _refuse_nul(fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    named = list(zip(_param_names(fn), args, strict=False)) + list(kwargs.items())
    refuse_nul(**{name: value for name, value in named if name not in _NUL_CLEANED})


def refuse_nul(**fields: Any) -> None:
    """Raise :class:`TrackerInputError` naming the first field whose text holds a NUL character."""
    for name, value in fields.items():
        found = _nul_path(value, name)
        if found:
            raise TrackerInputError(f"{found}: the text contains a NUL character (\\x00), which is not allowed",
                                    f"{found}: متن نویسهٔ NUL (\\x00) دارد که مجاز نیست")
