"""Uploading and reading an application's documents."""

from __future__ import annotations

from sqlalchemy import select

from . import models as m
from .convert import document_view
from .core import Ctx, api
from .documents import check_document, display_name
from .errors import AccessDenied, NotFound, TrackerInputError, TransitionError
from .progress import ProgressMixin, latest_steps
from .terms import term
from .views import DocumentView

UPLOAD_STATUSES = ("draft", "returned", "approved")


class UploadsMixin(ProgressMixin):
    @api("write")
    def upload_document(self, ctx: Ctx, application_id: int, kind: str, content: bytes, filename: str, *,
                        person_id: int | None = None, expected_version: int | None = None) -> DocumentView:
        """Check and store a document; it replaces the previous file of the same kind and person.

        Parameters
        ----------
        application_id
            The application (the caller's own, or any for a directorate expert).
        kind
            A document kind of the workflow file (``birth_certificate``, ``photo``…).
        content, filename
            The uploaded bytes and the name the applicant's computer gave them
            (shown back to people only; the file is stored under a random UUID).
        person_id
            For personal documents: which of the applicant's people it belongs to.
        expected_version
            The application's version the caller saw, to refuse a stale page.

        Raises
        ------
        DocumentRejected
            The file failed the checks; ``problems`` lists every reason in
            Persian and English. Nothing is stored.
        """
        self._require_role(ctx, "applicant", "expert", action_en="upload documents", action_fa="مدرک بارگذاری کند")
        app = self._application_to_change(ctx, application_id, expected_version)
        doc_kind = self.workflow.documents.get(kind)
        if doc_kind is None:
            raise TrackerInputError(f"kind: unknown document {kind!r}; expected one of "
                                    f"{', '.join(self.workflow.documents)}", f"نوع مدرک {kind!r} شناخته نیست")
        if app.applicant.kind not in doc_kind.applicant_types:
            raise TrackerInputError(f"{doc_kind.en} is not asked of a {app.applicant.kind} person",
                                    f"«{doc_kind.fa}» از {term(app.applicant.kind)} خواسته نمی‌شود")
        if app.status not in UPLOAD_STATUSES:
            raise TransitionError(f"documents cannot change while the application is {term(app.status, 'en')}",
                                  f"در وضعیت «{term(app.status)}» مدارک قابل تغییر نیست")
        if doc_kind.per == "person":
            people = {p.id: p for p in self._document_people(app)}
            if person_id not in people:
                raise TrackerInputError(
                    f"person_id: say whose {doc_kind.en} this is (the applicant, the managing director or a "
                    "board member)", f"مشخص کنید «{doc_kind.fa}» متعلق به کدام شخص است")
        elif person_id is not None:
            raise TrackerInputError(f"{doc_kind.en} is one document for the application, not per person",
                                    f"«{doc_kind.fa}» یک مدرک برای کل پرونده است، نه برای هر شخص")
        latest = latest_steps(app)
        users = [latest[d.id] for d in self.workflow.steps_for(app.request_type)
                 if kind in d.documents and d.id in latest]
        if users and all(r.state == "done" for r in users):
            d = self.workflow.step(users[0].step_id)
            raise TransitionError(
                f"step '{d.en}' that uses this document is done; ask the directorate to return it first",
                f"مرحلهٔ «{d.fa}» که از این مدرک استفاده می‌کند انجام شده است؛ ابتدا عودت آن را درخواست کنید")
        check = check_document(bytes(content), doc_kind, self.workflow.limits)
        shown = display_name(filename)
        check.raise_for_problems(shown)
        stored = self.files.put(check.content)
        ctx.new_files.append(stored)
        for old in ctx.s.scalars(select(m.Document).where(
                m.Document.application_id == app.id, m.Document.kind == kind,
                m.Document.person_id.is_(None) if person_id is None else m.Document.person_id == person_id,
                m.Document.superseded_at.is_(None))):
            old.superseded_at = ctx.now
        doc = m.Document(application_id=app.id, person_id=person_id, kind=kind, original_name=shown,
                         stored_name=stored, sha256=check.sha256, size=check.size, media_type=check.media_type,
                         pages=check.pages, width=check.width, height=check.height, uploaded_by=ctx.user.id,
                         uploaded_at=ctx.now)
        ctx.s.add(doc)
        self._touch(ctx, app)
        ctx.s.flush()
        ctx.audit("document_uploaded", "document", doc.id, application_id=app.id, kind=kind, person_id=person_id,
                  sha256=check.sha256, size=check.size, pages=check.pages, original_name=doc.original_name)
        return document_view(doc)

    @api("read")
    def read_document(self, ctx: Ctx, document_id: int) -> tuple[DocumentView, bytes]:
        """A stored document and its bytes (checked against the SHA-256 recorded at upload)."""
        doc = ctx.s.get(m.Document, document_id)
        owner = ctx.s.get(m.Application, doc.application_id) if doc is not None else None
        if ctx.role == "applicant" and (doc is None or owner is None or not self._owns(ctx, owner.applicant)):
            # a missing document and someone else's get the same answer, naming only the id asked for
            raise AccessDenied(f"document {document_id} is not one of your documents",
                               f"مدرک {document_id} از مدارک شما نیست")
        if doc is None:
            raise NotFound(f"no document {document_id}", f"مدرک {document_id} وجود ندارد")
        self._application(ctx, doc.application_id)
        return document_view(doc), self.files.get(doc.stored_name, doc.sha256)

    @api("read")
    def orphan_files(self, ctx: Ctx) -> tuple[str, ...]:
        """Stored files no document refers to (left by a crash between storing and committing).

        Administrators only; they are harmless and can be deleted.
        """
        self._require_role(ctx, "admin", action_en="inspect the files folder", action_fa="پوشهٔ فایل‌ها را بررسی کند")
        known = set(ctx.s.scalars(select(m.Document.stored_name)))
        return tuple(sorted(self.files.names() - known))
