"""The race story's computations hold for every race in the data, without starting a kernel."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import load_all
from analysis.story import race_story, race_title, season_summary

DATA = load_all()
_ALL = DATA.races()
# Every race of 2025-26 and every Olympic race, plus 60 earlier races drawn with a fixed seed: the whole history
# (about 1,900 races) would take minutes; the sample still reaches every kind of source and competition.
_EARLIER = _ALL[(_ALL["date"] < "2025-07-01") & (_ALL["competition_type"] != "OG")]
RACES = sorted(
    set(_ALL.loc[(_ALL["date"] >= "2025-07-01") | (_ALL["competition_type"] == "OG"), "race_id"])
    | set(_EARLIER["race_id"].sample(n=min(60, len(_EARLIER)), random_state=2026))
)


@pytest.mark.parametrize("race_id", RACES)
def test_story_statements_hold(race_id):
    story = race_story(DATA, race_id)
    info = story.info
    assert f"{int(info['distance_m'])} m" in race_title(info)
    assert ("women's" if info["gender"] == "W" else "men's") in race_title(info)
    assert story.winner["rank"] == 1
    timed = story.race[story.race["status"].isna() & story.race["time_s"].notna()]
    if pd.notna(story.winner["time_s"]):
        assert story.winner["time_s"] == timed["time_s"].min()
    assert list(story.podium["rank"]) == sorted(story.podium["rank"])
    if len(story.spells):
        times = story.spells["time_s"].to_numpy()
        assert (times[1:] < times[:-1]).all(), "a slower time replaced a faster leader"
        if story.leaders["certain"].iloc[-1] and story.winner["pair"] == story.winner["pair"]:
            assert story.spells.iloc[-1]["leader"] == story.winner["skater"], "the last leader is not the winner"
    for check in story.records:
        if len(check.breaks):
            assert (check.breaks["time_s"] < check.before["time_s"]).all()
            assert check.best_gap_s is None
        elif check.before is not None and check.best_gap_s is not None:
            assert check.best_gap_s >= 0
    assert (story.season["date"] < info["date"]).all()
    summary = season_summary(story)
    assert len(summary) == len(story.podium)


def test_unknown_race_names_the_races_that_day():
    with pytest.raises(KeyError, match="races that day: 2026-02-09-W1000"):
        race_story(DATA, "2026-02-09-W100")


def test_conditions_only_for_sheet_races():
    with_sheet = race_story(DATA, "2025-12-13-W1000")
    assert with_sheet.conditions is not None and with_sheet.conditions["ice_start_c"] == pytest.approx(-8.3)
    assert race_story(DATA, "2026-02-09-W1000").conditions is None
    assert pd.isna(race_story(DATA, "2026-02-09-W1000").info["division"])


def test_season_summary_compares_with_lower_rinks_only():
    """The lower-rink best leaves out altitude rinks and rinks of unknown altitude (missing stays missing)."""
    import dataclasses

    story = race_story(DATA, "2026-02-09-W1000")
    season = story.season
    assert season.loc[season["venue"] == "Utah Olympic Oval", "at_altitude"].all()
    leerdam = season[(season["skater"] == "Jutta Leerdam") & season["time_s"].notna() & season["status"].isna()]
    low = leerdam[leerdam["altitude_m"] < 1000]
    assert len(low) and len(low) < len(leerdam)
    row = season_summary(story).set_index("skater").loc["Jutta Leerdam"]
    assert row["best_low_s"] == low["time_s"].min()
    assert row["best_s"] == leerdam["time_s"].min() < row["best_low_s"]
    # The lower-rink best made unknown: it must drop out, not count as a lower rink.
    best_row = low["time_s"].idxmin()
    unknown = season.copy()
    unknown.loc[best_row, ["altitude_m", "at_altitude"]] = [float("nan"), pd.NA]
    again = season_summary(dataclasses.replace(story, season=unknown)).set_index("skater").loc["Jutta Leerdam"]
    assert again["best_low_s"] > row["best_low_s"] or pd.isna(again["best_low_s"])


def test_a_track_record_is_not_an_incident():
    """Sheet codes T04-T10 name the rule behind a disqualification; TR is a track record, not a mishap."""
    story = race_story(DATA, "2026-02-11-M1000")
    assert "TR" in story.race.loc[story.race["skater"] == "Jordan Stolz", "note"].iloc[0].split()
    assert "Jordan Stolz" not in set(story.falls["skater"])
    assert {"Gabriel Odor", "Lian Ziwen"} <= set(story.falls["skater"])  # the two disqualified skaters stay


def test_olympic_history_of_the_2026_womens_1000m():
    from analysis.story import olympic_history

    hist = olympic_history(DATA, "2026-02-09-W1000")
    games = hist.games.set_index("year")
    assert list(games.index) == sorted(games.index) and games.index[0] == 1960 and 2026 in games.index
    assert (games.loc[2026, "winner"], games.loc[2026, "margin_s"], games.loc[2026, "beat_old_record"]) == (
        "Jutta Leerdam",
        0.28,
        2,
    )
    assert games.loc[2022, "winner"] == "Miho Takagi" and games.loc[2026, "old_record_s"] == games.loc[2022, "time_s"]
    takagi = hist.medallists[hist.medallists["skater"] == "Miho Takagi"]
    assert {(2022, 1000, 1), (2018, 1000, 3)} <= set(zip(takagi["year"], takagi["distance_m"], takagi["rank"]))
    assert hist.missing == []
    with pytest.raises(ValueError, match="not an Olympic race"):
        olympic_history(DATA, "2025-11-14-M1000")


def test_olympic_history_lists_the_two_race_years_it_lacks():
    from analysis.story import olympic_history

    assert {1998, 2002, 2006} <= set(olympic_history(DATA, "2026-02-15-W500").missing)
