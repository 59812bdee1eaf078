"""Accounts: local sign-in with salted scrypt hashes, SSO sign-in, account administration."""

from __future__ import annotations

import math
import secrets
import threading
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import permissions
from ..text import clean_text
from . import models as m
from .access import ExternalIdentity, Identity, SsoPolicy
from .audit import chain
from .convert import user_view
from .core import Ctx, TrackerBase, api, refuse_nul
from .errors import AccessDenied, AuthenticationError, SignInLocked, TrackerInputError
from .ids import digits_only, mobile_problem, national_id_problem, normal_mobile
from .passwords import check_password_strength, hash_password, needs_rehash, verify_password
from .terms import ROLES, tidy_text
from .throttle import record_failure, throttle_row
from .views import UserView

_BAD_LOGIN = ("wrong user name or password", "نام کاربری یا گذرواژه نادرست است")
_DUMMY_LOCK = threading.Lock()


def _locked(until: datetime, now: datetime, *, wrong: bool = False) -> SignInLocked:
    """The lockout message: when to retry (UTC) and in how many minutes."""
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    at = until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    first_en = "wrong user name or password. " if wrong else ""
    first_fa = "نام کاربری یا گذرواژه نادرست است. " if wrong else ""
    return SignInLocked(
        f"{first_en}Too many failed sign-ins: sign-in is locked; try again after {at} (in {minutes} minute(s))",
        f"{first_fa}تلاش‌های ناموفق ورود بیش از حد بوده است؛ ورود قفل شده است. پس از {at} "
        f"(تا {minutes} دقیقهٔ دیگر) دوباره تلاش کنید", until)


