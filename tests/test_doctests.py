"""Every module's docstring examples run: the library's and the dashboard's view models (Streamlit-free).

Modules are found by walking the packages, so a new module's examples run without being listed here. The
tracker's migration scripts (run by Alembic, not imported) and the ``python -m siting`` entry point are
not walked.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import siting
import ui.views

SKIP = ("siting.__main__", "siting.tracker.migrations")


def _modules(package) -> list[str]:
    names = [package.__name__]
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not any(info.name == s or info.name.startswith(s + ".") for s in SKIP):
            names.append(info.name)
    return sorted(names)


MODULES = _modules(siting) + _modules(ui.views)


def test_the_walk_finds_every_package():
    for name in ("siting.io.readers", "siting.rules.site", "siting.reports.meeting", "siting.samples.synthetic",
                 "siting.optimize.locate", "siting.tracker.workflow", "siting.cli.core", "ui.views.picking"):
        assert name in MODULES
    assert not any(m.startswith("siting.tracker.migrations") for m in MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
