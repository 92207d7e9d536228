"""Record logic: ties, same-day records, hand times, record in force."""

import pandas as pd
import pytest

from analysis.records import (
    fastest_by_altitude,
    is_new_record,
    olympic_behind_world,
    progression,
    progression_from_results,
    record_in_force,
)
from analysis.times import parse_time


def frame(rows):
    df = pd.DataFrame(rows, columns=["record", "distance_m", "date", "skater", "nation", "time_s", "venue"])
    df["date"] = pd.to_datetime(df["date"])
    return df


RECORDS = frame(
    [
        ("OR", 1000, "1960-02-22", "A", "URS", parse_time("1:34.1"), "Rink"),
        ("OR", 1000, "1964-02-01", "B", "URS", parse_time("1:33.2"), "Rink"),
        ("OR", 1000, "2026-02-09", "C", "NED", 72.59, "Milano"),
        ("OR", 1000, "2026-02-09", "D", "NED", 72.31, "Milano"),
        ("WR", 1000, "2019-03-09", "E", "USA", 71.61, "Utah"),
    ]
)


def test_tie_is_not_a_record():
    assert not is_new_record(73.19, 73.19)
    assert is_new_record(73.18, 73.19)
    assert not is_new_record(73.191, 73.19)  # equal in hundredths
    assert is_new_record(73.19, None)


def test_olympic_behind_world_counts_records_set_that_day():
    assert olympic_behind_world(RECORDS, 1000, "2026-02-08") == pytest.approx(parse_time("1:33.2") - 71.61)
    assert olympic_behind_world(RECORDS, 1000, "2026-02-09") == pytest.approx(72.31 - 71.61)
    assert olympic_behind_world(RECORDS, 500, "2026-02-09") is None  # no 500 m records in this table


def test_hand_time_comparison():
    assert is_new_record(parse_time("1:34.0"), parse_time("1:34.1"))
    assert not is_new_record(parse_time("1:34.10"), parse_time("1:34.1"))


def test_record_in_force_ignores_records_set_that_day():
    assert record_in_force(RECORDS, "OR", 1000, "2026-02-09")["skater"] == "B"
    assert record_in_force(RECORDS, "OR", 1000, "2026-02-10")["skater"] == "D"
    assert record_in_force(RECORDS, "OR", 1000, "1960-01-01") is None
    assert record_in_force(RECORDS, "WR", 1000, "2026-02-09")["time_s"] == 71.61


def test_progression_improvements_and_duration():
    prog = progression(RECORDS, "OR", 1000)
    assert list(prog["skater"]) == ["A", "B", "C", "D"]
    assert prog.loc[1, "improvement_s"] == pytest.approx(0.9)
    assert prog.loc[3, "improvement_s"] == pytest.approx(0.28)
    assert prog.loc[3, "improvement_pct"] == pytest.approx(round(100 * 0.28 / 72.59, 2))
    assert prog.loc[2, "days_stood"] == 0  # broken the same day
    assert pd.isna(prog.loc[3, "days_stood"])


def test_progression_from_results_same_day_and_tie():
    results = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-02-09"] * 5),
            "pair": [1, 13, 14, 15, 15],
            "skater": ["S", "Kok", "Tie", "Leerdam", "Takagi"],
            "time_s": [75.46, 72.59, 72.59, 72.31, 73.95],
        }
    )
    prog = progression_from_results(results, start_s=73.19)
    assert list(prog["skater"]) == ["Kok", "Leerdam"]


def test_fastest_by_altitude_skips_unknown_altitude():
    times = frame(
        [
            ("WR", 1000, "2019-03-09", "E", "USA", 71.61, "Utah"),
            ("OR", 1000, "2022-02-17", "T", "JPN", 73.19, "Beijing"),
            ("OR", 1000, "1970-01-01", "X", "URS", 70.00, "Unknown rink"),
        ]
    )
    venues = pd.DataFrame({"venue": ["Utah", "Beijing", "Unknown rink"], "altitude_m": [1425.0, 49.0, None]})
    best = fastest_by_altitude(times, venues, 1000)
    assert list(best["skater"]) == ["T", "E"]
    assert list(best["at_altitude"]) == [False, True]


def test_games_with_new_records_and_altitude_share():
    from analysis import load_records, load_venues
    from analysis.records import games_with_new_records, olympic_record_history, share_at_altitude

    records = load_records()
    women = records[records["gender"] == "W"]
    games, fell = games_with_new_records(olympic_record_history(women, 500, "2026-02-20"), 2026)
    assert games[0] == 1960 and games[-1] == 2026 and 2026 in fell and set(fell) <= set(games)
    share, n = share_at_altitude(women, load_venues(), "WR", "1990-01-01")
    assert 0.5 < share <= 1 and n > 10


def test_games_survived_counts_the_games_before_1960():
    """A men's record of 1948 that stood until 1956 survived the 1952 Games (Oslo)."""
    from analysis.records import games_with_new_records, olympic_record_history

    old = frame(
        [
            ("OR", 500, "1948-01-31", "Helgesen", "NOR", parse_time("43.1"), "St. Moritz"),
            ("OR", 500, "1956-01-28", "Grishin", "URS", parse_time("40.2"), "Misurina"),
        ]
    ).assign(hand_timed=True)
    history = olympic_record_history(old, 500, "2026-02-20")
    assert list(history["games_survived"]) == [1, 18]  # 1952; then the 18 Games from 1960 to 2026
    games, fell = games_with_new_records(history, 2026)
    assert games[:3] == [1948, 1952, 1956] and fell == [1948, 1956]


def test_the_field_comparison_starts_with_electronic_timing():
    """The women's 1000 m: hand times to the tenth until 1968, so the whole-field comparison runs from 1972."""
    from analysis import load_all
    from analysis.records import electronic_field_span, first_electronic_games, olympic_field_times

    results = load_all().results
    field = olympic_field_times(results[results["gender"] == "W"], 1000)
    assert field.loc[field["year"] <= 1968, "hand_timed"].all() and first_electronic_games(field) == 1972
    span = electronic_field_span(field)
    assert int(span["first"]["year"]) == 1972 and not span["first"]["hand_timed"]
    assert span["closest"]["spread_pct"] == field.loc[~field["hand_timed"], "spread_pct"].min()
    assert electronic_field_span(field[field["hand_timed"]]) is None
