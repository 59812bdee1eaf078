"""Who may do what: the roles, the actions and one table between them, enforced here.

Every page and command that writes asks :func:`require` first; the tracker's
own checks read the same table (:meth:`siting.tracker.core.TrackerBase._require_action`).
docs/security.md ("Who may do what") shows :data:`ROLE_ACTIONS` as a table.

Roles
-----
``public``
    A visitor who has not signed in: the public read-only views (coverage,
    gaps, the site check, the planner and scenario runner, where the data
    came from).
``applicant``
    Registers applicants, starts, submits and cancels their own requests,
    uploads their documents; reads only their own records.
``expert`` (directorate staff)
    Reads every application; processes them (intake, the directorate's
    steps and decisions, returns, licences); acts for applicants.
``wg_member`` (working group)
    Reads every application; records the working group's decisions.
``data_steward``
    Imports, replaces and edits the workspace, the rules and the workflow;
    no access to applications (least privilege).
``admin`` (administrator)
    Accounts, the whole audit trail and the files folder; may also do what
    a data steward does. Does not act in the workflow.

>>> from siting.permissions import LOCAL_OPERATOR, VISITOR, IMPORT_WORKSPACE, allowed, require
>>> allowed(VISITOR, IMPORT_WORKSPACE)
False
>>> require(LOCAL_OPERATOR, IMPORT_WORKSPACE)   # the CLI at the machine: the data steward's rights
Principal(username='local-operator', role='data_steward', method='local')

Who is who: on the dashboard, the person signed in to the tracker (an
:class:`siting.tracker.Identity`, checked against the database); on the
command line, :data:`LOCAL_OPERATOR` unless ``SITING_REQUIRE_IDENTITY=1``
asks for a signed-in account there too (:mod:`siting.cli.identity`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from .errors import InputError, SitingError

if TYPE_CHECKING:
    from .workspace import Workspace

PUBLIC = "public"
"""The role of a visitor who has not signed in."""

#: Every role, least to most trusted for data; the tracker's accounts take all but ``public``.
ROLES: tuple[str, ...] = (PUBLIC, "applicant", "expert", "wg_member", "data_steward", "admin")

#: role -> (Persian, English)
ROLE_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        PUBLIC: ("بازدیدکنندهٔ عمومی (بدون ورود)", "public visitor (not signed in)"),
        "applicant": ("متقاضی", "applicant"),
        "expert": ("کارشناس اداره کل", "directorate expert"),
        "wg_member": ("عضو کارگروه", "working-group member"),
        "data_steward": ("متصدی داده", "data steward"),
        "admin": ("مدیر سامانه", "administrator"),
    }
)

# -- actions ------------------------------------------------------------------------------------
VIEW_PUBLIC = "view_public"
APPLY = "apply"
READ_OWN_APPLICATIONS = "read_own_applications"
READ_APPLICATIONS = "read_applications"
PROCESS_APPLICATIONS = "process_applications"
DECIDE_IN_WORKING_GROUP = "decide_in_working_group"
REVALIDATE_SITES = "revalidate_sites"
IMPORT_WORKSPACE = "import_workspace"
EDIT_RULES = "edit_rules"
EDIT_WORKFLOW = "edit_workflow"
MANAGE_ACCOUNTS = "manage_accounts"
READ_AUDIT = "read_audit"
INSPECT_FILES = "inspect_files"


@dataclass(frozen=True)
class ActionSpec:
    """An action: its labels (the sentence completes "may …") and whether it writes."""

    name: str
    fa: str
    en: str
    writes: bool


#: action -> what it is, in the order docs/security.md lists them
ACTIONS: Mapping[str, ActionSpec] = MappingProxyType(
    {
        a.name: a
        for a in (
            ActionSpec(
                VIEW_PUBLIC,
                "نمایه‌های عمومی را ببیند (پوشش، خلأها، بررسی محل، برنامه‌ریزی، منشأ داده)",
                "read the public views (coverage, gaps, site check, planner, scenarios, data provenance)",
                False,
            ),
            ActionSpec(
                APPLY,
                "متقاضی ثبت کند، درخواست بسازد، ارسال یا لغو کند و مدرک بارگذاری کند",
                "register applicants, start, submit or cancel requests and upload documents",
                True,
            ),
            ActionSpec(
                READ_OWN_APPLICATIONS,
                "درخواست‌های خود را ببیند",
                "read their own applications",
                False,
            ),
            ActionSpec(
                READ_APPLICATIONS,
                "همهٔ درخواست‌ها، صف کار، دستور جلسه و گزارش‌های بررسی محل را ببیند",
                "read every application, the work queue, the agenda and the site reports",
                False,
            ),
            ActionSpec(
                PROCESS_APPLICATIONS,
                "درخواست‌ها را رسیدگی کند (پذیرش، مراحل اداره کل، عودت، پروانه)",
                "process applications (intake, the directorate's steps, returns, licences)",
                True,
            ),
            ActionSpec(
                DECIDE_IN_WORKING_GROUP,
                "تصمیم کارگروه را ثبت کند",
                "record the working group's decisions",
                True,
            ),
            ActionSpec(
                REVALIDATE_SITES, "بررسی محل را دوباره اجرا کند", "re-run the site validation", True
            ),
            ActionSpec(
                IMPORT_WORKSPACE,
                "فضای کاری را بسازد، جایگزین کند یا فایل به آن وارد کند",
                "build, replace or import files into the workspace",
                True,
            ),
            ActionSpec(EDIT_RULES, "فایل ضوابط را تغییر دهد", "edit the rules", True),
            ActionSpec(EDIT_WORKFLOW, "فایل گردش کار را تغییر دهد", "edit the workflow", True),
            ActionSpec(
                MANAGE_ACCOUNTS,
                "حساب‌ها را بسازد، غیرفعال کند و نقش بدهد",
                "create, deactivate and give roles to accounts",
                True,
            ),
            ActionSpec(
                READ_AUDIT, "کل سابقهٔ تغییرات را ببیند", "read the whole audit trail", False
            ),
            ActionSpec(
                INSPECT_FILES,
                "پوشهٔ فایل‌های بارگذاری‌شده را بررسی کند",
                "inspect the uploaded files folder",
                False,
            ),
        )
    }
)

_DATA = frozenset({IMPORT_WORKSPACE, EDIT_RULES, EDIT_WORKFLOW})

#: THE table: role -> the actions it may take. Nothing else grants a right.
ROLE_ACTIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        PUBLIC: frozenset({VIEW_PUBLIC}),
        "applicant": frozenset({VIEW_PUBLIC, APPLY, READ_OWN_APPLICATIONS}),
        "expert": frozenset(
            {VIEW_PUBLIC, APPLY, READ_APPLICATIONS, PROCESS_APPLICATIONS, REVALIDATE_SITES}
        ),
        "wg_member": frozenset(
            {VIEW_PUBLIC, READ_APPLICATIONS, DECIDE_IN_WORKING_GROUP, REVALIDATE_SITES}
        ),
        "data_steward": frozenset({VIEW_PUBLIC, *_DATA}),
        "admin": frozenset(
            {VIEW_PUBLIC, READ_APPLICATIONS, MANAGE_ACCOUNTS, READ_AUDIT, INSPECT_FILES, *_DATA}
        ),
    }
)


class HasRole(Protocol):
    """Anything with a role: a tracker :class:`~siting.tracker.Identity` or a :class:`Principal`."""

    @property
    def role(self) -> str: ...


@dataclass(frozen=True)
class Principal:
    """Someone who is not a tracker account: the public visitor or the local operator."""

    username: str
    role: str
    method: str = "local"


VISITOR = Principal("visitor", PUBLIC, "anonymous")
"""Whoever opens the dashboard without signing in."""

LOCAL_OPERATOR = Principal("local-operator", "data_steward", "local")
"""The person at the machine running ``siting`` (the default on the command line): a data steward's rights."""


