"""The workflow file: what it holds, and the messages for a broken one."""

from __future__ import annotations

import re

import pytest
import yaml

from siting.tracker.workflow import DEFAULT_WORKFLOW_PATH, WorkflowError, load_workflow


def test_the_guides_workflow(workflow):
    licensing = [s for s in workflow.steps_for("new") if s.phase == "licensing" and s.completed_by == "step"]
    assert len(licensing) == 14  # the guide's fourteen steps after the working group's approval
    urban_only = {s.id for s in workflow.steps if s.licence_types == ("urban",)}
    assert urban_only == {"company_registration", "tax_registration"}
    assert [s.id for s in workflow.steps_for("new") if s.phase in ("request", "intake", "review")] == [
        "principles", "request", "intake", "wg_review"]
    assert [s.id for s in workflow.steps_for("new") if s.phase == "after_licence"] == [
        "union_membership", "deputy_introduction", "sign_and_stamp", "equipment", "training"]
    assert set(workflow.request_types) == {"new", "transfer", "renewal", "change_of_address", "withdrawal",
                                           "correction", "deputy", "conversion"}
    assert {s.actor for s in workflow.steps} == {"applicant", "directorate", "working_group", "governor",
                                                 "regulator", "union"}
    visit = workflow.step("site_visit")
    assert workflow.actor_for(visit, "بيرجند") == "wg_secretariat"  # Arabic yeh still matches
    assert workflow.actor_for(visit, "قائنات") == "governor" and workflow.actor_for(visit, None) == "governor"
    documents = workflow.step("documents").documents
    assert {"national_card", "birth_certificate", "military_service_card", "no_criminal_record", "photo",
            "statute", "founding_notice"} == set(documents)
    legal_only = {d.id for d in workflow.documents.values() if d.applicant_types == ("legal",)}
    assert legal_only == {"statute", "founding_notice", "commitment_form"}
    # the commitment form: stamped with the company seal for a company, signed by the applicant for a person
    natural_only = {d.id for d in workflow.documents.values() if d.applicant_types == ("natural",)}
    assert natural_only == {"commitment_form_personal"}
    step = workflow.step("commitment_form")
    assert [k.id for k in workflow.document_kinds("natural", step)] == ["commitment_form_personal"]
    assert [k.id for k in workflow.document_kinds("legal", step)] == ["commitment_form"]
    assert "مهر" not in workflow.documents["commitment_form_personal"].fa and "مهر" not in step.fa
    assert workflow.documents["birth_certificate"].one_image_per_page
    assert all(s.fa and s.en for s in workflow.steps)


@pytest.mark.parametrize(("change", "message"), [
    (lambda w: w["steps"][2].update(actor="mayor"), "steps.intake.actor 'mayor' is not one of the actors"),
    (lambda w: w["steps"][2].update(needs=["nothing"]), "steps.intake.needs: unknown step 'nothing'"),
    (lambda w: w["steps"][0].update(needs=["intake"]), "steps.principles needs intake, which comes in a later"),
    (lambda w: w["steps"][1].update(needs=["principles", "request"]), "cycle: request -> request"),
    (lambda w: w["steps"][3].pop("fa"), "steps.wg_review.fa is missing"),
    (lambda w: w["steps"][6].update(documents=["passport"]), "steps.tax_registration.documents: unknown passport"),
    (lambda w: w["documents"]["photo"].update(formats=["gif"]), "documents.photo.formats: unknown gif"),
    (lambda w: w["steps"][3].update(completed_by="step"), "request type new needs exactly one submit step, one review"),
])
def test_a_broken_workflow_file_names_what_is_wrong(tmp_path, change, message):
    raw = yaml.safe_load(DEFAULT_WORKFLOW_PATH.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "workflow.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(WorkflowError, match=re.escape(message)):
        load_workflow(path)


def test_unreadable_workflow_files(tmp_path):
    with pytest.raises(WorkflowError, match="not found"):
        load_workflow(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: [\n", encoding="utf-8")
    with pytest.raises(WorkflowError, match="not valid YAML at line"):
        load_workflow(bad)
