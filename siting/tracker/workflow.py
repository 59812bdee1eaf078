"""The licensing workflow as data: ``siting/tracker/workflow.yaml`` read into frozen objects.

:func:`load_workflow` checks the file and names the step or field that is
wrong (unknown actor, unknown ``needs``, a cycle, an unknown document kind).
:class:`Workflow` answers the questions the tracker asks: which steps an
application has (and which of them are skipped for its licence or applicant
type), who acts on a step (the site visit depends on the county), which
documents a step requires and in what order the steps may be done.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io.files import load_yaml, package_file
from ..text import match_key
from ..vocab import APPLICANT_TYPES, LICENCE_TYPES

#: The directorate's workflow, shipped with the package (package data).
DEFAULT_WORKFLOW_PATH = package_file("siting.tracker", "workflow.yaml")
PHASES: tuple[str, ...] = ("request", "intake", "review", "licensing", "after_licence")
COMPLETED_BY: tuple[str, ...] = ("step", "submit", "decision", "licence")
OUTCOMES: tuple[str, ...] = ("issue", "transfer", "renew", "relocate", "withdraw", "correct", "deputy")
FORMATS: tuple[str, ...] = ("pdf", "jpeg", "png")


class WorkflowError(InputError):
    """The workflow file is malformed; the message names the step and field."""


@dataclass(frozen=True)
class Actor:
    id: str
    fa: str
    en: str


@dataclass(frozen=True)
class RequestType:
    """A kind of request: whether it needs an existing licence and what it does to licences."""

    id: str
    fa: str
    en: str
    needs_licence: bool
    outcome: str


@dataclass(frozen=True)
class DataField:
    """A fact recorded when a step is completed (a registration number, a payment reference)."""

    id: str
    fa: str
    en: str
    required: bool


@dataclass(frozen=True)
class DocumentKind:
    """One row of the guide's documents table, with the checks its files must pass."""

    id: str
    fa: str
    en: str
    per: str  # 'person' or 'application'
    formats: tuple[str, ...]
    applicant_types: tuple[str, ...] = APPLICANT_TYPES
    min_pages: int = 1
    max_pages: int | None = None
    one_image_per_page: bool = False
    min_side_px: int | None = None
    skip_if_exempt: bool = False


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    min_scan_dpi: float


@dataclass(frozen=True)
class StepDef:
    """One step of the workflow (see the header of ``siting/tracker/workflow.yaml``)."""

    id: str
    phase: str
    fa: str
    en: str
    actor: str
    needs: tuple[str, ...]
    licence_types: tuple[str, ...]
    applicant_types: tuple[str, ...]
    request_types: tuple[str, ...]
    completed_by: str = "step"
    documents: tuple[str, ...] = ()
    data: tuple[DataField, ...] = ()
    due_days: int | None = None
    actor_by_county: Mapping[str, str] = field(default_factory=dict)
    guide: str = ""

    def title(self, lang: str = "fa") -> str:
        return self.fa if lang == "fa" else self.en


