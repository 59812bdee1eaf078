"""Origin-destination cost matrices: both layouts, and errors that name the file, row and field."""

from __future__ import annotations

import numpy as np
import pytest

from siting.errors import InputError
from siting.optimize import SitingProblem, mclp, read_cost_matrix


def write(tmp_path, text, name="od.csv", encoding="utf-8"):
    f = tmp_path / name
    f.write_text(text, encoding=encoding)
    return f


def test_long_layout_with_persian_digits_bom_and_aliases(tmp_path):
    f = write(tmp_path, "from,to,minutes\nS1,A,5\nS1,B,۱۲٫۵\n S2 ,A,7\n", encoding="utf-8-sig")
    m = read_cost_matrix(f, unit="min")
    assert m.layout == "long" and m.unit == "min"
    assert list(m.origins) == ["S1", "S2"] and list(m.destinations) == ["A", "B"]
    assert sorted(zip(m.i.tolist(), m.j.tolist(), m.cost.tolist(), strict=True)) == [
        (0, 0, 5.0), (0, 1, 12.5), (1, 0, 7.0)]


def test_wide_layout_blank_and_inf_are_unreachable(tmp_path):
    f = write(tmp_path, "origin,A,B,C\nS1,0,12.5,\nS2,3,inf,4\n")
    m = read_cost_matrix(f)
    assert m.layout == "wide" and len(m) == 4
    i, j, c = m.submatrix(["S2", "S1"], ["C", "A"])
    assert sorted(zip(i.tolist(), j.tolist(), c.tolist(), strict=True)) == [(0, 0, 4.0), (0, 1, 3.0), (1, 1, 0.0)]
    assert m.missing(["S1", "S9"], "origin") == ["S9"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("origin,destination,cost\nS1,A,5\nS2,A,abc\n", r"row 3, field cost: 'abc' is not a number"),
        ("origin,destination,cost\nS1,A,5\nS2,A,-1\n", r"row 3, field cost: -1 is negative"),
        ("origin,destination,cost\nS1,A,5\n,A,4\n", r"row 3, field origin: empty id"),
        ("origin,destination,cost\nS1,A,5\nS1,,4\n", r"row 3, field destination: empty id"),
        ("origin,destination,cost\nS1,A,\n", r"row 2, field cost: empty cost"),
        ("origin,destination,cost\nS1,A,nan\n", r"row 2, field cost: 'nan' is not a number"),
        ("origin,destination,cost\nS1,A,1\nS1,A,2\n", r"row 2: pair S1 -> A is listed more than once \(rows 2, 3\)"),
        ("origin,A,B\nS1,1,x\n", r"row 2, field B: 'x' is not a number"),
        ("origin,A,B\nS1,1,-2\n", r"row 2, field B: -2 is negative"),
        ("origin,A,A\nS1,1,2\n", r"field A(\.1)?: destination A appears twice"),
        ("origin,A,B\nS1,1,2\nS1,3,4\n", r"row 3, field origin: origin S1 appears twice"),
        ("origin,A,B\n,1,2\n", r"row 2, field origin: empty origin id"),
        ("origin,destination,cost\n", "a header and at least one row"),
    ],
)
def test_bad_matrices_name_file_row_and_field(tmp_path, text, message):
    f = write(tmp_path, text)
    with pytest.raises(InputError, match=message) as exc:
        read_cost_matrix(f)
    assert str(f) in str(exc.value)


def test_several_problems_are_counted(tmp_path):
    f = write(tmp_path, "origin,destination,cost\nS1,A,x\nS2,A,-1\nS3,A,y\n")
    with pytest.raises(InputError, match=r"row 2, field cost: 'x' is not a number \(and 2 more problems\)"):
        read_cost_matrix(f)


def test_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_cost_matrix(tmp_path / "none.csv")
    f = tmp_path / "latin1.csv"
    f.write_bytes("origin,destination,cost\nS\xe9,A,1\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_cost_matrix(f)


def test_the_matrix_drives_the_model(tmp_path):
    # straight lines would cover both villages from site A; the road matrix says B reaches them
    f = write(tmp_path, "origin,destination,cost\nV1,A,45\nV1,B,12\nV2,A,50\nV2,B,15\n")
    m = read_cost_matrix(f, unit="min")
    ii, jj, cc = m.submatrix(["V1", "V2"], ["A", "B"])
    import scipy.sparse as sp

    cost = sp.coo_matrix((cc, (ii, jj)), shape=(2, 2))
    p = SitingProblem.from_cost_matrix(cost, [100, 50], 20, site_ids=["A", "B"], unit="min")
    r = mclp(p, 1)
    assert [s.id for s in r.sites] == ["B"] and r.objective == 150 and r.unit == "min"


def test_from_cost_matrix_checks(tmp_path):
    with pytest.raises(InputError, match="must not be negative"):
        SitingProblem.from_cost_matrix(np.array([[1.0, -2.0]]), [1], 5)
    with pytest.raises(InputError, match="weights: 2 values for 1 demand points"):
        SitingProblem.from_cost_matrix(np.array([[1.0, 2.0]]), [1, 2], 5)
    with pytest.raises(InputError, match="existing: 2 rows"):
        SitingProblem.from_cost_matrix(np.array([[1.0, 2.0]]), [1], 5, existing=np.ones((2, 1)))
