"""Origin-destination cost matrices from CSV (road travel times, road distances, ...).

In a desert province the road matters more than the crow's flight: a planner
can replace straight-line distances with a cost matrix from any routing tool,
in any unit, and give the service radius in the same unit.

Two layouts are read (UTF-8, with or without BOM; Persian digits accepted):

* **long**: a header with an origin, a destination and a cost column, one
  row per pair; pairs not listed are unreachable::

      origin,destination,cost
      S1,S1,0
      S1,U2,18.5

  Header names accepted: origin / from / origin_id / source; destination /
  to / destination_id / target; cost / time / minutes / distance / value /
  travel_time.
* **wide**: the first column holds origin ids, the header's other cells the
  destination ids; an empty cell (or ``inf``) is unreachable::

      origin,S1,S2,U2
      S1,0,12.5,18.5
      S2,12.5,0,

Origins are demand points (settlement codes); destinations are candidate
sites and existing offices (their ids). Every problem found is reported with
the file, the row (line number in the file) and the field.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from siting.errors import InputError
from siting.text import clean_text, parse_number

ORIGIN_NAMES = ("origin", "from", "origin_id", "source", "o")
DESTINATION_NAMES = ("destination", "to", "destination_id", "target", "d")
COST_NAMES = ("cost", "time", "minutes", "distance", "value", "travel_time", "duration")
MAX_REPORTED = 5


def norm_id(value: object) -> str | None:
    """The form ids are matched in: cleaned text (digits to ASCII, spacing), or None if blank."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = clean_text(str(value))
    return text or None


@dataclass(frozen=True)
class CostMatrix:
    """An origin-destination cost matrix, kept sparse (finite pairs only).

    Attributes
    ----------
    origins, destinations
        Distinct ids (normalised with :func:`norm_id`).
    i, j, cost
        Positions in ``origins`` / ``destinations`` and the cost of each pair.
    source
        The file it was read from.
    layout
        ``long`` or ``wide``.
    unit
        The cost unit if known (e.g. ``min``), for reports.
    """

    origins: np.ndarray
    destinations: np.ndarray
    i: np.ndarray
    j: np.ndarray
    cost: np.ndarray
    source: str
    layout: str
    unit: str = ""

    def __len__(self) -> int:
        return len(self.i)

    def positions(self, ids, axis: str) -> np.ndarray:
        """Position of each id among origins (``axis='origin'``) or destinations; -1 if absent."""
        pool = self.origins if axis == "origin" else self.destinations
        index = pd.Index(pool)
        return index.get_indexer([norm_id(v) for v in ids])

    def submatrix(self, origin_ids, destination_ids) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs between the given origins and destinations, as positions in those lists.

        Ids absent from the matrix simply have no pairs; check them first with
        :meth:`missing`.
        """
        o = self.positions(origin_ids, "origin")
        d = self.positions(destination_ids, "destination")
        o_map = np.full(len(self.origins), -1, np.int64)
        d_map = np.full(len(self.destinations), -1, np.int64)
        o_map[o[o >= 0]] = np.flatnonzero(o >= 0)
        d_map[d[d >= 0]] = np.flatnonzero(d >= 0)
        ii, jj = o_map[self.i], d_map[self.j]
        keep = (ii >= 0) & (jj >= 0)
        return ii[keep], jj[keep], self.cost[keep]

    def missing(self, ids, axis: str) -> list[str]:
        """The ids that do not appear in the matrix as origins / destinations."""
        pos = self.positions(ids, axis)
        return [str(v) for v, p in zip(ids, pos, strict=True) if p < 0]


def _problem(path: Path, row: int | None, field: str | None, reason: str) -> str:
    where = [str(path)]
    if row is not None:
        where.append(f"row {row}")
    if field is not None:
        where.append(f"field {field}")
    return f"{', '.join(where)}: {reason}"


def _raise(problems: list[str]) -> None:
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise InputError(problems[0] + more)


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse strings to floats; returns values and a mask of cells that are not numbers.

    Blank cells and ``inf`` are NaN / inf (unreachable); Persian digits are
    handled by :func:`siting.text.parse_number` for the cells pandas cannot parse.
    """
    s = values.astype(str).str.strip()
    out = np.array(pd.to_numeric(s, errors="coerce"), dtype=float)
    blank = s.eq("").to_numpy()
    todo = np.flatnonzero(np.isnan(out) & ~blank & ~s.str.lower().isin(("nan",)).to_numpy())
    bad = np.zeros(len(s), bool)
    for k in todo:
        try:
            v = parse_number(s.iat[k])
        except ValueError:
            bad[k] = True
            continue
        out[k] = np.nan if v is None else v
    bad |= s.str.lower().eq("nan").to_numpy()
    return out, bad


