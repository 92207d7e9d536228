"""Race outcome: leader by pair, record breaks, laps, results table."""

import math

import pandas as pd
import pytest

from analysis.outcome import lap_table, lead_spells, leader_by_pair, record_breaks, results_table


def race(rows):
    df = pd.DataFrame(rows, columns=["rank", "skater", "nation", "time_s", "pair", "lane", "status"])
    df["rank"] = df["rank"].astype("Int64")
    df["pair"] = df["pair"].astype("Int64")
    df["time_s"] = df["time_s"].astype("float64")
    df["date"] = pd.Timestamp("2026-02-09")
    df["distance_m"] = 1000
    return df


RACE = race(
    [
        (1, "A", "NED", 72.31, 3, "outer", None),
        (2, "B", "NED", 72.59, 2, "outer", None),
        (3, "C", "JPN", 73.95, 3, "inner", None),
        (4, "D", "USA", 75.00, 1, None, None),
        (5, "E", "CAN", 75.10, 2, None, None),
        (None, "F", "KAZ", math.nan, 1, None, "DNF"),
    ]
)


def test_leader_by_pair():
    leaders = leader_by_pair(RACE)
    assert list(leaders["leader"]) == ["D", "B", "A"]
    assert list(leaders["new_leader"]) == [True, True, True]
    assert leaders["certain"].all()
    spells = lead_spells(leaders)
    assert list(spells["pairs"]) == [1, 1, 1]


def test_leader_uncertain_when_pair_missing():
    rows = RACE.copy()
    rows.loc[rows["skater"] == "B", "pair"] = pd.NA
    leaders = leader_by_pair(rows)
    # B (72.59, pair unknown) could have led after pairs 1 and 2; after pair 3 A leads for sure.
    assert list(leaders["certain"]) == [False, False, True]


def test_leader_uncertain_for_missing_time_only_if_rank_allows():
    rows = pd.concat([RACE, race([(None, "G", "CHN", math.nan, None, None, None)])], ignore_index=True)
    # ranks 1-5 are all present, so G (no rank, no time) is at best 6th: cannot lead.
    assert leader_by_pair(rows)["certain"].all()
    rows.loc[rows["skater"] == "D", "rank"] = pd.NA
    rows.loc[rows["skater"] == "D", "time_s"] = math.nan
    # D (pair 1) now has no time: nobody is known to lead after pair 1. From pair 2 on B (2nd) leads,
    # and D and G can at best be 4th (the lowest rank missing), so they cannot have beaten her.
    leaders = leader_by_pair(rows)
    assert pd.isna(leaders.loc[0, "leader"])
    assert list(leaders["certain"]) == [False, True, True]


def test_leader_without_a_rank_is_uncertain_against_a_ranked_skater_without_time():
    """A leader whose place no source printed (time only) against a skater with a place but no time: either
    could have been ahead, so the lead is uncertain, and nothing fails on the missing rank."""
    rows = RACE.copy()
    rows.loc[rows["skater"] == "D", "rank"] = pd.NA  # D leads after pair 1 on her time alone
    rows = pd.concat([rows, race([(6, "H", "ITA", math.nan, None, None, None)])], ignore_index=True)
    leaders = leader_by_pair(rows)
    assert list(leaders["leader"]) == ["D", "B", "A"]
    assert list(leaders["certain"]) == [False, True, True]  # from pair 2 on, H (6th) is behind a ranked leader


def test_record_breaks_in_pair_order_and_tie_is_not_a_break():
    rows = pd.concat([RACE, race([(2, "Tie", "NED", 72.59, 3, None, None)])], ignore_index=True)
    breaks = record_breaks(rows, record_before=73.19)
    assert list(breaks["skater"]) == ["B", "A"]
    assert list(breaks["by_s"]) == [pytest.approx(0.60), pytest.approx(0.28)]
    assert record_breaks(RACE, record_before=72.0).empty


def test_lap_table_only_complete_segments():
    splits = pd.DataFrame(
        {
            "date": pd.Timestamp("2026-02-09"),
            "distance_m": 1000,
            "skater": ["A", "A", "B"],
            "split_m": [200, 600, 200],
            "elapsed_s": [17.60, 44.00, 17.4],
            "decimals": [2, 2, 1],
        }
    )
    laps = lap_table(RACE, splits)
    a = laps[laps["skater"] == "A"]
    assert list(a["segment"]) == ["opener", "200-600 m", "600-1000 m"]
    assert list(a["seconds"]) == [pytest.approx(17.60), pytest.approx(26.40), pytest.approx(28.31)]
    b = laps[laps["skater"] == "B"]
    assert list(b["segment"]) == ["opener"]  # no 600 m split: no lap can be computed
    assert list(b["decimals"]) == [1]


def test_results_table_gaps_and_missing():
    table = results_table(RACE, style="nl")
    assert list(table["Time"][:2]) == ["1.12,31", "1.12,59"]
    assert list(table["Gap"][:2]) == ["", "+0,28"]
    assert table.loc[table["Skater"] == "F", "Time"].item() == "DNF"
    assert table.loc[table["Skater"] == "D", "Lane"].item() == "–"
    assert list(table["Medal"][:4]) == ["gold", "silver", "bronze", ""]


def test_results_table_keeps_a_hand_time_to_the_tenth_and_drops_columns_no_source_gives():
    """An Olympic table of 1968: hand times to the tenth (gaps too), no pairs or lanes to show."""
    old = race(
        [
            (1, "A", "URS", 46.1, None, None, None),
            (2, "B", "USA", 46.3, None, None, None),
            (2, "C", "USA", 46.3, None, None, None),
            (None, "D", "JPN", math.nan, None, None, "DNF"),
        ]
    ).assign(hand_timed=[True, True, True, None])
    table = results_table(old)
    assert list(table.columns) == ["Rank", "Skater", "Nation", "Time", "Gap", "Medal"]
    assert list(table["Time"]) == ["46.1", "46.3", "46.3", "DNF"]
    assert list(table["Gap"]) == ["", "+0.2", "+0.2", "–"]
    assert list(results_table(RACE)["Time"][:1]) == ["1:12.31"]  # without the column: hundredths, as before


def test_a_skater_without_a_place_leaves_no_missing_rank():
    from analysis.outcome import race_coverage

    assert race_coverage(RACE)["missing_ranks"] == []  # F did not finish: five places for six skaters
