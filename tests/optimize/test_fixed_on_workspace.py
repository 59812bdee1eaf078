"""Sites kept open on a workspace (``fixed``, the CLI's ``--fixed``) and spopt's ``p`` (``--p``).

The oracle: the same workspace instance without ``fixed``, with every new site tried by brute
force in numpy on its straight-line distances, the kept site counted as one more office."""

from __future__ import annotations

import numpy as np
import pytest

from siting.errors import InputError
from siting.optimize import Scenario, run_scenario
from siting.optimize.candidates import candidate_sites, filter_by_rules
from siting.optimize.scenarios import prepare
from siting.rules import load_rules

KEPT = "SMP-V0450"


@pytest.fixture(scope="module")
def plain(sample_ws):
    """The rural instance with nothing kept, its distances as a dense matrix (metres)."""
    pr = prepare(sample_ws, Scenario("pmedian", licence_type="rural", k=1))
    d = np.linalg.norm(pr.distances.demand_xy[:, None, :] - pr.distances.site_xy[None, :, :], axis=2)
    return pr, d


def _allowed(pr, kept: int) -> np.ndarray:
    """Candidates that may open beside ``kept``: not it, not closer than the minimum distance."""
    ok = np.ones(pr.n_sites, bool)
    ok[kept] = False
    xy = pr.distances.site_xy
    ok &= np.linalg.norm(xy - xy[kept], axis=1) >= pr.min_separation_m
    return ok


def test_pmedian_with_a_kept_site_equals_brute_force(sample_ws, plain):
    pr, d = plain
    kept = pr.sites["id"].tolist().index(KEPT)
    w = pr.weights
    base = np.minimum(pr.existing_cost, d[:, kept])
    totals = np.array([(w * np.minimum(base, d[:, j])).sum() for j in range(pr.n_sites)])
    totals[~_allowed(pr, kept)] = np.inf
    best = int(np.argmin(totals))

    r = run_scenario(sample_ws, Scenario("pmedian", licence_type="rural", k=1, fixed=(KEPT,)))
    assert r.proven and [s.id for s in r.sites] == [pr.sites["id"].iat[best]]
    assert r.objective == pytest.approx(totals[best], rel=1e-9)
    assert KEPT not in [s.id for s in r.sites]


def test_mclp_with_a_kept_site_equals_brute_force(sample_ws, plain):
    pr, d = plain
    kept = pr.sites["id"].tolist().index(KEPT)
    w, R = pr.weights, pr.radius
    before = pr.existing_covered | (d[:, kept] <= R)
    gain = np.array([(w * (~before & (d[:, j] <= R))).sum() for j in range(pr.n_sites)])
    gain[~_allowed(pr, kept)] = -1

    r = run_scenario(sample_ws, Scenario("mclp", licence_type="rural", k=1, fixed=(KEPT,)))
    assert r.proven and r.objective == pytest.approx(gain.max())
    assert r.sites[0].id in set(pr.sites["id"][gain == gain.max()])
    # the kept site's own cover counts as before, not as newly covered
    assert r.share_before == pytest.approx((w * before).sum() / w.sum())


def test_candidates_too_close_to_the_kept_site_are_left_out_and_named(sample_ws, plain):
    pr, _ = plain
    kept = pr.sites["id"].tolist().index(KEPT)
    near = set(pr.sites["id"][~_allowed(pr, kept)]) - {KEPT}
    fixed = prepare(sample_ws, Scenario("pmedian", licence_type="rural", k=1, fixed=(KEPT,)))
    assert fixed.n_sites == pr.n_sites - 1 - len(near)
    assert not (set(fixed.sites["id"]) & (near | {KEPT}))
    assert fixed.existing_offices == pr.existing_offices + 1 and fixed.fixed == (KEPT,)
    assert any(all(n in note for n in near) for note in fixed.notes)


def test_p_counts_the_kept_sites(sample_ws, plain):
    pr, _ = plain
    by_k = run_scenario(sample_ws, Scenario("pmedian", licence_type="rural", k=2, fixed=(KEPT,)))
    by_p = run_scenario(sample_ws, Scenario("pmedian", licence_type="rural", p=pr.existing_offices + 3,
                                            fixed=(KEPT,)))
    assert by_p.k == 2 and by_p.objective == pytest.approx(by_k.objective)
    assert [s.id for s in by_p.sites] == [s.id for s in by_k.sites]
    with pytest.raises(InputError, match=r"p=52 leaves no new site: it counts the 52 sites kept open"):
        run_scenario(sample_ws, Scenario("pmedian", licence_type="rural", p=52, fixed=(KEPT,)))


def test_a_kept_site_must_be_a_candidate_passing_the_rules(sample_ws):
    rules = load_rules()
    every, _ = candidate_sites(sample_ws, rules, "rural")
    passing, _, _ = filter_by_rules(sample_ws, rules, "rural", every)
    refused = sorted(set(every["id"]) - set(passing["id"]))[0]
    with pytest.raises(InputError, match=rf"fixed: site '{refused}' fails the site rules"):
        prepare(sample_ws, Scenario("mclp", licence_type="rural", k=1, fixed=(refused,)))
    with pytest.raises(InputError, match=r"fixed: site 'NOPE' is not a candidate site \(settlements"):
        prepare(sample_ws, Scenario("mclp", licence_type="rural", k=1, fixed=("NOPE",)))
