"""Small file helpers shared by the rules, manifest and workflow loaders."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError


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
