"""Who may do what: roles, signed-in identities and the single sign-on plug-in point.

Roles
-----
``applicant``
    Sees and changes only the applicants and applications it owns.
``expert`` (directorate expert)
    Sees everything; receives requests, records the steps of the directorate
    and of outside bodies (governor's office, regulator, union), returns
    steps, issues and changes licences.
``wg_member`` (working-group member)
    Sees everything; records the working group's decisions and the site
    visits of the working group's secretariat.
``data_steward``
    Imports and replaces the workspace, edits the rules and the workflow; no
    access to applications.
``admin``
    Manages accounts and reads everything, including the audit trail; does
    not act in the workflow (least privilege).

What each role may do is one table, :data:`siting.permissions.ROLE_ACTIONS`.
Every public function of :class:`siting.tracker.Tracker` takes the caller's
:class:`Identity` first and checks it against the database on each call (an
account deactivated or given another role stops working at once).

Single sign-on
--------------
The organisation's SSO (OIDC through ``st.login``, a reverse proxy, LDAP…)
authenticates the person; the app then calls
``tracker.sign_in_external(ExternalIdentity(...))`` with the verified
claims. :class:`SsoPolicy` says which issuers are trusted, how the
identity provider's groups map to roles, and whether unknown people get an
account on first sign-in. Verifying tokens is the SSO layer's job; the
tracker trusts only issuers listed in the policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import InputError
from .terms import ROLES, STAFF_ROLES

# who may record a step, by the step's actor (the applicant's own steps also by its owner)
ACTOR_ROLES: Mapping[str, tuple[str, ...]] = {
    "applicant": ("expert",),
    "directorate": ("expert",),
    "governor": ("expert",),
    "regulator": ("expert",),
    "union": ("expert",),
    "wg_secretariat": ("expert", "wg_member"),
    "working_group": ("wg_member",),
}


@dataclass(frozen=True)
class Identity:
    """A signed-in user, as returned by ``authenticate`` or ``sign_in_external``.

    ``token`` binds the identity to the tracker instance that issued it, so an
    identity cannot be made up by code that has no access to that instance.
    """

    user_id: int
    username: str
    role: str
    display_name: str
    method: str
    token: str = field(repr=False)

    @property
    def is_staff(self) -> bool:
        """Directorate or working-group staff, or an administrator (not an applicant, not a data steward)."""
        return self.role in STAFF_ROLES


@dataclass(frozen=True)
class ExternalIdentity:
    """A person authenticated by the organisation's SSO.

    Parameters
    ----------
    issuer
        The identity provider (OIDC ``iss``), e.g. ``https://sso.example.ir``.
    subject
        The provider's stable id of the person (OIDC ``sub``).
    display_name
        Name shown in the tracker.
    username
        Preferred user name (OIDC ``preferred_username``); defaults to the subject.
    groups
        The provider's groups or roles, mapped to tracker roles by :class:`SsoPolicy`.
    """

    issuer: str
    subject: str
    display_name: str
    username: str | None = None
    email: str | None = None
    groups: tuple[str, ...] = ()

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any], *, groups_claim: str = "groups") -> ExternalIdentity:
        """From OIDC claims (e.g. ``st.user.to_dict()`` after ``st.login``)."""
        groups = claims.get(groups_claim) or ()
        if isinstance(groups, str):
            groups = (groups,)
        return cls(
            issuer=str(claims.get("iss", "")),
            subject=str(claims.get("sub", "")),
            display_name=str(claims.get("name") or claims.get("preferred_username") or claims.get("sub", "")),
            username=claims.get("preferred_username") or claims.get("email"),
            email=claims.get("email"),
            groups=tuple(str(g) for g in groups),
        )


class IdentityProvider(Protocol):
    """What an SSO adapter offers the app: the person signed in now, if any."""

    def current_identity(self) -> ExternalIdentity | None: ...


@dataclass(frozen=True)
class SsoPolicy:
    """How identities from the organisation's SSO become tracker accounts.

    Parameters
    ----------
    trusted_issuers
        Issuers whose identities are accepted; any other is refused.
    group_roles
        Provider group → tracker role. The most privileged mapped role wins
        (admin > data_steward > wg_member > expert > applicant); the role is updated on every
        sign-in, so the provider stays the source of truth.
    default_role
        Role of a person in none of the mapped groups; ``None`` refuses them.
    create_accounts
        Create an account on first sign-in (otherwise an administrator links
        accounts beforehand).
    """

    trusted_issuers: tuple[str, ...]
    group_roles: Mapping[str, str] = field(default_factory=dict)
    default_role: str | None = "applicant"
    create_accounts: bool = True

    def role_for(self, identity: ExternalIdentity) -> str | None:
        order = ("admin", "data_steward", "wg_member", "expert", "applicant")
        roles = {self.group_roles[g] for g in identity.groups if g in self.group_roles}
        for role in order:
            if role in roles:
                return role
        return self.default_role

    def __post_init__(self) -> None:
        bad = [r for r in (*self.group_roles.values(), self.default_role) if r is not None and r not in ROLES]
        if bad:
            raise InputError(f"SsoPolicy (SITING_SSO_GROUP_ROLES, SITING_SSO_DEFAULT_ROLE): unknown roles {bad}; expected {ROLES}")


SSO_ENV_VARIABLES: Mapping[str, str] = {
    "SITING_SSO_ISSUERS": "trusted issuers (OIDC iss), separated by commas or spaces; unset: no SSO",
    "SITING_SSO_GROUP_ROLES": "group=role pairs separated by commas, e.g. pishkhan-experts=expert,it-admins=admin",
    "SITING_SSO_DEFAULT_ROLE": "role of people in no mapped group: applicant (default), expert, wg_member, "
                               "data_steward, admin, or none to refuse them",
    "SITING_SSO_CREATE_ACCOUNTS": "1 (default): an account on first sign-in; 0: an administrator links accounts",
    "SITING_SSO_GROUPS_CLAIM": "the claim holding the person's groups (default groups)",
}
"""The environment variables :func:`sso_policy_from_env` reads (documented in docs/tracker.md)."""


def sso_policy_from_env(env: Mapping[str, str]) -> SsoPolicy | None:
    """The :class:`SsoPolicy` the environment describes (see :data:`SSO_ENV_VARIABLES`), or ``None``
    when ``SITING_SSO_ISSUERS`` is unset or empty (single sign-on off).

    Raises :class:`~siting.tracker.errors.TrackerInputError` naming the variable that is wrong.
    """
    from .errors import TrackerInputError

    issuers = tuple(x for x in (env.get("SITING_SSO_ISSUERS") or "").replace(",", " ").split() if x)
    if not issuers:
        return None
    problems: list[tuple[str, str, str]] = []
    group_roles: dict[str, str] = {}
    for pair in (env.get("SITING_SSO_GROUP_ROLES") or "").split(","):
        if not pair.strip():
            continue
        group, sep, role = (x.strip() for x in pair.partition("="))
        if not sep or not group or role not in ROLES:
            problems.append(("SITING_SSO_GROUP_ROLES", f"{pair.strip()!r} is not group=role with a role among "
                             f"{', '.join(ROLES)}", f"«{pair.strip()}» به شکل گروه=نقش با یکی از نقش‌های "
                             f"{'، '.join(ROLES)} نیست"))
        else:
            group_roles[group] = role
    default = (env.get("SITING_SSO_DEFAULT_ROLE") or "applicant").strip()
    default_role: str | None = None if default.lower() == "none" else default
    if default_role is not None and default_role not in ROLES:
        problems.append(("SITING_SSO_DEFAULT_ROLE", f"{default!r} is not a role ({', '.join(ROLES)}, none)",
                         f"«{default}» نقش شناخته‌شده نیست"))
    create = (env.get("SITING_SSO_CREATE_ACCOUNTS") or "1").strip().lower()
    if create not in ("1", "0", "true", "false", "yes", "no"):
        problems.append(("SITING_SSO_CREATE_ACCOUNTS", f"{create!r}: expected 1 or 0", f"«{create}»: ۱ یا ۰"))
    if problems:
        raise TrackerInputError.collect("the single sign-on settings are not valid",
                                        "تنظیمات ورود یکپارچه معتبر نیست", problems)
    return SsoPolicy(trusted_issuers=issuers, group_roles=group_roles, default_role=default_role,
                     create_accounts=create in ("1", "true", "yes"))


def sso_groups_claim(env: Mapping[str, str]) -> str:
    """The claim holding the person's groups (``SITING_SSO_GROUPS_CLAIM``, default ``groups``)."""
    return (env.get("SITING_SSO_GROUPS_CLAIM") or "groups").strip() or "groups"


__all__ = ["ACTOR_ROLES", "SSO_ENV_VARIABLES", "ExternalIdentity", "Identity", "IdentityProvider", "SsoPolicy",
           "sso_groups_claim", "sso_policy_from_env"]
