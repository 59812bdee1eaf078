"""Accounts: local sign-in with salted scrypt hashes, SSO sign-in, account administration."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..text import clean_text
from . import models as m
from .access import ExternalIdentity, Identity, SsoPolicy
from .audit import chain
from .convert import user_view
from .core import Ctx, TrackerBase, api
from .errors import AccessDenied, AuthenticationError, TrackerInputError
from .passwords import check_password_strength, hash_password, needs_rehash, verify_password
from .terms import ROLES, tidy_text
from .views import UserView

_BAD_LOGIN = ("wrong user name or password", "نام کاربری یا گذرواژه نادرست است")


class AccountsMixin(TrackerBase):
    # -- signing in (no identity yet) -----------------------------------------------------------
    def authenticate(self, username: str, password: str) -> Identity:
        """Sign in with a local account.

        Parameters
        ----------
        username, password
            As typed; the user name is normalised (Persian digits, spacing).

        Returns
        -------
        Identity
            Pass it to every other function.

        Raises
        ------
        AuthenticationError
            Wrong name or password, or an inactive account (one message for
            all, so the reply does not reveal which accounts exist).
        """
        name = clean_text(username or "")
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            user = self._users_by_name(s, name)
            ok = verify_password(password, user.password_hash if user else None)
            if user is None:
                verify_password(password, self._dummy_hash())  # same time whether or not the user exists
            if user is None or not ok or not user.active:
                raise AuthenticationError(*_BAD_LOGIN)
            if needs_rehash(user.password_hash or "", self.settings.password_policy):
                user.password_hash = hash_password(password, self.settings.password_policy)
                user.version += 1
                chain(s, self._audit_row(user, "password_rehashed", "user", user.id))
            return self._sign(user, "password")

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
                username = clean_text(identity.username or identity.subject)[:80]
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

    # -- administration ---------------------------------------------------------------------------
    @api("write")
    def create_user(self, ctx: Ctx, username: str, password: str | None, role: str,
                    display_name: str = "") -> UserView:
        """Create a local account (administrators only).

        ``password`` may be ``None`` for an account that will only sign in
        through SSO (linked later by :meth:`link_sso`).
        """
        self._require_role(ctx, "admin", action_en="create accounts", action_fa="حساب بسازد")
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
        self._require_role(ctx, "admin", action_en="link accounts", action_fa="حساب را پیوند دهد")
        user = self._user(ctx, user_id)
        user.sso_issuer, user.sso_subject = issuer, subject
        self._touch(ctx, user)
        ctx.audit("sso_linked", "user", user.id, issuer=issuer, subject=subject)
        return user_view(user)

    @api("read")
    def list_users(self, ctx: Ctx) -> tuple[UserView, ...]:
        """Every account (administrators)."""
        self._require_role(ctx, "admin", action_en="list accounts", action_fa="فهرست حساب‌ها را ببیند")
        return tuple(user_view(u) for u in ctx.s.scalars(select(m.User).order_by(m.User.id)))

    # -- helpers ------------------------------------------------------------------------------------
    def _other_account(self, ctx: Ctx, user_id: int, action_en: str, action_fa: str) -> m.User:
        """Another user's account, for an administrator (nobody changes their own this way)."""
        self._require_role(ctx, "admin", action_en=action_en, action_fa=action_fa)
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
        if not hasattr(self, "_dummy"):
            self._dummy = hash_password("not-a-real-password", self.settings.password_policy)
        return self._dummy

    def _audit_row(self, user: m.User, action: str, entity: str, entity_id: int | None,
                   **details: object) -> m.AuditEntry:
        return m.AuditEntry(at=self.now(), user_id=user.id, username=user.username, role=user.role,
                            action=action, entity=entity, entity_id=entity_id, application_id=None,
                            details={k: str(v) for k, v in details.items()})
