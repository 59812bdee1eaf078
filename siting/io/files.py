"""Small file helpers shared by the rules, manifest and workflow loaders, and the package's data files."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from siting.errors import InputError


def load_yaml(path: str | Path, *, what: str = "file", error: type[InputError] = InputError) -> object:
    """Read a YAML file; problems raise ``error`` naming the file, line and column."""
    import yaml

    path = Path(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text") from None


def package_file(package: str, name: str) -> Path:
    """A data file shipped inside ``package`` (e.g. the default rules), as a path.

    Found through :mod:`importlib.resources`, so a source tree, an editable install and an
    installed wheel all give the file that ships with the code.

    >>> package_file("siting.rules", "rules.yaml").name
    'rules.yaml'
    >>> package_file("siting.rules", "rules.yaml").is_file()
    True
    """
    return Path(str(files(package).joinpath(name)))

