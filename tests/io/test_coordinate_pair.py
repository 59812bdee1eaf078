"""The coordinate parser reads a pasted pair in either order (decided by the region) and says that
an overflowing number is out of range (issue 15, 6)."""

import pytest

from siting.io.readers import (
    CoordinatePairError,
    CoordinateRangeError,
    parse_coordinate,
    parse_coordinate_pair,
    split_coordinate_pair,
)
from siting.samples.hand import hand_workspace

WS = hand_workspace()  # region: lon 58–60, lat 32–34


def inside(lon: float, lat: float) -> bool:
    return bool(WS.in_region(lon, lat)[0])


@pytest.mark.parametrize("text", [
    "32.8663 59.2211", "59.2211 32.8663", "32.8663,59.2211", "32.8663, 59.2211", "۳۲٫۸۶۶۳ ۵۹٫۲۲۱۱",
    "۵۹٫۲۲۱۱، ۳۲٫۸۶۶۳", "٣٢٫٨٦٦٣;٥٩٫٢٢١١", "  32.8663\t59.2211  ",
])
def test_pair_in_either_order_with_any_digits_and_separator(text):
    assert parse_coordinate_pair(text, inside) == (59.2211, 32.8663)


def test_pair_outside_in_both_orders_is_refused():
    with pytest.raises(CoordinatePairError) as e:
        parse_coordinate_pair("35.6892 51.3890", inside)  # Tehran
    assert e.value.code == "pair_outside"


def test_pair_inside_in_both_orders_is_ambiguous():
    square = lambda lon, lat: 30 <= lon <= 40 and 30 <= lat <= 40  # noqa: E731
    with pytest.raises(CoordinatePairError) as e:
        parse_coordinate_pair("33 35", square)
    assert e.value.code == "pair_ambiguous"
    assert parse_coordinate_pair("33 33", square) == (33.0, 33.0)  # the same point either way


@pytest.mark.parametrize("text", ["32.8663 59.2211 1", "32.8663"])
def test_not_two_numbers(text):
    with pytest.raises(CoordinatePairError) as e:
        parse_coordinate_pair(text, inside)
    assert e.value.code == "pair_count"


def test_single_values_are_not_pairs():
    assert split_coordinate_pair("32.8663") is None
    assert split_coordinate_pair("32°52′13″N") is None
    assert split_coordinate_pair("") is None


@pytest.mark.parametrize("text", ["1e400", "-1e400", "۱e۴۰۰", float("inf")])
def test_overflow_is_out_of_range(text):
    with pytest.raises(CoordinateRangeError):
        parse_coordinate(text)


def test_decimal_degrees_with_seconds_are_not_a_coordinate():
    # before: '32.8663 59.2211' read as 32.8663° + 59.2211″ (= 32.8827), silently wrong
    with pytest.raises(ValueError):
        parse_coordinate("32.8663 59.2211")
    assert parse_coordinate("32°52′13″N") == pytest.approx(32 + 52 / 60 + 13 / 3600)