@dataclass(frozen=True)
class Workflow:
    """The whole workflow file, checked."""

    actors: Mapping[str, Actor]
    phases: Mapping[str, tuple[str, str]]
    request_types: Mapping[str, RequestType]
    documents: Mapping[str, DocumentKind]
    steps: tuple[StepDef, ...]
    limits: Limits
    source: str = ""

    def __post_init__(self) -> None:
        # lookup tables, derived once (the dataclass stays frozen for callers)
        object.__setattr__(self, "_by_id", {s.id: s for s in self.steps})
        object.__setattr__(self, "_by_request", {
            rt: tuple(s for s in self.steps if rt in s.request_types) for rt in self.request_types})
        object.__setattr__(self, "_ids_by_request", {
            rt: frozenset(s.id for s in steps) for rt, steps in self._by_request.items()})  # type: ignore[attr-defined]

    def step(self, step_id: str) -> StepDef:
        """The step ``step_id``; :class:`KeyError` if there is none."""
        return self._by_id[step_id]  # type: ignore[attr-defined]

    def steps_for(self, request_type: str) -> tuple[StepDef, ...]:
        """The steps that make up a request of this type, in file order."""
        return self._by_request.get(request_type, ())  # type: ignore[attr-defined]

    def has_step(self, request_type: str, step_id: str) -> bool:
        """True if ``step_id`` is part of a request of this type."""
        return step_id in self._ids_by_request.get(request_type, ())  # type: ignore[attr-defined]

    def applies(self, step: StepDef, licence_type: str, applicant_type: str) -> bool:
        """False if the step is skipped for this licence or applicant type (e.g. urban-only steps)."""
        return licence_type in step.licence_types and applicant_type in step.applicant_types

    def actor_for(self, step: StepDef, county: str | None) -> str:
        """Who acts on ``step`` for a site in ``county`` (the site visit: Birjand's secretariat)."""
        if county and step.actor_by_county:
            key = match_key(county)
            for name, actor in step.actor_by_county.items():
                if match_key(name) == key:
                    return actor
        return step.actor

    def review_step(self, request_type: str) -> StepDef:
        """The review step (working group or directorate) of a request type."""
        for s in self.steps_for(request_type):
            if s.completed_by == "decision":
                return s
        raise WorkflowError(f"{self.source}: request type {request_type} has no review step")

    def document_kinds(self, applicant_type: str, step: StepDef) -> tuple[DocumentKind, ...]:
        """The document kinds ``step`` requires from an applicant of this type."""
        return tuple(self.documents[d] for d in step.documents
                     if applicant_type in self.documents[d].applicant_types)

    def documents_asked_of(self, applicant_type: str) -> tuple[DocumentKind, ...]:
        """Every document kind asked of an applicant of this type, in the file's order: what a
        return may ask the applicant to upload again (a company's statute is not asked of a person).

        >>> wf = load_workflow()
        >>> [k.id for k in wf.documents_asked_of("natural")][:2]
        ['national_card', 'birth_certificate']
        >>> "statute" in [k.id for k in wf.documents_asked_of("natural")]
        False
        >>> "statute" in [k.id for k in wf.documents_asked_of("legal")]
        True
        """
        return tuple(k for k in self.documents.values() if applicant_type in k.applicant_types)

    def actor_label(self, actor: str, lang: str = "fa") -> str:
        a = self.actors.get(actor)
        return actor if a is None else (a.fa if lang == "fa" else a.en)


def load_workflow(path: str | os.PathLike[str] | None = None) -> Workflow:
    """Read and check a workflow file.

    ``path`` defaults to ``$SITING_WORKFLOW`` or the workflow shipped with the package (``siting/tracker/workflow.yaml``).
    Raises :class:`WorkflowError` naming the step and field when something is wrong.
    """
    path = Path(path or os.environ.get("SITING_WORKFLOW") or DEFAULT_WORKFLOW_PATH)
    raw = load_yaml(path, what="workflow file", error=WorkflowError)
    if not isinstance(raw, Mapping):
        raise WorkflowError(f"{path}: expected a mapping with actors, request_types, documents, steps")
    src = str(path)

    def section(name: str) -> Mapping[str, Any]:
        value = raw.get(name)
        if not isinstance(value, Mapping) or not value:
            raise WorkflowError(f"{src}: section '{name}' is missing or empty")
        return value

    actors = {k: Actor(k, _text(src, f"actors.{k}", v, "fa"), _text(src, f"actors.{k}", v, "en"))
              for k, v in section("actors").items()}
    phases = {k: (_text(src, f"phases.{k}", v, "fa"), _text(src, f"phases.{k}", v, "en"))
              for k, v in section("phases").items()}
    if tuple(phases) != PHASES:
        raise WorkflowError(f"{src}: phases must be {', '.join(PHASES)} in this order")
    rtypes = {}
    for k, v in section("request_types").items():
        where = f"request_types.{k}"
        if v.get("licence") not in ("none", "required"):
            raise WorkflowError(f"{src}: {where}.licence must be 'none' or 'required'")
        if v.get("outcome") not in OUTCOMES:
            raise WorkflowError(f"{src}: {where}.outcome must be one of {', '.join(OUTCOMES)}")
        rtypes[k] = RequestType(k, _text(src, where, v, "fa"), _text(src, where, v, "en"),
                                v["licence"] == "required", v["outcome"])
    lim = section("limits")
    try:
        limits = Limits(int(lim["max_bytes"]), int(lim["max_pixels"]), float(lim["min_scan_dpi"]))
    except (KeyError, TypeError, ValueError):
        raise WorkflowError(f"{src}: limits needs max_bytes, max_pixels and min_scan_dpi numbers") from None
    documents = {k: _document(src, k, v) for k, v in section("documents").items()}
    raw_steps = raw.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise WorkflowError(f"{src}: section 'steps' is missing or empty")
    steps = tuple(_step(src, i, s, actors, rtypes, documents) for i, s in enumerate(raw_steps))
    wf = Workflow(actors, phases, rtypes, documents, steps, limits, src)
    _check_graph(wf)
    return wf


