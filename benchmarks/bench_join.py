"""Time to join a province-sized census to its place points (goal: median < 5 s on 2 cores).

Run:  .venv/bin/python benchmarks/bench_join.py [--villages 60000] [--repeat 5] [--seed 0]

Generates a SYNTHETIC census (seeded): 30 counties × 8–12 districts × 3–5 rural districts, 60,000
villages named from Persian syllables (names repeat across rural districts, some pairs differ only by
a qualifier such as «علیا»/«سفلی»), and one point per village except 3% left out. 30% of the points
carry the official code; 85% state county, district and rural district, 10% county and district, 5%
only the county. 5% of the point names are spelling variants: half only in writing (Arabic ي/ك,
ZWNJ or space, آ/ا, which the exact pass must absorb), half real typos (a letter dropped, doubled or
swapped for a look-alike, for the fuzzy pass). Times :func:`siting.io.placejoin.join_population`
(median of the repeats after one warm-up) and prints the counts and precision/recall against the
planted truth.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, save_results

from siting.io.placejoin import join_population

HEADS = ["حسین", "علی", "محمد", "کریم", "رحیم", "قاسم", "جعفر", "حسن", "عباس", "نصر", "زین", "شاه", "میر",
         "گل", "سنگ", "چاه", "بید", "سرخ", "سفید", "سیاه", "خور", "نی", "گز", "باغ", "مهر", "نظام", "فتح",
         "اسد", "صالح", "کال", "تاج", "رضا", "امیر", "یوسف", "ابراهیم", "اسماعیل", "فیض", "زرد", "بهار"]
MIDS = ["", "", "", "ان", "ی", "ک", "ستان", "دره", "کوه", "بند", "رود", "دشت", "کشت"]
TAILS = ["آباد", "آباد", "آباد", "ده", "کلاته", "قلعه", "چشمه", "باغ", "سرا", "گاه", "زار", "ستان"]
QUALS = [("علیا", "سفلی"), ("بالا", "پایین"), ("کهنه", "نو"), ("یک", "دو"), ("بزرگ", "کوچک")]
LOOKALIKE = {"ک": "گ", "گ": "ک", "س": "ص", "ص": "س", "ز": "ذ", "ت": "ط", "ه": "ح", "ح": "ه", "ق": "غ",
             "غ": "ق", "ر": "ز", "د": "ذ"}


def _names(rng: np.random.Generator) -> list[str]:
    """A pool of distinct village names (about 5,000)."""
    out: set[str] = set()
    for h in HEADS:
        for m in MIDS:
            for t in TAILS:
                sep = rng.choice(["", " ", "\u200c"]) if t == "آباد" else " "
                name = f"{h}{m}{sep}{t}" if rng.random() < 0.7 else f"{t} {h}{m}"
                out.add(name)
    return sorted(out)


def build(n_villages: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """(census, points, truth): truth[i] is the census position of point i."""
    rng = np.random.default_rng(seed)
    pool = _names(rng)
    rds = []
    for c in range(30):
        for d in range(int(rng.integers(8, 13))):
            for r in range(int(rng.integers(3, 6))):
                rds.append((c, d, r))
    per = np.full(len(rds), n_villages // len(rds))
    per[: n_villages - per.sum()] += 1
    rows = []
    for (c, d, r), k in zip(rds, per, strict=True):
        county, district, rural = f"شهرستان {pool[c * 7]}", f"بخش {pool[c * 13 + d + 1]}", f"{pool[(c * 31 + d * 5 + r) % len(pool)]}"
        chosen = rng.choice(len(pool), size=int(k), replace=False)
        names = [pool[j] for j in chosen]
        # a few pairs that differ only by a qualifier
        for q in range(0, min(len(names) - 1, 6), 2):
            a, b = QUALS[int(rng.integers(len(QUALS)))]
            names[q], names[q + 1] = f"{names[q]} {a}", f"{names[q]} {b}"
        for v, name in enumerate(names):
            code = f"29{c:02d}{d:02d}{r:02d}{v + 1:03d}"
            rows.append((code, name, int(rng.lognormal(5.5, 1.0)), county, district, rural))
    census = pd.DataFrame(rows, columns=["code", "name_fa", "population", "county", "district",
                                         "rural_district"])
    census["households"] = (census["population"] // 3.6).astype("int64")
    census.insert(0, "row", np.arange(1, len(census) + 1))
    census[["county", "district"]] = census[["county", "district"]].map(lambda s: s.split(" ", 1)[1])

    keep = np.flatnonzero(rng.random(len(census)) >= 0.03)
    truth = rng.permutation(keep)
    pts = census.iloc[truth][["code", "name_fa", "county", "district", "rural_district"]].reset_index(drop=True)
    pts = pts.astype(object)
    pts.loc[rng.random(len(pts)) >= 0.30, "code"] = None
    scope = rng.random(len(pts))
    pts.loc[scope >= 0.85, "rural_district"] = None
    pts.loc[scope >= 0.95, "district"] = None
    # rural districts written with their level word now and then
    some = (scope < 0.85) & (rng.random(len(pts)) < 0.2)
    pts.loc[some, "rural_district"] = "دهستان " + pts.loc[some, "rural_district"]
    variant = np.flatnonzero(rng.random(len(pts)) < 0.05)
    names = pts["name_fa"].tolist()
    for i in variant:
        names[i] = (_writing(names[i], rng) if rng.random() < 0.5 else _typo(names[i], rng))
    pts["name_fa"] = names
    return census, pts, truth


def _writing(name: str, rng: np.random.Generator) -> str:
    """The same name written differently: Arabic letters, spacing, ZWNJ or آ."""
    k = int(rng.integers(4))
    if k == 0:
        return name.replace("ی", "ي").replace("ک", "ك")
    if k == 1:
        return name.replace(" ", "\u200c") if " " in name else name.replace("آباد", " آباد")
    if k == 2:
        return name.replace("آ", "ا") if "آ" in name else name.replace("ی", "ي")
    return name.replace("\u200c", "") if "\u200c" in name else name.replace("ک", "ك")


def _typo(name: str, rng: np.random.Generator) -> str:
    """A real misspelling in the first word: a letter dropped, doubled or swapped for a look-alike."""
    word, sep, rest = name.partition(" ")
    letters = [i for i, ch in enumerate(word) if ch != "\u200c"]
    if len(letters) < 4:
        return name
    i = letters[int(rng.integers(1, len(letters)))]
    k = int(rng.integers(3))
    if k == 0:
        word = word[:i] + word[i + 1:]
    elif k == 1:
        word = word[:i] + word[i] + word[i:]
    else:
        word = word[:i] + LOOKALIKE.get(word[i], "ا") + word[i + 1:]
    return word + sep + rest


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=60_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    census, pts, truth = build(args.villages, args.seed)
    t, times = median_time(lambda: join_population(census, pts), repeat=args.repeat)
    r = join_population(census, pts)
    m = r.matches[r.matches["side"] == "point"]
    joined = m["status"].isin(["code", "exact", "fuzzy"]).to_numpy()
    census_pos = m["census_row"].to_numpy(dtype="float64", na_value=np.nan) - 1
    correct = joined & (census_pos == truth)
    precision = correct.sum() / max(joined.sum(), 1)
    recall = correct.sum() / len(truth)
    by_status = {s: (int((joined & (m["status"] == s).to_numpy()).sum()),
                     int((correct & (m["status"] == s).to_numpy()).sum())) for s in ("code", "exact", "fuzzy")}
    print(f"census {len(census):,} villages in {census['rural_district'].nunique():,} rural-district names, "
          f"{census.groupby(['county', 'district', 'rural_district']).ngroups:,} rural districts; "
          f"{len(pts):,} points (SYNTHETIC)")
    print(f"join_population: median {t:.2f} s over {args.repeat} runs (min {min(times):.2f}, max {max(times):.2f})"
          "   (goal < 5 s)")
    print(f"{'status':<20}{'count':>10}{'correct':>10}")
    for s, (n, ok) in by_status.items():
        print(f"{s:<20}{n:>10,}{ok:>10,}")
    for s in ("ambiguous", "unmatched_points", "unmatched_census"):
        print(f"{s:<20}{r.counts[s]:>10,}")
    print(f"not located population {r.counts['not_located_population']:,}")
    print(f"precision {precision:.4f}   recall {recall:.4f}   (against the planted truth)")
    figures = {"villages": len(census), "points": len(pts), "median_s": t, "runs_s": times,
               "counts": r.counts, "precision": float(precision), "recall": float(recall),
               "by_status": {s: {"joined": n, "correct": ok} for s, (n, ok) in by_status.items()}}
    print(f"saved {save_results('join', figures)}")


if __name__ == "__main__":
    main()
