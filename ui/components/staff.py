"""Small display helpers shared by the tracker's staff pages (agenda, directorate queue)."""

from __future__ import annotations

from ..i18n import STRINGS, t


def audit_action(action: str, lang: str) -> str:
    """An audit entry's action in words (its code when the dashboard has no words for it)."""
    key = f"tracker.staff.action.{action}"
    return t(key, lang) if key in STRINGS else action
