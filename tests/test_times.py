"""Race-time parsing and formatting."""

import pytest

from analysis.times import format_gap, format_time, is_international, parse_gap, parse_time


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1:12.31", 72.31),
        ("1.12,31", 72.31),
        ("72.31", 72.31),
        ("36.49", 36.49),
        ("36,49", 36.49),
        ("1:54.865", 114.865),
        ("1.54,865", 114.865),
        ("  1:12.31\t", 72.31),
        ("\n36,49 ", 36.49),
        ("1:34.1", 94.1),
        ("44.9", 44.9),
        ("0:59.99", 59.99),
        ("10:05.12", 605.12),
    ],
)
def test_parse_every_notation(text, seconds):
    assert parse_time(text) == pytest.approx(seconds, abs=1e-9)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1:72.00",
        "-36.49",
        "-1:12.31",
        "abc",
        "1:12:31",
        "1:12",
        "36",
        "1,12.31",
        "1:12,31",
        "1.12.31",
        "36.4a",
        "0.00",
        "0:00.00",
        "1:2.31",
        "36.4999",
        "+0.28",
        None,
        36.49,
    ],
)
def test_parse_rejects_and_quotes_bad_text(text):
    with pytest.raises(ValueError) as info:
        parse_time(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("+0.28", 0.28), ("+0,28", 0.28), (" +1.05 ", 1.05), ("+1:02.15", 62.15), ("+0.00", 0.0)],
)
def test_parse_gap(text, seconds):
    assert parse_gap(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["0.28", "+", "+-0.28", "+ 0.28", "+abc", "", "-0.28"])
def test_parse_gap_rejects(text):
    with pytest.raises(ValueError, match="invalid gap"):
        parse_gap(text)


@pytest.mark.parametrize(
    ("seconds", "style", "decimals", "text"),
    [
        (72.31, "intl", 2, "1:12.31"),
        (72.31, "nl", 2, "1.12,31"),
        (36.49, "intl", 2, "36.49"),
        (36.49, "nl", 2, "36,49"),
        (114.865, "intl", 3, "1:54.865"),
        (114.865, "nl", 3, "1.54,865"),
        (94.1, "intl", 1, "1:34.1"),
        (60.0, "intl", 2, "1:00.00"),
        (59.999, "intl", 2, "59.99"),  # cut to hundredths, as official results print it; never rounded up
        (34.466, "intl", 2, "34.46"),
        (101.958, "nl", 2, "1.41,95"),
        (72.305, "intl", 3, "1:12.305"),
        (605.0, "intl", 2, "10:05.00"),
    ],
)
def test_format_time(seconds, style, decimals, text):
    assert format_time(seconds, style=style, decimals=decimals) == text


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), None])
def test_format_rejects_non_times(bad):
    with pytest.raises(ValueError):
        format_time(bad)


def test_format_rejects_unknown_style():
    with pytest.raises(ValueError, match="style"):
        format_time(72.31, style="de")


def test_format_gap():
    assert format_gap(0.28) == "+0.28"
    assert format_gap(0.28, style="nl") == "+0,28"
    assert format_gap(62.15) == "+1:02.15"
    assert format_gap(0.0) == ""


def test_is_international():
    assert is_international("1:12.31") and is_international("36.49")
    assert not is_international("1.12,31") and not is_international("36,49")


# hypothesis is imported inside its tests: every test worker imports this file, only one runs them.
def test_round_trip_hundredths():
    from hypothesis import given
    from hypothesis import strategies as st

    @given(st.integers(min_value=1, max_value=20 * 60 * 100), st.sampled_from(["intl", "nl"]))
    def round_trip(hundredths, style):
        seconds = hundredths / 100
        text = format_time(seconds, style=style)
        assert parse_time(text) == pytest.approx(seconds, abs=1e-9)
        assert format_time(parse_time(text), style=style) == text

    round_trip()


def test_round_trip_thousandths():
    from hypothesis import given
    from hypothesis import strategies as st

    @given(st.integers(min_value=1, max_value=20 * 60 * 1000), st.sampled_from(["intl", "nl"]))
    def round_trip(thousandths, style):
        seconds = thousandths / 1000
        text = format_time(seconds, style=style, decimals=3)
        assert parse_time(text) == pytest.approx(seconds, abs=1e-9)

    round_trip()
