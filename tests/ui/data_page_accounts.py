"""Accounts for the Data page's tests: the page writes the workspace only for a signed-in data
steward or administrator (siting.permissions), so its tests sign in through the real form."""

from __future__ import annotations

from apptest_helpers import assert_clean

from ui.i18n import t

PASSWORD = "a long test passphrase"


def sign_in(at, user: str):
    at.text_input(key="tracker.signin.username").input(user)
    at.text_input(key="tracker.signin.password").input(PASSWORD)
    at.button(key=f"FormSubmitter:tracker.signin-{t('tracker.signin')}").click().run()
    assert_clean(at)
    return at
