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
``admin``
    Manages accounts and reads everything, including the audit trail; does
    not act in the workflow (least privilege).

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

from .terms import ROLES

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
        return self.role != "applicant"


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
        (admin > wg_member > expert > applicant); the role is updated on every
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
        order = ("admin", "wg_member", "expert", "applicant")
        roles = {self.group_roles[g] for g in identity.groups if g in self.group_roles}
        for role in order:
            if role in roles:
                return role
        return self.default_role

    def __post_init__(self) -> None:
        bad = [r for r in (*self.group_roles.values(), self.default_role) if r is not None and r not in ROLES]
        if bad:
            raise ValueError(f"SsoPolicy: unknown roles {bad}; expected {ROLES}")


__all__ = ["ACTOR_ROLES", "ExternalIdentity", "Identity", "IdentityProvider", "SsoPolicy"]