class AccountsMixin(TrackerBase):
    # -- signing in (no identity yet) -----------------------------------------------------------
    def authenticate(self, username: str, password: str, client: str | None = None) -> Identity:
        """Sign in with a local account.

        Parameters
        ----------
        username, password
            As typed; the user name is normalised (Persian digits, spacing).
        client
            Who is signing in, for the per-client lockout (the dashboard passes
            the browser's IP address); ``None`` for the operator's shell.

        Returns
        -------
        Identity
            Pass it to every other function.

        Raises
        ------
        SignInLocked
            Too many failed sign-ins for this user name or from this client
            (:class:`siting.tracker.throttle.SigninPolicy`): refused, even with
            the right password, until ``retry_at``.
        AuthenticationError
            Wrong name or password, or an inactive account (one message for
            all, so the reply does not reveal which accounts exist).

        Every attempt does the same work, whatever the account: exactly one
        password hash check (against a dummy hash for unknown names and for
        accounts without a password); every attempt is written to the audit
        trail (``signed_in``, ``signin_failed``, ``signin_locked``,
        ``signin_refused_locked``).
        """
        refuse_nul(username=username, password=password)
        name = ((clean_text(username) if isinstance(username, str) else None) or "")[:255]
        password = password if isinstance(password, str) else ""
        client_key = ((clean_text(client) if isinstance(client, str) else None) or "")[:255] or None
        policy = self.settings.signin_policy
        refusal: AuthenticationError | None = None
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            now = self.now()
            account = throttle_row(s, "account", name)
            rows = [(account, policy.account_failures)]
            if client_key is not None:
                rows.append((throttle_row(s, "client", client_key), policy.client_failures))
            user = self._users_by_name(s, name)
            locked = [r.locked_until for r, _ in rows if r.locked_until is not None and r.locked_until > now]
            if locked:
                until = max(locked)
                chain(s, self._signin_audit(now, user, name, "signin_refused_locked", client_key, until=until))
                refusal = _locked(until, now)
            else:
                has_password = user is not None and bool(user.password_hash)
                stored = user.password_hash if has_password and user is not None else self._dummy_hash()
                ok = verify_password(password, stored) and has_password and user is not None and user.active
                if ok and user is not None:
                    account.failures, account.locked_until = 0, None
                    if needs_rehash(user.password_hash or "", self.settings.password_policy):
                        user.password_hash = hash_password(password, self.settings.password_policy)
                        user.version += 1
                        chain(s, self._audit_row(user, "password_rehashed", "user", user.id))
                    chain(s, self._signin_audit(now, user, name, "signed_in", client_key))
                    return self._sign(user, "password")
                ends = [record_failure(r, now, threshold, policy) for r, threshold in rows]
                chain(s, self._signin_audit(now, user, name, "signin_failed", client_key,
                                            account_failures=account.failures))
                lock_end = max((e for e in ends if e is not None), default=None)
                if lock_end is not None:
                    chain(s, self._signin_audit(now, user, name, "signin_locked", client_key, until=lock_end))
                    refusal = _locked(lock_end, now, wrong=True)
                else:
                    refusal = AuthenticationError(*_BAD_LOGIN)
        raise refusal

    def sign_in_external(self, identity: ExternalIdentity) -> Identity:
        """Sign in a person the organisation's SSO has authenticated (the SSO plug-in point).

        The issuer must be trusted by the tracker's :class:`SsoPolicy`. A known
        person (same issuer and subject) gets their account, with the role the
        policy maps their groups to; an unknown person gets a new account if
        the policy allows it.

        Raises
        ------
        AuthenticationError
            No SSO policy, an untrusted issuer, no role for the person, an
            inactive account, or a user name taken by another account.
        """
        policy: SsoPolicy | None = self.settings.sso
        if policy is None or identity.issuer not in policy.trusted_issuers:
            raise AuthenticationError(f"identities from {identity.issuer!r} are not accepted",
                                      f"هویت‌های صادرشده از {identity.issuer!r} پذیرفته نمی‌شوند")
        if not identity.subject:
            raise AuthenticationError("the identity has no subject", "شناسهٔ کاربر در هویت نیست")
        role = policy.role_for(identity)
        if role is None:
            raise AuthenticationError("your organisation account has no role in the tracker",
                                      "حساب سازمانی شما در این سامانه نقشی ندارد")
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            user = s.scalars(select(m.User).where(m.User.sso_issuer == identity.issuer,
                                                  m.User.sso_subject == identity.subject)).first()
            if user is None:
                if not policy.create_accounts:
                    raise AuthenticationError("no tracker account is linked to your organisation account",
                                              "هیچ حسابی در این سامانه به حساب سازمانی شما پیوند نشده است")
                username = (clean_text(identity.username or identity.subject) or "")[:80]
                if self._users_by_name(s, username) is not None:
                    raise AuthenticationError(
                        f"the user name {username!r} belongs to another account; an administrator must link them",
                        f"نام کاربری {username!r} متعلق به حساب دیگری است؛ مدیر سامانه باید آن‌ها را پیوند دهد")
                user = m.User(username=username, display_name=tidy_text(identity.display_name) or username,
                              role=role, password_hash=None, sso_issuer=identity.issuer,
                              sso_subject=identity.subject, active=True, created_at=self.now())
                s.add(user)
                s.flush()
                chain(s, self._audit_row(user, "account_created_by_sso", "user", user.id, role=role,
                                      issuer=identity.issuer))
            elif not user.active:
                raise AuthenticationError(*_BAD_LOGIN)
            elif user.role != role:
                chain(s, self._audit_row(user, "role_changed_by_sso", "user", user.id,
                                      before=user.role, after=role))
                user.role = role
                user.version += 1
            return self._sign(user, "sso")

    def bootstrap_admin(self, username: str, password: str, display_name: str = "") -> Identity:
        """Create the first administrator; refused once any active administrator exists.

        For the operator's shell (``siting tracker create-user``), never for pages.
        """
        refuse_nul(username=username, password=password, display_name=display_name)
        check_password_strength(password)
        name = self._checked_username(username)
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            admins = s.scalar(select(func.count()).select_from(m.User).where(
                m.User.role == "admin", m.User.active.is_(True)))
            if admins:
                raise AccessDenied("an administrator exists already; ask them to create accounts",
                                   "مدیر سامانه وجود دارد؛ از او بخواهید حساب بسازد")
            if self._users_by_name(s, name) is not None:
                raise TrackerInputError(f"user name {name!r} is taken", f"نام کاربری {name!r} تکراری است")
            user = m.User(username=name, display_name=tidy_text(display_name) or name, role="admin",
                          password_hash=hash_password(password, self.settings.password_policy),
                          active=True, created_at=self.now())
            s.add(user)
            s.flush()
            chain(s, self._audit_row(user, "admin_bootstrapped", "user", user.id))
            return self._sign(user, "password")

    # -- self-registration (no identity yet) -----------------------------------------------------
    def register_applicant(self, *, full_name: str, national_id: str, mobile: str, password: str,
                           client: str | None = None) -> None:
        """Self-registration of a new applicant account; the person then signs in with their national
        ID (the user name) and password.

        Every field is checked and every problem reported at once (:class:`TrackerInputError`): the
        name, the national ID's check digit, an Iranian mobile number (``09`` and nine digits), a
        password of the strength rules (:func:`~siting.tracker.passwords.check_password_strength`)
        that is neither the national ID nor the mobile number. The account gets the ``applicant``
        role only, with a salted scrypt hash of the password, and the audit trail records
        ``applicant_registered``.

        No account enumeration: when the national ID already has an account nothing is created,
        the audit records ``registration_duplicate`` and the call returns exactly as for a new
        account (the page says the same sentence in both cases). Throttled like sign-in: each
        attempt counts against the client and against the national ID
        (:class:`~siting.tracker.throttle.SigninPolicy`); over the limit, :class:`SignInLocked`.
        """
        refuse_nul(full_name=full_name, national_id=national_id, mobile=mobile, password=password)
        name = tidy_text(full_name)
        problems: list[tuple[str, str, str]] = []
        if not name or len(name) > 200:
            problems.append(("full_name", "the full name is required (at most 200 characters)",
                             "نام و نام خانوادگی لازم است (حداکثر ۲۰۰ نویسه)"))
        if (p := national_id_problem(national_id)) is not None:
            problems.append(("national_id", *p))
        if (p := mobile_problem(mobile)) is not None:
            problems.append(("mobile", *p))
        try:
            check_password_strength(password)
        except TrackerInputError as exc:
            problems.extend(exc.problems)
        code, phone = digits_only(national_id), normal_mobile(mobile)
        if isinstance(password, str) and password.strip() and digits_only(password) in (code, phone):
            problems.append(("password", "the password must not be your national ID or mobile number",
                             "گذرواژه نباید کد ملی یا شمارهٔ همراه شما باشد"))
        client_key = ((clean_text(client) if isinstance(client, str) else None) or "")[:255] or None
        policy = self.settings.signin_policy
        outcome: Exception | None = None
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            now = self.now()
            # counted apart from sign-in failures (keys prefixed "register:"), in the same table
            rows = [(throttle_row(s, "account", f"register:{code}"[:255]), policy.account_failures)]
            if client_key is not None:
                rows.append((throttle_row(s, "client", f"register:{client_key}"[:255]), policy.account_failures))
            locked = [r.locked_until for r, _ in rows if r.locked_until is not None and r.locked_until > now]
            if locked:
                until = max(locked)
                chain(s, self._signin_audit(now, None, code, "registration_refused_locked", client_key, until=until))
                outcome = _locked(until, now)
            else:
                for r, threshold in rows:  # every attempt counts: a rate limit, not only failures
                    record_failure(r, now, threshold, policy)
                if problems:
                    outcome = TrackerInputError.collect("the registration is not valid", "ثبت‌نام معتبر نیست",
                                                        problems)
                elif self._users_by_name(s, code) is not None:
                    chain(s, self._signin_audit(now, None, code, "registration_duplicate", client_key))
                else:
                    user = m.User(username=code, display_name=name, role="applicant",
                                  password_hash=hash_password(password, self.settings.password_policy),
                                  active=True, created_at=now, mobile=phone)
                    s.add(user)
                    s.flush()
                    chain(s, self._audit_row(user, "applicant_registered", "user", user.id, role="applicant",
                                             client=client_key or ""))
        if outcome is not None:
            raise outcome

    # -- administration ---------------------------------------------------------------------------
    @api("write")
    def create_user(self, ctx: Ctx, username: str, password: str | None, role: str,
                    display_name: str = "") -> UserView:
        """Create a local account (administrators only).

        ``password`` may be ``None`` for an account that will only sign in
        through SSO (linked later by :meth:`link_sso`).
        """
        self._require_action(ctx, permissions.MANAGE_ACCOUNTS)
        if role not in ROLES:
            raise TrackerInputError(f"role: unknown role {role!r}; expected one of {', '.join(ROLES)}",
                                    f"نقش {role!r} شناخته نیست")
        if password is not None:
            check_password_strength(password)
        name = self._checked_username(username)
        if self._users_by_name(ctx.s, name) is not None:
            raise TrackerInputError(f"user name {name!r} is taken", f"نام کاربری {name!r} تکراری است")
        user = m.User(username=name, display_name=tidy_text(display_name) or name, role=role,
                      password_hash=None if password is None else hash_password(password, self.settings.password_policy),
                      active=True, created_at=ctx.now)
        ctx.s.add(user)
        ctx.s.flush()
        ctx.audit("user_created", "user", user.id, username=name, role=role)
        return user_view(user)

    @api("write")
    def set_password(self, ctx: Ctx, user_id: int, new_password: str,
                     current_password: str | None = None) -> UserView:
        """Change a password: your own (give the current one) or, as administrator, anyone's."""
        if user_id == ctx.user.id:
            user = ctx.user
            if not verify_password(current_password or "", user.password_hash):
                raise AuthenticationError("the current password is wrong", "گذرواژهٔ کنونی نادرست است")
        elif ctx.role == "admin":
            user = self._user(ctx, user_id)
        else:
            raise AccessDenied("you may change only your own password",
                               "فقط گذرواژهٔ خودتان را می‌توانید تغییر دهید")
        check_password_strength(new_password)
        user.password_hash = hash_password(new_password, self.settings.password_policy)
        self._touch(ctx, user)
        ctx.audit("password_changed", "user", user.id)
        return user_view(user)

    @api("write")
    def set_user_active(self, ctx: Ctx, user_id: int, active: bool) -> UserView:
        """Deactivate or reactivate an account (administrators; not their own)."""
        user = self._other_account(ctx, user_id, "deactivate accounts", "حساب را غیرفعال کند")
        user.active = bool(active)
        self._touch(ctx, user)
        ctx.audit("user_activated" if active else "user_deactivated", "user", user.id)
        return user_view(user)

    @api("write")
    def set_user_role(self, ctx: Ctx, user_id: int, role: str) -> UserView:
        """Give an account another role (administrators; not their own)."""
        user = self._other_account(ctx, user_id, "change roles", "نقش را تغییر دهد")
        if role not in ROLES:
            raise TrackerInputError(f"role: unknown role {role!r}", f"نقش {role!r} شناخته نیست")
        before = user.role
        user.role = role
        self._touch(ctx, user)
        ctx.audit("role_changed", "user", user.id, before=before, after=role)
        return user_view(user)

    @api("write")
    def link_sso(self, ctx: Ctx, user_id: int, issuer: str, subject: str) -> UserView:
        """Link an existing account to a person of the organisation's SSO (administrators)."""
        self._require_action(ctx, permissions.MANAGE_ACCOUNTS)
        user = self._user(ctx, user_id)
        user.sso_issuer, user.sso_subject = issuer, subject
        self._touch(ctx, user)
        ctx.audit("sso_linked", "user", user.id, issuer=issuer, subject=subject)
        return user_view(user)

    @api("read")
    def list_users(self, ctx: Ctx) -> tuple[UserView, ...]:
        """Every account (administrators)."""
        self._require_action(ctx, permissions.MANAGE_ACCOUNTS)
        return tuple(user_view(u) for u in ctx.s.scalars(select(m.User).order_by(m.User.id)))

    # -- helpers ------------------------------------------------------------------------------------
    def _other_account(self, ctx: Ctx, user_id: int, action_en: str, action_fa: str) -> m.User:
        """Another user's account, for an administrator (nobody changes their own this way)."""
        self._require_action(ctx, permissions.MANAGE_ACCOUNTS)
        user = self._user(ctx, user_id)
        if user.id == ctx.user.id:
            raise TrackerInputError("this is your own account; another administrator must do this",
                                    "این حساب خودتان است؛ مدیر دیگری باید این کار را انجام دهد")
        return user

    def _checked_username(self, username: str) -> str:
        name = clean_text(username or "")
        if not name or len(name) > 80 or any(c.isspace() for c in name):
            raise TrackerInputError("user name: 1 to 80 characters without spaces",
                                    "نام کاربری: ۱ تا ۸۰ نویسه و بدون فاصله")
        return name

    def _dummy_hash(self) -> str:
        """A hash with the current policy's cost, made once (at the first sign-in of this tracker)."""
        with _DUMMY_LOCK:
            if not hasattr(self, "_dummy"):
                self._dummy = hash_password(secrets.token_urlsafe(16), self.settings.password_policy)
        return self._dummy

    def _signin_audit(self, now: datetime, user: m.User | None, name: str, action: str, client: str | None,
                      **details: object) -> m.AuditEntry:
        detail = {k: (v.isoformat() if isinstance(v, datetime) else str(v)) for k, v in details.items()}
        if client is not None:
            detail["client"] = client
        return m.AuditEntry(at=now, user_id=user.id if user else None, username=name[:80],
                            role=user.role if user else "", action=action, entity="user",
                            entity_id=user.id if user else None, application_id=None, details=detail)

    def _audit_row(self, user: m.User, action: str, entity: str, entity_id: int | None,
                   **details: object) -> m.AuditEntry:
        return m.AuditEntry(at=self.now(), user_id=user.id, username=user.username, role=user.role,
                            action=action, entity=entity, entity_id=entity_id, application_id=None,
                            details={k: str(v) for k, v in details.items()})
