import pytest

from siting.text import clean_text, match_key, parse_number, to_ascii_digits, to_persian_digits
from siting.vocab import parse_education, parse_licence_type, parse_settlement_kind


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("قائنات", "قاینات"),  # hamza seat folds for matching
        ("عشق آباد", "عشق‌آباد"),  # space vs ZWNJ
        ("عشق آباد", "عشقآباد"),
        ("بيرجند", "بیرجند"),  # Arabic yeh
        ("كاشمر", "کاشمر"),  # Arabic kaf
        ("Bīrjand", "birjand"),
        ("  سربیشه ", "سربيشه"),
        ("طبس\u200f", "طبس"),  # RLM mark
    ],
)
def test_match_key_folds_spellings(a, b):
    assert match_key(a) == match_key(b)
    assert match_key(a) != ""


def test_match_key_keeps_distinct_names_apart():
    assert match_key("طبس") != match_key("طبس مسینا")
    assert match_key("خوسف") != match_key("شوسف")


def test_clean_text_keeps_zwnj_and_fixes_letters_and_digits():
    assert clean_text("مي\u200cشود  ۱۲") == "می\u200cشود 12"
    assert clean_text("عشق \u200c آباد") == "عشق\u200cآباد"
    assert clean_text("   ") is None
    assert clean_text(None) is None
    assert clean_text(float("nan")) is None
    assert clean_text("ـكـيـلو") == "کیلو"  # tatweel dropped


@pytest.mark.parametrize(
    ("text", "value"),
    [("۳۲٫۸۷۵", 32.875), ("٣٢.٨٧٥", 32.875), ("12,500", 12500.0), ("-5", -5.0), (7, 7.0), ("  ", None), (None, None)],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("bad", ["abc", "12,5", "1.2.3", "۳۲/۵", True])
def test_parse_number_rejects(bad):
    with pytest.raises(ValueError):
        parse_number(bad)


def test_digit_round_trip():
    assert to_ascii_digits(to_persian_digits("1,234.5")) == "1,234.5".replace(",", "")  # Persian thousands sep dropped
    assert to_persian_digits(1405) == "۱۴۰۵"


@pytest.mark.parametrize(
    ("text", "key"),
    [("شهری", "urban"), ("پیشخوان", "urban"), ("پیشخوان دولت", "urban"), ("Urban", "urban"),
     ("روستایی", "rural"), ("ICT روستایی", "rural"), ("ict روستائي", "rural"), ("rural", "rural")],
)
def test_licence_types_as_people_write_them(text, key):
    assert parse_licence_type(text) == key


def test_unknown_licence_type_says_what_is_expected():
    with pytest.raises(ValueError, match="unknown licence type 'مخابرات'.*urban, rural"):
        parse_licence_type("مخابرات")


def test_other_vocabularies():
    assert parse_settlement_kind("روستا") == "village"
    assert parse_settlement_kind("شهر") == "city"
    assert parse_education("لیسانس") == "bachelor"
    assert parse_education("فوق لیسانس") == "master"


def test_dms_with_unicode_primes():
    """'32°52′13″N' (the docstring's own example): NFKC turns ″ into ′′, which must still parse."""
    from siting.io.readers import parse_coordinate

    expected = 32 + 52 / 60 + 13 / 3600
    assert parse_coordinate("32°52′13″N") == pytest.approx(expected)
    assert parse_coordinate("32°52'13\"N") == pytest.approx(expected)
    assert parse_coordinate("59°13′12.36″E") == pytest.approx(59 + 13 / 60 + 12.36 / 3600)
