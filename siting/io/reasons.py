"""The machine codes of the file checker's row reasons, report notes and file-level refusals.

Every problem the importer reports about a row (:class:`siting.io.importer.Issue`) carries a stable
``code`` from :data:`ROW_REASONS` and the ``params`` its sentence names, besides the English sentence the
command line prints. The library keeps the codes; the pages say them in Persian or English
(``ui.i18n.import_reason``), one text per code.

The same holds for the report's notes (:class:`Note`, codes in :data:`NOTE_CODES`) and for a whole
file's refusal (:class:`siting.errors.InputError` with a ``code`` from :data:`FILE_ERRORS` and its
``params``): the English text is unchanged, the code and params travel with it.

A :class:`Reason` is that sentence as a ``str`` (so code that reads or compares the text, such as a
:class:`siting.io.readers.RawTable`'s ``coord_errors``, keeps working) with its code and params attached.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Self

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

#: every code of a note of the import report (not about one row) -> what it means (its params)
NOTE_CODES: Mapping[str, str] = MappingProxyType({
    # siting.io.readers
    "osm_crs_ignored": "an OpenStreetMap extract is always WGS84; the declared CRS is ignored (crs)",
    "no_coordinate_columns_placed": "no coordinate columns: each row is placed at the settlement it names",
    "reprojected": "coordinates reprojected to WGS84 (crs)",
    "declared_crs_kept": "the file declares its CRS; the one given is ignored (declared, crs)",
    # siting.io.osm
    "osm_long_values": "tag values longer than the limit left empty (count, limit)",
    "osm_duplicates": "objects appearing more than once; the first of each kept (count)",
    "osm_not_utf8": "tag values that are not UTF-8 left empty (count)",
    "osm_nul_values": "tag values holding a NUL character left empty (count)",
    "osm_ring_repaired": "a self-crossing ring; a point inside the repaired ring used (row, id)",
    "osm_outside_clip": "places or elements outside the clip polygon dropped (count)",
    "osm_area_dropped": "place areas dropped for their place node (count, names)",
    "osm_not_settlements": "elements whose place tag is not a settlement skipped (values, more)",
    "osm_row_reason": "a row's reason, also in the issues (row, id, reason: its code, reason_params)",
    "osm_population_not_a_number": "a population that is not a number; left empty (row, id, value)",
    "osm_population_negative": "a negative population; left empty (row, id, value)",
    # siting.io.importer
    "osm_admin_level": "boundaries of one admin_level from the OpenStreetMap extract (level)",
    "region_dissolved": "polygons dissolved into one region outline (count)",
    "no_region_yet": "the workspace has no region: points are not checked against it",
    "nothing_importable": "no row could be imported",
    "updated_added": "records updated and added; others kept (updated, added)",
})

#: every code of a whole file's refusal (an InputError with a code) -> what it means (its params)
FILE_ERRORS: Mapping[str, str] = MappingProxyType({
    # the upload itself (ui.views.upload) and any input file (siting.io.limits)
    "unknown_extension": "an extension the importer does not read (extension, accepted)",
    "empty": "the file is empty",
    "too_large": "the file is larger than the limit (size_mb, limit_mb)",
    "not_found": "the file is not there",
    "not_a_file": "a folder, device or pipe, not a regular file",
    "archive_refused": "a ZIP archive over the limits or damaged (a possible ZIP bomb)",
    "too_many_rows": "more rows or features than the limit (limit)",
    "too_many_columns": "more columns or fields than the limit (limit)",
    "too_many_cells": "more cells than the limit (limit)",
    # the content (siting.io.readers)
    "wrong_content": "the extension says one format, the content is another (expected, actual: format keys)",
    "old_excel": "an Excel 97-2003 (.xls) workbook",
    "damaged_zip": "a damaged ZIP archive",
    "zip_gpkg": "a ZIP archive holding a GeoPackage",
    "zip_nothing": "a ZIP archive with no Shapefile or spreadsheet",
    "binary_unknown": "a binary file of no format the importer reads",
    "xml_not_data": "an XML or HTML document, not a data file",
    "nul_character": "a NUL character in the text (line?, row?, column?)",
    "bad_bom": "a byte-order mark of an encoding the text is not in (encoding)",
    "utf8_invalid_bytes": "UTF-8 but for some invalid bytes (count, line: the first)",
    "unknown_encoding": "neither UTF-8 nor Windows-1256 text (line)",
    "csv_malformed": "not a well-formed CSV (line?)",
    "no_data_rows": "no data rows (only a header, or nothing)",
    "xlsx_unreadable": "not a readable XLSX workbook",
    "not_readable": "not a readable file of its format (format: a format key)",
    "gpkg_no_layers": "a GeoPackage with no layers",
    "gpkg_several_layers": "a GeoPackage with several layers (layers)",
    "shapefile_parts_missing": "a Shapefile without some of its parts (parts)",
    "shapefile_no_prj": "a Shapefile without .prj (no CRS)",
    "no_features": "a file with no features",
    "no_coordinate_columns": "no coordinate columns (found: the columns)",
    "coordinates_projected": "coordinates that look projected with no CRS declared (x, y)",
    "bad_crs": "a CRS that is not one (crs)",
    # OpenStreetMap extracts (siting.io.osm, siting.io.readers)
    "osm_no_settlements": "no settlements (place=city, town, village, hamlet) in the extract",
    "osm_not_an_extract": "not an OpenStreetMap extract",
    "osm_unreadable": "a damaged or unreadable OpenStreetMap extract",
    "xml_malformed": "not well-formed XML (line?)",
    # the layer's columns (siting.io.importer)
    "no_kind_column": "a settlements file without a kind column (found)",
    "no_office_place_columns": "an offices file with neither coordinates nor a settlement column (found)",
    "no_licence_type_column": "an offices file without a licence type column (found)",
    "no_polygons": "a boundaries file in a format without polygons (format: a format key)",
})


class _Coded(str):
    """An English sentence (the ``str`` itself) with the code it was registered under (``_codes``) and
    its params, kept as plain JSON values (numbers, text, booleans, ``None``; anything else as its text)."""

    _codes: Mapping[str, str] = {}
    _kind = "code"
    code: str
    params: Mapping[str, Any]

    def __new__(cls, code: str, text: str, /, **params: Any) -> Self:
        if code not in cls._codes:
            raise ValueError(f"unknown {cls._kind} code {code!r}")
        obj = super().__new__(cls, text)
        obj.code = code
        obj.params = {k: _plain(v) for k, v in params.items()}
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.code, str(self), dict(self.params)))


def _rebuild(cls: type[_Coded], code: str, text: str, params: dict[str, Any]) -> _Coded:
    return cls(code, text, **params)


class Reason(_Coded):
    """A row reason, by its :data:`ROW_REASONS` code."""

    _codes = ROW_REASONS
    _kind = "row reason"


class Note(_Coded):
    """A note of the import report, by its :data:`NOTE_CODES` code."""

    _codes = NOTE_CODES
    _kind = "note"

    def replaced(self, old: str, new: str) -> Note:
        """The note with ``old`` replaced by ``new`` in its text and its text params (a temporary path said
        as the name of the upload)."""
        return Note(self.code, str(self).replace(old, new),
                    **{k: v.replace(old, new) if isinstance(v, str) else v for k, v in self.params.items()})


def file_error_params(**params: Any) -> dict[str, Any]:
    """The params of a file-level refusal as plain JSON values (see :class:`siting.errors.InputError`)."""
    return {k: _plain(v) for k, v in params.items()}


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return str(v)


__all__ = ["FILE_ERRORS", "NOTE_CODES", "ROW_REASONS", "Note", "Reason", "file_error_params"]
