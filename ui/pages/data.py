"""Data: where the workspace's data came from (public), and importing a file with its row-by-row report
shown before anything is written; a confirmation then saves the workspace atomically.

Importing is for a signed-in data steward or administrator (:data:`siting.permissions.ROLE_ACTIONS`):
anyone else sees the provenance and a message saying whom to sign in as, and no upload or save controls.
The save itself asks the tracker whether the account still has the right and goes through
:func:`siting.permissions.save_workspace`, which checks it again."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from siting import fmt, permissions, versions
from siting.errors import InputError
from siting.io.importer import ImportOptions
from siting.permissions import IMPORT_WORKSPACE, PermissionDenied
from siting.tracker import TrackerError
from siting.vocab import label
from siting.wslock import StaleWorkspaceError
from ui import state
from ui.components import layout, signin, tables
from ui.i18n import error_text, import_field, import_note, import_reason, register_changes, t
from ui.views.upload import ACCEPTED_EXTENSIONS, MAX_UPLOAD_BYTES, prepare_upload

PENDING_KEY = "data.pending"  # dict: fingerprint, data key, new workspace, report
MESSAGE_KEY = "data.message"  # (kind, text) of the last save or refusal, shown once
NONCE_KEY = "data.upload_nonce"  # a new uploader after each save or cancel
REAUTH_KEY = "data.reauth"  # why the person was signed out (shown once above the sign-in form)
REPLACE_OK_KEY = "data.replace_ok"  # the second confirmation a replacing import needs
RESTORE_OK_KEY = "data.restore_ok"
APPENDABLE = ("offices", "settlements")


def _finish(kind: str | None = None, text: str | None = None) -> None:
    st.session_state.pop(PENDING_KEY, None)
    st.session_state[NONCE_KEY] = st.session_state.get(NONCE_KEY, 0) + 1
    if kind:
        st.session_state[MESSAGE_KEY] = (kind, text)


def _confirm() -> None:
    """Save the checked workspace, unless the file changed since the check (then nothing is written)."""
    lang_ = state.lang()
    p = st.session_state.get(PENDING_KEY)
    if p is None:
        return
    who = signin.current()
    try:
        if state.data_key() != p["key"]:
            _finish("error", t("data.stale", lang_))
            return
        if p["replaces"] is not None and not st.session_state.get(REPLACE_OK_KEY):
            _finish("error", t("data.replace_needs_ok", lang_))  # the second confirmation, checked here too
            return
        trk = signin.tracker()
        if trk is None:  # the reason is shown by signin.tracker(); nothing is written without it
            raise PermissionDenied(IMPORT_WORKSPACE, permissions.role_of(who))
        trk.authorize(who, IMPORT_WORKSPACE)  # the account, as the database has it now
        permissions.save_workspace(who, p["workspace"], p["key"].workspace.path)  # keeps the version before
    except (TrackerError, PermissionDenied) as exc:
        _finish("error", error_text(exc, lang_))
        return
    except StaleWorkspaceError:  # another process saved between the check above and the lock
        _finish("error", t("data.stale", lang_))
        return
    except OSError as exc:
        _finish("error", f"{t('app.unexpected', lang_)} ({exc})")
        return
    report = p["report"]
    _finish("success", t("data.saved_ok", lang_, imported=fmt.number(report.imported, lang_),
                         layer=t(f"data.layer.{report.layer}", lang_)))


lang = state.lang()
key, ws, rules = state.current()
layout.page_header(ws, "page.data", "data.intro")

# -- provenance ------------------------------------------------------------------------------------
st.subheader(t("data.provenance", lang))
summary = ws.summary()
(st.warning if ws.is_sample else st.success)(t("data.kind_sample" if ws.is_sample else "data.kind_real", lang))
st.markdown(t("data.counts", lang, **{k: fmt.number(summary[k], lang) for k in (
    "counties", "settlements", "cities", "villages", "offices")}, serving=fmt.number(summary["serving_offices"], lang)))
c1, c2, c3 = st.columns(3)
c1.markdown(f"**{t('data.path', lang)}**  \n`{ws.path}`")
c2.markdown(f"**{t('data.created', lang)}**  \n{tables.cell(ws.meta.get('created'), 'date', lang)}")
c3.markdown(f"**{t('data.saved', lang)}**  \n{tables.cell(ws.meta.get('saved'), 'date', lang)}")
sources = pd.DataFrame(summary["sources"] or [], columns=["layer", "file", "source", "sample"])
st.markdown(f"**{t('data.sources', lang)}**")
tables.show(sources, [tables.Col("layer", "data.col.layer", "key:data.layer"), tables.Col("file", "data.col.file"),
                      tables.Col("source", "data.col.source"), tables.Col("sample", "data.col.sample", "bool")], lang)
st.markdown(f"**{t('data.imports', lang)}**")
imports = ws.imports.copy()
if len(imports):
    imports["file"] = [str(f).replace("\\", "/").rsplit("/", 1)[-1] for f in imports["file"]]
    imports = imports.iloc[::-1]
tables.show(imports, [tables.Col("time", "data.col.time", "date"),
                      tables.Col("layer", "data.col.layer", "key:data.layer"),
                      tables.Col("file", "data.col.file"), tables.Col("rows_imported", "data.col.rows_imported", "int"),
                      tables.Col("rows_rejected", "data.col.rows_rejected", "int"), tables.Col("mode", "data.col.mode", "key:data.mode"),
                      tables.Col("source", "data.col.source")], lang)
notes = [n["fa" if lang == "fa" else "en"] for n in summary["population_notes"] if isinstance(n, dict)]
if notes or ws.meta.get("attribution"):
    with st.expander(t("data.notes", lang)):
        for n in notes:
            st.markdown(f"- {n}")
        if ws.meta.get("attribution"):
            st.markdown(f"**{t('data.attribution', lang)}:** {ws.meta['attribution']}")

# -- import (data steward or administrator) ---------------------------------------------------------
st.subheader(t("data.import", lang))
if permissions.allowed(signin.current(), IMPORT_WORKSPACE):
    # the account as the database has it now (deactivated, another role) and an identity the tracker of
    # this workspace issued (saving the workspace opens a new tracker): else sign out and say why
    trk_ = signin.tracker()
    try:
        if trk_ is None:
            raise PermissionDenied(IMPORT_WORKSPACE, permissions.role_of(signin.current()))
        trk_.authorize(signin.current(), IMPORT_WORKSPACE)
    except (TrackerError, PermissionDenied) as exc:
        signin.sign_out()
        st.session_state[REAUTH_KEY] = error_text(exc, lang)
message = st.session_state.pop(MESSAGE_KEY, None)
if message:
    (st.success if message[0] == "success" else st.error)(message[1])
if reauth := st.session_state.pop(REAUTH_KEY, None):
    st.warning(reauth)
if not permissions.allowed(signin.current(), IMPORT_WORKSPACE):
    st.info(t("data.steward_only", lang), icon=":material/lock:")
    st.session_state.pop(PENDING_KEY, None)
if signin.require_user(permissions.roles_for(IMPORT_WORKSPACE)) is None:
    st.stop()
layer = st.selectbox(t("data.layer", lang), ("offices", "settlements", "counties", "districts", "rural_districts",
                                             "region"), key="data.layer",
                     format_func=lambda v: t(f"data.layer.{v}", lang))
c1, c2, c3 = st.columns(3)
# adding to a layer is the default; replacing it is a choice that says what it replaces and asks twice
append = c1.checkbox(t("data.append", lang), value=True, key="data.append", disabled=layer not in APPENDABLE)
strict = c2.checkbox(t("data.strict", lang), key="data.strict")
fix_swapped = c3.checkbox(t("data.fix_swapped", lang), key="data.fix_swapped")
c1, c2 = st.columns(2)
crs = c1.text_input(t("data.crs", lang), key="data.crs").strip() or None
default_type = default_kind = None
if layer == "offices":
    default_type = c2.selectbox(t("data.default_type", lang), (None, "urban", "rural"), key="data.default_type",
                                format_func=lambda v: t("word.not_given", lang) if v is None else label(v, lang))
elif layer == "settlements":
    default_kind = c2.selectbox(t("data.default_kind", lang), (None, "city", "village"), key="data.default_kind",
                                format_func=lambda v: t("word.not_given", lang) if v is None else label(v, lang))
update = False
if layer == "offices":
    update = st.checkbox(t("data.update", lang), key="data.update", help=t("data.update_help", lang))
upload = st.file_uploader(layout.limit_label(t("data.file", lang), MAX_UPLOAD_BYTES, lang),
                          type=[e.lstrip(".") for e in ACCEPTED_EXTENSIONS],
                          key=f"data.upload.{st.session_state.get(NONCE_KEY, 0)}",
                          max_upload_size=layout.upload_limit_mb(MAX_UPLOAD_BYTES))

if upload is None:
    st.session_state.pop(PENDING_KEY, None)
else:
    data = upload.getvalue()
    options = ImportOptions(crs=crs, strict=strict, fix_swapped=fix_swapped,
                            append=append and layer in ("offices", "settlements") and not update,
                            update=update, licence_type=default_type, kind=default_kind)
    fingerprint = (upload.name, state.digest(data), layer, options, key)
    pending = st.session_state.get(PENDING_KEY)
    if pending is None or pending["fingerprint"] != fingerprint:
        st.session_state.pop(PENDING_KEY, None)
        pending = None
        with layout.errors_shown("data.file_error"):
            new_ws, report = prepare_upload(ws, layer, upload.name, data, options)
            replacing = not (options.append or options.update)
            pending = {"fingerprint": fingerprint, "key": key, "workspace": new_ws, "report": report,
                       "changed": new_ws is not ws,
                       "replaces": len(getattr(ws, layer)) if replacing and new_ws is not ws else None}
            st.session_state.pop(REPLACE_OK_KEY, None)
            st.session_state[PENDING_KEY] = pending

    if pending is not None:
        report = pending["report"]
        st.markdown(f"**{t('data.report', lang, file=report.file)}**")
        st.markdown(t("data.report_counts", lang, read=fmt.number(report.rows_read, lang),
                      imported=fmt.number(report.imported, lang), rejected=fmt.number(report.rejected, lang),
                      warnings=fmt.number(len(report.warnings), lang)))
        for note in report.notes:
            st.caption(import_note(note, lang))
        if report.changes is not None:  # a version of the office register: what it changes
            st.markdown(t("data.changes", lang, **{k: fmt.number(v, lang) for k, v in report.changes.counts().items()}))
            lines = register_changes(report.changes, lang, limit=20)
            if lines:
                st.caption("\n\n".join(lines))
        if report.issues:
            st.dataframe(pd.DataFrame([{
                t("data.col.row", lang): fmt.number(i.row, lang) if i.row else "—",
                t("data.col.severity", lang): t(f"data.severity.{i.severity}", lang),
                t("data.col.field", lang): import_field(i.field, lang),
                t("data.col.reason", lang): import_reason(i.reason, lang, code=i.code, params=i.params),
            } for i in report.issues]), hide_index=True, width="stretch")
        if not pending["changed"]:
            st.error(t("data.nothing_importable", lang))
        else:
            replaces = pending.get("replaces")
            ok = True
            if replaces is not None:
                names = {"layer": t(f"data.layer.{layer}", lang), "old": fmt.number(replaces, lang),
                         "new": fmt.number(len(getattr(pending["workspace"], layer)), lang)}
                st.warning(t("data.replace_warning", lang, **names), icon=":material/warning:")
                ok = st.checkbox(t("data.replace_ok", lang, **names), key=REPLACE_OK_KEY)
            c1, c2 = st.columns(2)
            c1.button(t("data.confirm", lang), type="primary", on_click=_confirm, key="data.confirm", disabled=not ok)
            c2.button(t("data.cancel", lang), on_click=_finish, key="data.cancel")

# -- restore an earlier version (kept by every save above) -------------------------------------------
st.subheader(t("data.restore", lang))
kept = versions.list_versions(ws.path)
if not kept:
    st.info(t("data.restore_none", lang))
else:
    def _describe(v: versions.Version) -> str:
        try:
            old = state.kept_version_summary(str(v.path), v.path.stat().st_mtime_ns)
        except (OSError, ValueError):
            old = {"offices": "—", "settlements": "—"}
        return t("data.restore_choice", lang, time=tables.cell(v.kept_at.isoformat(), "date", lang),
                 **{k: fmt.number(n, lang) if isinstance(n, int) else n for k, n in old.items()})

    names_ = {v.name: v for v in kept}
    chosen = st.selectbox(t("data.restore_pick", lang), list(names_), key="data.restore_pick",
                          format_func=lambda n: _describe(names_[n]))
    sure = st.checkbox(t("data.restore_ok", lang), key=RESTORE_OK_KEY)
    if st.button(t("data.restore_button", lang), key="data.restore_button", disabled=not sure):
        who = signin.current()
        try:
            trk = signin.tracker()
            if trk is None:
                raise PermissionDenied(IMPORT_WORKSPACE, permissions.role_of(who))
            permissions.restore_workspace(who, ws.path, chosen,
                                          check=lambda: trk.authorize(who, IMPORT_WORKSPACE))
        except (TrackerError, PermissionDenied, InputError) as exc:
            _finish("error", error_text(exc, lang))
        except (StaleWorkspaceError, OSError):
            _finish("error", t("data.stale", lang))
        else:
            st.session_state.pop(RESTORE_OK_KEY, None)
            _finish("success", t("data.restored", lang, time=tables.cell(names_[chosen].kept_at.isoformat(), "date", lang)))
        st.rerun()