class PermissionDenied(SitingError, PermissionError):
    """The caller's role may not take this action; nothing was done.

    ``str(error)`` is English then Persian; :meth:`message` gives one. ``action``
    and ``role`` name what was refused, ``allowed_roles`` who may do it.
    """

    def __init__(self, action: str, role: str, *, hint: str | None = None) -> None:
        self.action = action
        self.role = role
        self.allowed_roles = roles_for(action)
        spec = ACTIONS[action]
        who_en = " or ".join(ROLE_LABELS[r][1] for r in self.allowed_roles) or "nobody"
        who_fa = " یا ".join(ROLE_LABELS[r][0] for r in self.allowed_roles) or "هیچ‌کس"
        label_en, label_fa = _role_label(role)
        self.message_en = f"the {label_en} may not {spec.en}: sign in as {who_en}"
        self.message_fa = f"{label_fa} اجازه ندارد {spec.fa}؛ با حساب {who_fa} وارد شوید"
        if hint:
            self.message_en += f" ({hint})"
        super().__init__(f"{self.message_en} / {self.message_fa}")

    def message(self, lang: str = "fa") -> str:
        """The message in ``lang`` ('fa' or 'en')."""
        return self.message_fa if lang == "fa" else self.message_en


def _role_label(role: str) -> tuple[str, str]:
    fa, en = ROLE_LABELS.get(role, (f"نقش «{role}»", f"role {role!r}"))
    return en, fa


