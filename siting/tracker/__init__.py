"""The application tracker: the directorate's licensing workflow, with eligibility, documents,
working-group decisions, licences and an append-only audit trail.

>>> import os, tempfile
>>> from siting.tracker import Tracker, TrackerSettings, head_revision, init_database
>>> folder = tempfile.mkdtemp()
>>> url = "sqlite:///" + os.path.join(folder, "tracker.db")   # default: $DATABASE_URL, else data/tracker.db
>>> init_database(url) == head_revision()
True
>>> t = Tracker(TrackerSettings(url=url, files_dir=os.path.join(folder, "uploads")))
>>> admin = t.bootstrap_admin("admin", "a long passphrase")
>>> admin.role, t.agenda(admin).items
('admin', ())

Every public method takes the caller's :class:`Identity` first (from
:meth:`Tracker.authenticate` or :meth:`Tracker.sign_in_external`), checks
what that caller may see and do, and runs in one transaction. See
``docs/tracker.md`` for the data model, the workflow file, access and SSO,
storage and migrations.
"""

from __future__ import annotations

from sqlalchemy import Engine

from .access import ExternalIdentity, Identity, IdentityProvider, SsoPolicy
from .accounts import AccountsMixin
from .apikeys import ApiKeysMixin, ApiKeyView
from .applicants import ApplicantsMixin
from .applications import ApplicationsMixin
from .core import TrackerSettings
from .db import make_engine, resolve_url
from .errors import (
    AccessDenied,
    AuthenticationError,
    ConflictError,
    DocumentRejected,
    NotFound,
    SignInLocked,
    TrackerError,
    TrackerInputError,
    TransitionError,
)
from .licensing import LicensingMixin
from .migrate import current_revision, downgrade, head_revision, upgrade
from .passwords import PasswordPolicy
from .screens import ScreensMixin
from .throttle import SigninPolicy
from .uploads import UploadsMixin
from .views import (
    Agenda,
    AgendaItem,
    ApplicantInput,
    ApplicantView,
    ApplicationDetail,
    ApplicationView,
    AuditView,
    DecisionView,
    DocumentView,
    LicenceView,
    MissingDocument,
    MyApplication,
    OverdueItem,
    PersonInput,
    PersonView,
    Queue,
    QueueItem,
    RenewalItem,
    RequestedDocument,
    SiteInput,
    SiteView,
    StepView,
    UserView,
)
from .workflow import Workflow, load_workflow


class Tracker(
    AccountsMixin, ApiKeysMixin, ApplicantsMixin, ApplicationsMixin, UploadsMixin, LicensingMixin, ScreensMixin,
):
    """The tracker's public API (see the module docstring and ``docs/tracker.md``).

    Parameters
    ----------
    settings
        Database URL, files folder, password policy, SSO policy
        (:class:`TrackerSettings`); defaults read ``$DATABASE_URL`` and the
        project's ``data/`` folder.
    workflow, rules, workspace
        Objects to use instead of reading ``siting/tracker/workflow.yaml``,
        ``siting/rules/rules.yaml`` and the workspace (tests pass
        :func:`siting.samples.hand.hand_workspace`).
    engine
        An existing engine (from :func:`make_engine`).
    clock
        Returns the current aware datetime (tests fix it).
    check_schema
        Refuse to open a database whose schema is not the newest (run
        ``siting tracker migrate``).
    """


def init_database(url: str | None = None) -> str | None:
    """Create or upgrade the tracker's tables (``siting tracker init``); returns the revision reached.

    ``url`` defaults to ``$DATABASE_URL``, else SQLite at ``data/tracker.db``.
    """
    engine: Engine = make_engine(url)
    try:
        return upgrade(engine)
    finally:
        engine.dispose()


__all__ = [
    "AccessDenied",
    "Agenda",
    "AgendaItem",
    "ApiKeyView",
    "ApplicantInput",
    "ApplicantView",
    "ApplicationDetail",
    "ApplicationView",
    "AuditView",
    "AuthenticationError",
    "ConflictError",
    "DecisionView",
    "DocumentRejected",
    "DocumentView",
    "ExternalIdentity",
    "Identity",
    "IdentityProvider",
    "LicenceView",
    "MissingDocument",
    "MyApplication",
    "NotFound",
    "OverdueItem",
    "PasswordPolicy",
    "PersonInput",
    "PersonView",
    "Queue",
    "QueueItem",
    "RenewalItem",
    "RequestedDocument",
    "SignInLocked",
    "SigninPolicy",
    "SiteInput",
    "SiteView",
    "SsoPolicy",
    "StepView",
    "Tracker",
    "TrackerError",
    "TrackerInputError",
    "TrackerSettings",
    "TransitionError",
    "UserView",
    "Workflow",
    "current_revision",
    "downgrade",
    "head_revision",
    "init_database",
    "load_workflow",
    "make_engine",
    "resolve_url",
    "upgrade",
]