def read_cost_matrix(path: str | os.PathLike[str], *, unit: str = "") -> CostMatrix:
    """Read an origin-destination cost matrix CSV (long or wide layout, detected).

    Raises
    ------
    InputError
        Naming the file, row and field: unreadable file, empty ids,
        duplicate pairs / rows / columns, costs that are not numbers, NaN or
        negative costs.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "od.csv"
    >>> _ = f.write_text("origin,destination,cost\\nS1,A,5\\nS2,A,۱۲٫۵\\n", encoding="utf-8")
    >>> m = read_cost_matrix(f, unit="min")
    >>> m.layout, list(m.origins), m.cost.tolist()
    ('long', ['S1', 'S2'], [5.0, 12.5])
    >>> _ = f.write_text("origin,destination,cost\\nS1,A,-5\\n", encoding="utf-8")
    >>> read_cost_matrix(f)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    siting.errors.InputError: ...od.csv, row 2, field cost: -5 is negative; costs must be 0 or more
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                         skipinitialspace=True)
    except FileNotFoundError:
        raise InputError(f"{path}: cost matrix file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save the matrix as UTF-8 CSV") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    if df.shape[1] < 2 or not len(df):
        raise InputError(f"{path}: a cost matrix needs a header and at least one row of costs")
    with open(path, encoding="utf-8-sig", newline="") as fh:  # pandas renames repeated headers (A, A.1)
        raw_header = [h.strip() for h in next(csv.reader(fh, skipinitialspace=True), [])]
    if len(raw_header) == df.shape[1]:
        df.columns = raw_header
    header = [(clean_text(c) or "").lower() for c in df.columns]
    roles = {}
    for role, names in (("origin", ORIGIN_NAMES), ("destination", DESTINATION_NAMES), ("cost", COST_NAMES)):
        hit = [k for k, h in enumerate(header) if h in names]
        if hit:
            roles[role] = hit[0]
    if len(df.columns) == 3 and len(roles) == 3:
        return _read_long(path, df, roles, unit)
    return _read_wide(path, df, unit)


def _read_long(path: Path, df: pd.DataFrame, roles: dict[str, int], unit: str) -> CostMatrix:
    cols = list(df.columns)
    o_col, d_col, c_col = (cols[roles[r]] for r in ("origin", "destination", "cost"))
    rownum = np.arange(len(df)) + 2  # line numbers: header is line 1
    problems: list[str] = []
    o = df[o_col].map(norm_id)
    d = df[d_col].map(norm_id)
    for col, ids in ((o_col, o), (d_col, d)):
        for k in np.flatnonzero(ids.isna().to_numpy())[:MAX_REPORTED]:
            problems.append(_problem(path, int(rownum[k]), col, "empty id"))
    cost, bad = _numbers(df[c_col])
    for k in np.flatnonzero(bad)[:MAX_REPORTED]:
        problems.append(_problem(path, int(rownum[k]), c_col, f"{df[c_col].iat[k]!r} is not a number"))
    blank = np.isnan(cost) & ~bad
    for k in np.flatnonzero(blank)[:MAX_REPORTED]:
        problems.append(_problem(path, int(rownum[k]), c_col, "empty cost; leave unreachable pairs out"))
    for k in np.flatnonzero(cost < 0)[:MAX_REPORTED]:
        problems.append(_problem(path, int(rownum[k]), c_col,
                                 f"{df[c_col].iat[k].strip()} is negative; costs must be 0 or more"))
    _raise(sorted(problems, key=_row_of))
    dup = pd.DataFrame({"o": o, "d": d}).duplicated(keep=False).to_numpy()
    if dup.any():
        rows = rownum[dup]
        first = np.flatnonzero(dup)[0]
        raise InputError(_problem(path, int(rows[0]), None,
                                  f"pair {o.iat[first]} -> {d.iat[first]} is listed more than once "
                                  f"(rows {', '.join(map(str, rows[:4]))})"))
    finite = np.isfinite(cost)
    oi, origins = pd.factorize(o)
    dj, dests = pd.factorize(d)
    return CostMatrix(np.asarray(origins, object), np.asarray(dests, object), oi[finite].astype(np.int64),
                      dj[finite].astype(np.int64), cost[finite], str(path), "long", unit)


def _row_of(msg: str) -> int:
    try:
        return int(msg.split("row ", 1)[1].split(",")[0].split(":")[0])
    except (IndexError, ValueError):
        return 0


def _read_wide(path: Path, df: pd.DataFrame, unit: str) -> CostMatrix:
    cols = list(df.columns)
    id_col, dest_cols = cols[0], cols[1:]
    problems: list[str] = []
    dests = [norm_id(c) for c in dest_cols]
    for c, dn in zip(dest_cols, dests, strict=True):
        if dn is None or str(c).startswith("Unnamed:"):
            problems.append(_problem(path, 1, str(c), "empty destination id in the header"))
    seen: dict[str, str] = {}
    for c, dn in zip(dest_cols, dests, strict=True):
        if dn is not None and dn in seen:
            problems.append(_problem(path, 1, str(c), f"destination {dn} appears twice in the header"))
        elif dn is not None:
            seen[dn] = c
    _raise(problems)
    origins = df[id_col].map(norm_id)
    rownum = np.arange(len(df)) + 2
    for k in np.flatnonzero(origins.isna().to_numpy())[:MAX_REPORTED]:
        problems.append(_problem(path, int(rownum[k]), str(id_col), "empty origin id"))
    dup = origins.duplicated(keep="first").to_numpy() & origins.notna().to_numpy()
    for k in np.flatnonzero(dup)[:MAX_REPORTED]:
        problems.append(_problem(path, int(rownum[k]), str(id_col), f"origin {origins.iat[k]} appears twice"))
    values = df[dest_cols]
    flat = values.to_numpy(dtype=object).ravel()
    cost, bad = _numbers(pd.Series(flat, dtype=object))
    n_d = len(dest_cols)
    for k in np.flatnonzero(bad)[:MAX_REPORTED]:
        r, c = divmod(int(k), n_d)
        problems.append(_problem(path, int(rownum[r]), str(dest_cols[c]), f"{flat[k]!r} is not a number"))
    for k in np.flatnonzero(cost < 0)[:MAX_REPORTED]:
        r, c = divmod(int(k), n_d)
        problems.append(_problem(path, int(rownum[r]), str(dest_cols[c]),
                                 f"{str(flat[k]).strip()} is negative; costs must be 0 or more"))
    _raise(sorted(problems, key=_row_of))
    finite = np.flatnonzero(np.isfinite(cost))
    origin_at, dest_at = np.divmod(finite, n_d)
    return CostMatrix(origins.to_numpy(dtype=object), np.asarray(dests, object), origin_at.astype(np.int64),
                      dest_at.astype(np.int64), cost[finite], str(path), "wide", unit)


__all__ = ["CostMatrix", "norm_id", "read_cost_matrix"]