def _action(action: str) -> str:
    if action not in ACTIONS:
        raise InputError(
            f"action: unknown action {action!r}; expected one of {', '.join(ACTIONS)}",
            source="action",
        )
    return action


def role_of(identity: HasRole | None) -> str:
    """The role of ``identity``; ``None`` (nobody signed in) is the public visitor."""
    if identity is None:
        return PUBLIC
    role = getattr(identity, "role", None)
    return role if isinstance(role, str) else PUBLIC


def allowed(identity: HasRole | None, action: str) -> bool:
    """Whether ``identity`` (``None``: the public visitor) may take ``action``."""
    return _action(action) in ROLE_ACTIONS.get(role_of(identity), frozenset())


def role_allowed(role: str, action: str) -> bool:
    """Whether the role named ``role`` may take ``action``."""
    return _action(action) in ROLE_ACTIONS.get(role, frozenset())


def roles_for(action: str) -> tuple[str, ...]:
    """The roles that may take ``action``, in :data:`ROLES` order."""
    _action(action)
    return tuple(r for r in ROLES if action in ROLE_ACTIONS[r])


def require(identity: HasRole | None, action: str) -> HasRole:
    """Return ``identity`` if it may take ``action``; else raise :class:`PermissionDenied`.

    ``None`` stands for the public visitor (returned as :data:`VISITOR`).
    """
    who = VISITOR if identity is None else identity
    if not allowed(who, action):
        raise PermissionDenied(action, role_of(who))
    return who


def save_workspace(
    identity: HasRole | None, ws: Workspace, path: str | os.PathLike[str] | None = None
) -> Path:
    """Save ``ws`` (replacing the workspace file at ``path``) if ``identity`` may import into the workspace.

    The dashboard's Data page saves through this; :meth:`Workspace.save` is the
    unchecked file operation underneath.
    """
    require(identity, IMPORT_WORKSPACE)
    from .versions import keeping_previous  # (siting.versions imports the workspace module)

    with keeping_previous(path or ws.path) as target:  # the file as it was can be restored
        return ws.save(target)


def restore_workspace(
    identity: HasRole | None, path: str | os.PathLike[str] | None = None, version: str | None = None,
    *, check: Callable[[], None] | None = None,
) -> Workspace:
    """Put an earlier version of the workspace back (:func:`siting.versions.restore_version`) if
    ``identity`` may import into the workspace; recorded in the workspace's import log (mode ``restore``,
    source: who). ``check`` runs again under the workspace's lock (e.g. the tracker's view of the account).
    """
    who = require(identity, IMPORT_WORKSPACE)
    from .versions import restore_version

    name = getattr(who, "username", None) or role_of(who)
    return restore_version(path, version, by=str(name), check=check)


def markdown_table() -> str:
    """:data:`ROLE_ACTIONS` as the Markdown table of docs/security.md (a test keeps the two equal)."""
    head = "| may … | " + " | ".join(ROLE_LABELS[r][1] for r in ROLES) + " |"
    rows = [
        f"| {spec.en} (`{name}`) | "
        + " | ".join("✔" if name in ROLE_ACTIONS[r] else "—" for r in ROLES)
        + " |"
        for name, spec in ACTIONS.items()
    ]
    return "\n".join([head, "|---|" + "---|" * len(ROLES), *rows]) + "\n"


__all__ = [
    "ACTIONS",
    "APPLY",
    "DECIDE_IN_WORKING_GROUP",
    "EDIT_RULES",
    "EDIT_WORKFLOW",
    "IMPORT_WORKSPACE",
    "INSPECT_FILES",
    "LOCAL_OPERATOR",
    "MANAGE_ACCOUNTS",
    "PROCESS_APPLICATIONS",
    "PUBLIC",
    "READ_APPLICATIONS",
    "READ_AUDIT",
    "READ_OWN_APPLICATIONS",
    "REVALIDATE_SITES",
    "ROLES",
    "ROLE_ACTIONS",
    "ROLE_LABELS",
    "VIEW_PUBLIC",
    "VISITOR",
    "ActionSpec",
    "HasRole",
    "PermissionDenied",
    "Principal",
    "allowed",
    "markdown_table",
    "require",
    "restore_workspace",
    "role_allowed",
    "role_of",
    "roles_for",
    "save_workspace",
]
