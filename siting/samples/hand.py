"""Test helpers shipped with the package (as geopandas ships ``testing``).

:func:`hand_workspace` builds a small workspace by hand, with places whose
distances are easy to check independently with :class:`pyproj.Geod`. It is
synthetic and marked as sample data.
"""

from __future__ import annotations

import shapely

from siting.workspace import Workspace, make_layer

HAND_SOURCE = "hand-built test data (synthetic)"


def hand_workspace() -> Workspace:
    """A two-county workspace around Birjand with 5 settlements and 4 offices.

    * counties: ``بیرجند`` (lon 59–60) population 250,000 and ``خوسف``
      (lon 58–59) population 30,000, lat 32–34;
    * settlements: Birjand city (59.2200, 32.8700) 200,000; village
      ``مود`` (59.5200, 32.7100) 3,000; village ``نوفرست`` (59.3000, 32.9500)
      1,500; city ``خوسف`` (58.8900, 32.7800) 6,000; village ``ماژان``
      (58.5000, 33.5000) population unknown;
    * offices: urban U1 at (59.2100, 32.8700) active, urban U2 at
      (58.8950, 32.7790) active, rural R1 at (59.3500, 32.9000) active,
      rural R2 at (58.5000, 33.5000) inactive.
    """
    box_a = shapely.box(59.0, 32.0, 60.0, 34.0)
    box_b = shapely.box(58.0, 32.0, 59.0, 34.0)
    region = make_layer("region", {"name_fa": ["منطقهٔ آزمون"], "name_en": ["test region"],
                                   "source": [HAND_SOURCE]}, [shapely.union(box_a, box_b)])
    counties = make_layer(
        "counties",
        {
            "code": ["2901", "2910"],
            "name_fa": ["بیرجند", "خوسف"],
            "name_en": ["Birjand", "Khusf"],
            "population": [250_000, 30_000],
            "population_year": [2016, 2016],
            "census_unit": [None, None],
            "population_note": [None, None],
            "source": [HAND_SOURCE] * 2,
        },
        [box_a, box_b],
    )
    settlements = make_layer(
        "settlements",
        {
            "code": ["S1", "S2", "S3", "S4", "S5"],
            "name_fa": ["بیرجند", "مود", "نوفرست", "خوسف", "ماژان"],
            "name_en": ["Birjand", "Mud", "Nowferest", "Khusf", "Mazhan"],
            "kind": ["city", "village", "village", "city", "village"],
            "population": [200_000, 3_000, 1_500, 6_000, None],
            "county": ["بیرجند", "بیرجند", "بیرجند", "خوسف", "خوسف"],
            "source": [HAND_SOURCE] * 5,
        },
        shapely.points([(59.22, 32.87), (59.52, 32.71), (59.30, 32.95), (58.89, 32.78), (58.50, 33.50)]),
    )
    offices = make_layer(
        "offices",
        {
            "office_id": ["U1", "U2", "R1", "R2"],
            "name": ["پیشخوان مرکزی", "پیشخوان خوسف", "ICT نوفرست", "ICT ماژان"],
            "licence_type": ["urban", "urban", "rural", "rural"],
            "status": ["active", "active", "active", "inactive"],
            "licence_number": ["P-100", "P-101", "R-200", "R-201"],
            "county": ["بیرجند", "خوسف", "بیرجند", "خوسف"],
            "source": [HAND_SOURCE] * 4,
        },
        shapely.points([(59.21, 32.87), (58.895, 32.779), (59.35, 32.90), (58.50, 33.50)]),
    )
    return Workspace(region, counties, settlements, offices,
                     meta={"name": "hand-built test workspace", "sample": True,
                           "sample_note": "synthetic test data, not official"})
