"""Reading OR-Library's uncapacitated p-median instances (Beasley's pmed1-pmed40).

Format: a first line ``nodes edges p``, then one line per undirected edge
``i j cost`` (1-based). The costs of the instance are the graph's
shortest-path distances (Dijkstra, scipy); every node is a demand point of
weight 1 and a candidate site. An edge listed twice keeps its LAST cost: only
this reading reproduces the published optima (the data folder's
PROVENANCE.md).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from siting.errors import InputError


def read_pmed(path: str | Path) -> tuple[np.ndarray, int]:
    """The ``(n, n)`` shortest-path cost matrix and ``p`` of an OR-Library p-median file.

    Raises :class:`~siting.errors.InputError` naming the file and line on a malformed file.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read ({e})") from None
    head = lines[0].split() if lines else []
    try:
        n, _edges, p = (int(v) for v in head)
    except ValueError:
        raise InputError(f"{path}, line 1: expected 'nodes edges p', got {' '.join(head)!r}") from None
    if n < 1 or not 1 <= p <= n:
        raise InputError(f"{path}, line 1: nodes={n}, p={p}: need 1 <= p <= nodes")
    last: dict[tuple[int, int], float] = {}
    for no, line in enumerate(lines[1:], start=2):
        parts = line.split()
        if not parts:
            continue
        try:
            a, b, c = int(parts[0]) - 1, int(parts[1]) - 1, float(parts[2])
        except (ValueError, IndexError):
            raise InputError(f"{path}, line {no}: expected 'i j cost', got {line.strip()!r}") from None
        if not (0 <= a < n and 0 <= b < n) or not np.isfinite(c) or c < 0:
            raise InputError(f"{path}, line {no}: node out of 1..{n} or a negative cost: {line.strip()!r}")
        last[(min(a, b), max(a, b))] = c  # a repeated edge keeps its last cost
    if not last:
        raise InputError(f"{path}: no edges")
    ij = np.array(list(last), np.int64)
    g = sp.csr_matrix((np.fromiter(last.values(), float), (ij[:, 0], ij[:, 1])), shape=(n, n))
    return shortest_path(g, method="D", directed=False), p


def read_optima(path: str | Path) -> dict[str, float]:
    """``instance -> published optimum`` from ``optima.csv`` (columns instance, nodes, p, optimum)."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return {row["instance"]: float(row["optimum"]) for row in csv.DictReader(f)}
    except (OSError, KeyError, ValueError) as e:
        raise InputError(f"{path}: cannot read the optima ({e})") from None


__all__ = ["read_optima", "read_pmed"]
