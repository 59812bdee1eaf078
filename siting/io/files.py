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



def write_private(path: str | Path, data: bytes, *, sync: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically, readable by this user only (mode 0600).

    A temporary file beside the target (created by :func:`tempfile.mkstemp`, 0600), flushed (and
    fsynced with ``sync``), then renamed over ``path``: a reader sees the old file or the new one,
    never half of one; the temporary file is removed on any failure.
    """
    import os
    import tempfile

    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