def _text(src: str, where: str, raw: Any, key: str) -> str:
    if not isinstance(raw, Mapping) or not isinstance(raw.get(key), str) or not raw[key].strip():
        raise WorkflowError(f"{src}: {where}.{key} is missing (every entry has Persian and English text)")
    return raw[key].strip()


def _strings(src: str, where: str, value: Any, allowed: Iterable[str] | None = None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WorkflowError(f"{src}: {where} must be a list of names")
    if allowed is not None:
        allowed = tuple(allowed)
        bad = [v for v in value if v not in allowed]
        if bad:
            raise WorkflowError(f"{src}: {where}: unknown {', '.join(bad)}; expected some of {', '.join(allowed)}")
    return tuple(value)


def _document(src: str, key: str, raw: Any) -> DocumentKind:
    where = f"documents.{key}"
    per = raw.get("per") if isinstance(raw, Mapping) else None
    if per not in ("person", "application"):
        raise WorkflowError(f"{src}: {where}.per must be 'person' or 'application'")
    formats = _strings(src, f"{where}.formats", raw.get("formats"), FORMATS)
    if not formats:
        raise WorkflowError(f"{src}: {where}.formats is empty")
    atypes = _strings(src, f"{where}.applicant_types", raw.get("applicant_types"), APPLICANT_TYPES)
    try:
        return DocumentKind(
            id=key, fa=_text(src, where, raw, "fa"), en=_text(src, where, raw, "en"), per=per,
            formats=formats, applicant_types=atypes or APPLICANT_TYPES,
            min_pages=int(raw.get("min_pages", 1)),
            max_pages=None if raw.get("max_pages") is None else int(raw["max_pages"]),
            one_image_per_page=bool(raw.get("one_image_per_page", False)),
            min_side_px=None if raw.get("min_side_px") is None else int(raw["min_side_px"]),
            skip_if_exempt=bool(raw.get("skip_if_exempt", False)),
        )
    except (TypeError, ValueError):
        raise WorkflowError(f"{src}: {where}: page and pixel limits must be whole numbers") from None


def _step(src: str, i: int, raw: Any, actors: Mapping[str, Actor], rtypes: Mapping[str, RequestType],
          documents: Mapping[str, DocumentKind]) -> StepDef:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        raise WorkflowError(f"{src}: steps[{i}] has no id")
    sid = raw["id"]
    where = f"steps.{sid}"
    if raw.get("phase") not in PHASES:
        raise WorkflowError(f"{src}: {where}.phase must be one of {', '.join(PHASES)}")
    if raw.get("actor") not in actors:
        raise WorkflowError(f"{src}: {where}.actor {raw.get('actor')!r} is not one of the actors")
    by_county = raw.get("actor_by_county") or {}
    if not isinstance(by_county, Mapping) or any(v not in actors for v in by_county.values()):
        raise WorkflowError(f"{src}: {where}.actor_by_county must map county names to actors")
    completed_by = raw.get("completed_by", "step")
    if completed_by not in COMPLETED_BY:
        raise WorkflowError(f"{src}: {where}.completed_by must be one of {', '.join(COMPLETED_BY)}")
    applies = raw.get("applies_to") or {}
    if not isinstance(applies, Mapping) or set(applies) - {"licence_types", "applicant_types", "request_types"}:
        raise WorkflowError(f"{src}: {where}.applies_to takes licence_types, applicant_types, request_types")
    data = raw.get("data") or {}
    if not isinstance(data, Mapping):
        raise WorkflowError(f"{src}: {where}.data must map field names to their labels")
    due = raw.get("due_days")
    if due is not None and (not isinstance(due, int) or due <= 0):
        raise WorkflowError(f"{src}: {where}.due_days must be a positive whole number")
    return StepDef(
        id=sid, phase=raw["phase"], fa=_text(src, where, raw, "fa"), en=_text(src, where, raw, "en"),
        actor=raw["actor"],
        needs=_strings(src, f"{where}.needs", raw.get("needs")),
        licence_types=_strings(src, f"{where}.applies_to.licence_types", applies.get("licence_types"),
                               LICENCE_TYPES) or LICENCE_TYPES,
        applicant_types=_strings(src, f"{where}.applies_to.applicant_types",
                                 applies.get("applicant_types"), APPLICANT_TYPES) or APPLICANT_TYPES,
        request_types=_strings(src, f"{where}.applies_to.request_types", applies.get("request_types"),
                               rtypes) or tuple(rtypes),
        completed_by=completed_by,
        documents=_strings(src, f"{where}.documents", raw.get("documents"), documents),
        data=tuple(DataField(k, _text(src, f"{where}.data.{k}", v, "fa"), _text(src, f"{where}.data.{k}", v, "en"),
                             bool(v.get("required", False))) for k, v in data.items()),
        due_days=due,
        actor_by_county=dict(by_county),
        guide=str(raw.get("guide", "")),
    )


def _check_graph(wf: Workflow) -> None:
    ids = [s.id for s in wf.steps]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise WorkflowError(f"{wf.source}: step ids repeated: {', '.join(sorted(dup))}")
    for s in wf.steps:
        for n in s.needs:
            if n not in ids:
                raise WorkflowError(f"{wf.source}: steps.{s.id}.needs: unknown step {n!r}")
            if PHASES.index(wf.step(n).phase) > PHASES.index(s.phase):
                raise WorkflowError(f"{wf.source}: steps.{s.id} needs {n}, which comes in a later phase")
    # no cycles: depth-first search with colours
    state: dict[str, int] = {}

    def visit(sid: str, path: tuple[str, ...]) -> None:
        if state.get(sid) == 2:
            return
        if state.get(sid) == 1:
            raise WorkflowError(f"{wf.source}: steps form a cycle: {' -> '.join((*path, sid))}")
        state[sid] = 1
        for n in wf.step(sid).needs:
            visit(n, (*path, sid))
        state[sid] = 2

    for sid in ids:
        visit(sid, ())
    for rt in wf.request_types:
        reviews = [s.id for s in wf.steps_for(rt) if s.completed_by == "decision"]
        finals = [s.id for s in wf.steps_for(rt) if s.completed_by == "licence"]
        submits = [s.id for s in wf.steps_for(rt) if s.completed_by == "submit"]
        if len(reviews) != 1 or len(finals) != 1 or len(submits) != 1:
            raise WorkflowError(
                f"{wf.source}: request type {rt} needs exactly one submit step, one review step (decision) "
                f"and one licence step; it has {submits}, {reviews}, {finals}")


__all__ = [
    "DEFAULT_WORKFLOW_PATH",
    "PHASES",
    "Actor",
    "DataField",
    "DocumentKind",
    "Limits",
    "RequestType",
    "StepDef",
    "Workflow",
    "WorkflowError",
    "load_workflow",
]
