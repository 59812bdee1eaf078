"""siting.permissions: the one table of who may do what, and require()."""

from __future__ import annotations

import pytest

from siting import permissions as p
from siting.errors import InputError, SitingError
from siting.samples.hand import hand_workspace
from siting.tracker.terms import ROLES as ACCOUNT_ROLES
from siting.workspace import Workspace


def test_the_roles_are_the_accounts_roles_and_the_public_visitor():
    assert set(p.ROLES) == {p.PUBLIC, *ACCOUNT_ROLES}
    assert set(p.ROLE_ACTIONS) == set(p.ROLES) == set(p.ROLE_LABELS)
    assert "data_steward" in ACCOUNT_ROLES
    for role, actions in p.ROLE_ACTIONS.items():
        assert actions <= set(p.ACTIONS), role
    assert all(p.roles_for(a) for a in p.ACTIONS)  # every action is someone's


def test_the_table_says_who_may_change_the_data():
    for action in (p.IMPORT_WORKSPACE, p.EDIT_RULES, p.EDIT_WORKFLOW):
        assert p.roles_for(action) == ("data_steward", "admin")
    assert p.roles_for(p.VIEW_PUBLIC) == p.ROLES  # everyone, the visitor too
    assert p.ROLE_ACTIONS[p.PUBLIC] == {p.VIEW_PUBLIC}  # and nothing else
    assert p.roles_for(p.READ_APPLICATIONS) == (
        "expert",
        "wg_member",
        "admin",
    )  # not the data steward
    assert p.roles_for(p.MANAGE_ACCOUNTS) == ("admin",)
    assert p.roles_for(p.DECIDE_IN_WORKING_GROUP) == ("wg_member",)
    assert p.roles_for(p.PROCESS_APPLICATIONS) == ("expert",)
    assert not any(a.writes for a in map(p.ACTIONS.get, p.ROLE_ACTIONS[p.PUBLIC]))


@pytest.mark.parametrize(
    "who",
    [
        None,
        p.VISITOR,
        p.Principal("x", "applicant"),
        p.Principal("x", "expert"),
        p.Principal("x", "wg_member"),
        p.Principal("x", "superuser"),
        object(),
    ],
)
def test_require_refuses_everyone_but_steward_and_admin_to_import(who):
    with pytest.raises(p.PermissionDenied) as info:
        p.require(who, p.IMPORT_WORKSPACE)
    err = info.value
    assert isinstance(err, SitingError) and isinstance(err, PermissionError)
    assert err.action == p.IMPORT_WORKSPACE and err.allowed_roles == ("data_steward", "admin")
    assert "sign in as data steward or administrator" in err.message("en")
    assert "با حساب متصدی داده یا مدیر سامانه وارد شوید" in err.message("fa")
    assert str(err) == f"{err.message_en} / {err.message_fa}"


def test_require_returns_who_may():
    steward, admin = p.Principal("s", "data_steward"), p.Principal("a", "admin")
    assert p.require(steward, p.IMPORT_WORKSPACE) is steward
    assert p.require(admin, p.EDIT_RULES) is admin
    assert p.require(None, p.VIEW_PUBLIC) is p.VISITOR
    assert p.require(p.LOCAL_OPERATOR, p.IMPORT_WORKSPACE) is p.LOCAL_OPERATOR
    with pytest.raises(p.PermissionDenied, match="may not read every application"):
        p.require(
            p.LOCAL_OPERATOR, p.READ_APPLICATIONS
        )  # the local operator has a steward's rights only


def test_the_visitor_message_names_the_visitor():
    with pytest.raises(p.PermissionDenied) as info:
        p.require(None, p.EDIT_WORKFLOW)
    assert info.value.message("en").startswith(
        "the public visitor (not signed in) may not edit the workflow"
    )
    assert info.value.role == p.PUBLIC


def test_an_unknown_action_is_named_not_a_traceback():
    with pytest.raises(InputError, match="action: unknown action 'fly'"):
        p.require(p.LOCAL_OPERATOR, "fly")
    with pytest.raises(InputError, match="action"):
        p.roles_for("fly")


def test_save_workspace_writes_only_for_steward_or_admin(tmp_path):
    path = tmp_path / "ws.gpkg"
    ws = hand_workspace()
    with pytest.raises(p.PermissionDenied):
        p.save_workspace(None, ws, path)
    with pytest.raises(p.PermissionDenied):
        p.save_workspace(p.Principal("e", "expert"), ws, path)
    assert not path.exists()  # nothing written
    assert p.save_workspace(p.Principal("s", "data_steward"), ws, path) == path
    assert len(Workspace.load(path).offices) == len(ws.offices)


def test_the_docs_show_the_table():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text(encoding="utf-8")
    assert "## Who may do what" in doc
    assert p.markdown_table() in doc
