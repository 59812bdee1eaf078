"""The machine codes of the file checker's row reasons.

Every problem the importer reports about a row (:class:`siting.io.importer.Issue`) carries a stable
``code`` from :data:`ROW_REASONS` and the ``params`` its sentence names, besides the English sentence the
command line prints. The library keeps the codes; the pages say them in Persian or English
(``ui.i18n.import_reason``), one text per code.

A :class:`Reason` is that sentence as a ``str`` (so code that reads or compares the text, such as a
:class:`siting.io.readers.RawTable`'s ``coord_errors``, keeps working) with its code and params attached.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

#: every row reason code -> what it means (the params its sentence names in brackets)
ROW_REASONS: Mapping[str, str] = MappingProxyType({
    # coordinates of a table (siting.io.readers)
    "missing_coordinates": "the row has no coordinates",
    "missing_coordinate": "one of longitude/latitude is blank (column)",
    "pair_missing": "the one coordinates column is blank (column)",
    "pair_malformed": "the one coordinates column is not 'latitude, longitude' (column, value)",
    "bad_coordinate": "a coordinate cell is not a coordinate (column, value, detail)",
    "not_transformable": "the coordinates cannot be transformed from the declared CRS (source_crs)",
    # OpenStreetMap elements without a usable location or shape (siting.io.osm)
    "osm_node_no_location": "an OSM node without a valid location (id)",
    "osm_no_location": "an OSM way or relation without a location (kind, id, detail)",
    "osm_no_polygon": "an OSM way or relation without a polygon (kind, id, detail)",
    "osm_no_line": "an OSM way without a line (id, detail)",
    # geometry and position
    "no_geometry": "the row has no geometry",
    "polygon_for_point": "a polygon where a point is expected; a point inside it is used (geom_type)",
    "not_a_point": "a geometry other than a point (geom_type)",
    "not_a_polygon": "a geometry other than a polygon (geom_type)",
    "not_a_line": "a geometry other than a line (geom_type)",
    "swapped_fixed": "latitude and longitude were exchanged and are swapped back (lat, lon: the fixed values)",
    "swapped": "latitude and longitude look exchanged (lat, lon: as in the file)",
    "not_wgs84": "not a WGS84 longitude/latitude (lon, lat)",
    "outside_region": "the point lies outside the region (lon, lat, region, region_fa: its Persian name)",
    "invalid_polygon": "an invalid polygon that cannot be repaired (detail)",
    "polygon_repaired": "an invalid polygon repaired with make_valid (detail)",
    "coordinate_not_a_number": "a line with a coordinate that is not a number",
    "line_not_wgs84": "a line whose coordinates are not WGS84 longitude/latitude (lon, lat)",
    "zero_length_line": "a line of zero length",
    "zero_length_parts": "parts of a line of zero length left out (dropped, parts)",
    "line_outside_region": "a line wholly outside the region (region, region_fa: its Persian name)",
    # attributes
    "population_not_a_number": "the population is not a number; stored as unknown (value)",
    "population_negative": "the population is negative; stored as unknown (value)",
    "unknown_kind": "a settlement kind that is not city or village (value, detail)",
    "no_name": "the row has no name",
    "no_county_name": "a county without a name",
    "no_district_name": "a district without a name",
    "no_rural_district_name": "a rural district without a name",
    "unknown_licence_type": "a licence type that is not urban or rural (value, detail)",
    "unknown_status": "an office status that is not known (value, detail)",
    "unknown_applicant_type": "an applicant type that is not known (value, detail)",
    "bad_date": "a date that cannot be read; stored as unknown (field: issued/expires, value, detail)",
    "road_not_for_vehicles": "a road class that is not a road for motor vehicles (value, detail)",
    "unknown_road_class": "a road class that is not known; the default speed is used (value, detail, speed)",
    "no_road_class": "no road class; the default speed is used (speed)",
    "bad_maxspeed": "a maxspeed that cannot be read; the class speed is used (value, detail)",
    "unknown_surface": "a surface that is not known; stored as unknown (value, detail)",
    "unknown_oneway": "a oneway value that is not known; the road is two-way (value, detail)",
    # the county a row states
    "stated_county_unknown": "the stated county is not a county of the workspace (value, county)",
    "stated_county_unknown_nowhere": "the stated county is not a county of the workspace; the point is in none (value)",
    "stated_county_disagrees": "the stated county is another than the polygon's (value, stated, county)",
    "stated_county_code_unknown": "the stated county code is not a county of the workspace (value, county)",
    "stated_county_code_unknown_nowhere": "the stated county code is unknown; the point is in no county (value)",
    "stated_county_code_disagrees": "the stated county code is another county than the polygon's (value, stated, county)",
    # duplicates
    "duplicate_code": "a settlement code used on an earlier row (code, row)",
    "duplicate_code_existing": "a settlement code already in the workspace (code)",
    "duplicate_settlement": "a settlement of the same name within 10 m of an earlier row (row)",
    "duplicate_settlement_existing": "a settlement of the same name within 10 m is in the workspace",
    "duplicate_county": "a county named twice (name, row)",
    "duplicate_district": "a district named twice in a county (name, county, row)",
    "duplicate_rural_district": "a rural district named twice in a county (name, county, row)",
    "duplicate_licence_number": "a licence number used on an earlier row (number, row)",
    "duplicate_licence_number_existing": "a licence number already in the workspace (number)",
    "duplicate_office_id": "an office id already used (id)",
    "duplicate_office": "an office of the same type within 10 m of an earlier row (licence_type, row)",
    "duplicate_office_existing": "an office of the same type within 10 m is in the workspace (licence_type)",
    "duplicate_road_code": "a road code already used (code, row)",
    "duplicate_proposal_id": "a proposal id already used (id, row)",
    # offices placed at the settlement they name
    "update_needs_key": "an update row without a licence number or office id",
    "no_settlements_to_place": "no coordinates, and the workspace has no settlements to place it at (place)",
    "placed_by_code": "placed approximately at the settlement of its code (settlement, settlement_code, code)",
    "placed_by_name": "placed approximately at the only settlement of its name in the county (settlement, "
                      "settlement_code, county)",
    "placed_by_name_alone": "placed approximately at the only settlement of its name (settlement, settlement_code)",
    "not_placed_code_unknown": "not placed: the settlement code is not in the workspace (code)",
    "not_placed_county_unknown": "not placed: the stated county is not a county of the workspace (county)",
    "not_placed_no_place": "not placed: no settlement name or code",
    "not_placed_several": "not placed: several settlements of the name in the county (value, count, matches, county)",
    "not_placed_several_anywhere": "not placed: several settlements of the name, no county stated (value, count, "
                                   "matches)",
    "not_placed_none": "not placed: no settlement of the name in the county (value, county, elsewhere?)",
    "not_placed_none_anywhere": "not placed: no settlement of the name, no county stated (value, elsewhere?)",
    # the census village table (siting.io.census); level: province, county, district, rural_district, village
    "census_bad_figure": "a figure that is not a whole count (field, value, detail)",
    "census_no_population": "no population figure; stored as unknown",
    "census_households_exceed": "more households than people (households, population)",
    "census_sexes_disagree": "men and women do not add up to the population (male, female, total, population)",
    "census_bad_code": "a code that is not a census code (value, detail)",
    "census_unknown_kind": "a kind that is neither city nor village; told from the name (value)",
    "census_code_length": "a code of a length no level has (code, digits, expected)",
    "census_duplicate_code": "a place code already used; the row is skipped (code, row)",
    "census_total_row": "a total row in a one-row-per-place table; skipped (name)",
    "census_not_under_code": "a code not under its parent's code; the row is skipped (code, level, parent_code)",
    "census_no_code": "a place without a code",
    "census_village_code_length": "a village code of another length (code, digits, expected)",
    "census_note_row": "a row without code or figures, not a data row; skipped (name)",
    "census_level_code_length": "the name says a level the code's length does not (level, code, digits, expected)",
    "census_total_below": "a total row below the rows it sums; skipped (name)",
    "census_kind_code_level": "kind says village but the code's length says a subtotal level (digits, level)",
    "census_not_under": "a place code not under the enclosing subtotal; the row is skipped (code, level, parent, "
                        "parent_code, parent_row)",
    "census_subtotal_duplicate_code": "a subtotal code already used (code, row)",
    "census_subtotal_not_under": "a subtotal code not under its parent; kept (code, level, parent_level, parent, "
                                 "parent_code, parent_row)",
    "census_subtotal_mismatch": "a subtotal that its rows do not add up to (level, name, field, stated, computed)",
})


class Reason(str):
    """A row reason: the English sentence (the ``str`` itself), its :data:`ROW_REASONS` code and params.

    Params are kept as plain JSON values (numbers, text, booleans, ``None``); anything else is kept as
    its text.
    """

    code: str
    params: Mapping[str, Any]

    def __new__(cls, code: str, text: str, /, **params: Any) -> Reason:
        if code not in ROW_REASONS:
            raise ValueError(f"unknown row reason code {code!r}")
        obj = super().__new__(cls, text)
        obj.code = code
        obj.params = {k: _plain(v) for k, v in params.items()}
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.code, str(self), dict(self.params)))


def _rebuild(code: str, text: str, params: dict[str, Any]) -> Reason:
    return Reason(code, text, **params)


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


__all__ = ["ROW_REASONS", "Reason"]
