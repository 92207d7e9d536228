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


def test_conditions_from_the_sheet_or_the_results_api():
    with_sheet = race_story(DATA, "2025-12-13-W1000")
    assert with_sheet.conditions is not None and with_sheet.conditions["ice_start_c"] == pytest.approx(-8.3)
    assert with_sheet.conditions_source == "ISU sheet"
    api = race_story(DATA, "2014-02-13-W1000")  # an Olympic race from the results API: conditions too
    assert api.conditions_source == "ISU results API" and api.conditions["ice_start_c"] == pytest.approx(-7.1)
    assert race_story(DATA, "2026-02-09-W1000").conditions is None  # news reports print none
    assert race_story(DATA, "1988-02-22-W500").conditions is None
    assert pd.isna(race_story(DATA, "2026-02-09-W1000").info["division"])


# Winners and winning times of past Olympic races, as independent pages give them (the data must agree): race id,
# winner, winning time as the page prints it, the winner's pair (None: the source has no pairs), and where it was read.
OLYMPIC_WINNERS = [
    ("1964-01-30-W500", "Lidiya Skoblikova", "45.0", None, "olympedia.org/results/1017; Wikipedia 1964 women's 500 m"),
    ("1968-02-09-W500", "Lyudmila Titova", "46.1", None, "Wikipedia 1968 women's 500 m; olympic.org news"),
    ("1980-02-15-M500", "Eric Heiden", "38.03", None, "olympedia.org/results/1046; Wikipedia 1980 men's 500 m"),
    ("1988-02-22-W500", "Bonnie Blair", "39.10", None, "Wikipedia 1988 women's 500 m; Olympedia results/1069"),
    ("2014-02-13-W1000", "Zhang Hong", "1:14.02", 7, "olympedia.org/results/350668; ISU news"),
    ("2022-02-12-M500", "Gao Tingyu", "34.32", 7, "Eurosport, BBC, Reuters, 12 February 2022"),
]


@pytest.mark.parametrize(("race_id", "winner", "time", "pair", "read_at"), OLYMPIC_WINNERS)
def test_past_olympic_winners_agree_with_independent_sources(race_id, winner, time, pair, read_at):
    story = race_story(DATA, race_id)
    assert story.winner["skater"] == winner
    assert story.time_text(story.winner["time_s"]) == time
    if pair is None:
        assert not story.has_pairs and story.leaders.empty and story.source == "Olympic table"
    else:  # the winner skated in that pair and led from it to the end
        assert int(story.winner["pair"]) == pair and story.source == "ISU results API"
        last = story.spells.iloc[-1]
        assert (last["leader"], int(last["from_pair"])) == (winner, pair)


def test_provisional_leaders_before_the_winner_agree_with_reports():
    """Reports of the 2022 men's 500 m: Jordan Stolz led from pair 5 (34.85) until Gao Tingyu in pair 7."""
    spells = race_story(DATA, "2022-02-12-M500").spells.set_index("leader")
    assert (int(spells.loc["Jordan Stolz", "from_pair"]), spells.loc["Jordan Stolz", "time_s"]) == (5, 34.85)
    assert int(spells.loc["Jordan Stolz", "to_pair"]) == 6


def test_a_race_before_the_results_api_has_no_lead_by_pair_section():
    from analysis.outcome import results_table

    story = race_story(DATA, "1988-02-22-W500")
    assert story.source == "Olympic table" and not story.has_pairs
    assert story.leaders.empty and story.spells.empty
    assert "Pair" not in results_table(story.race).columns and "Lane" not in results_table(story.race).columns
    assert story.season_races == 0  # no World Cup before 2008 in the data: no season to show
    # without pairs the order in which the record fell is unknown: every skater under it is listed, fastest first
    olympic = next(check for check in story.records if check.record == "OR")
    assert not olympic.in_pair_order and olympic.breaks["skater"].iloc[0] == "Bonnie Blair"


def test_a_hand_timed_race_is_printed_to_the_tenth():
    from analysis.outcome import results_table

    story = race_story(DATA, "1968-02-09-W500")
    assert story.hand_timed and story.decimals == 1
    assert story.time_text(story.winner["time_s"]) == "46.1"
    table = results_table(story.race)
    assert list(table["Time"][:4]) == ["46.1", "46.3", "46.3", "46.3"]  # three skaters shared second place
    assert list(table["Gap"][:2]) == ["", "+0.2"]
    assert story.difference_text(0.2) == "0.2" and story.difference_text(0.0) == "0.0"
    electronic = race_story(DATA, "1988-02-22-W500")
    assert electronic.time_text(electronic.winner["time_s"]) == "39.10" and electronic.difference_text(0.02) == "0.02"


def test_the_two_race_500m_names_the_medals_of_the_sum():
    """Vancouver 2010: Mika Poutala won the first race; the gold went to Mo Tae-bum on the sum, 69.82 (ISU news)."""
    story = race_story(DATA, "2010-02-15-M500")
    assert story.winner["skater"] == "Mika Poutala" and story.medals_on_sum
    assert race_title(story.info) == "the men's 500 m (race 1 of 2) at the Olympic Winter Games 2010"
    gold = story.sum_medallists.iloc[0]
    assert (gold["skater"], int(gold["time_s"] * 100)) == ("Mo Tae-bum", 6982)
    assert not race_story(DATA, "2022-02-12-M500").medals_on_sum


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


def test_olympic_history_compares_margins_within_one_kind_of_timing():
    from analysis.story import olympic_history

    hand = olympic_history(DATA, "1968-02-09-W500")
    assert hand.this["margin_s"] == 0.2 and hand.this["hand_timed"]
    assert list(hand.margin_peers["year"]) == [1960, 1964] and hand.margin_peers["hand_timed"].all()
    assert hand.closer == 1 and list(hand.narrowest["year"]) == [1960]
    assert list(hand.more_record_beaters["year"]) == [1964]
    electronic = olympic_history(DATA, "2026-02-09-W1000")
    assert not electronic.margin_peers["hand_timed"].any() and electronic.margin_peers["year"].min() == 1972
    tie = olympic_history(DATA, "1960-02-26-M1500").this  # Aas and Grishin shared the gold
    assert tie["tied"] and tie["margin_s"] == 0
    own = olympic_history(DATA, "2010-02-16-W500-2")  # the page's own race stands for its Games
    assert own.this["race_id"] == "2010-02-16-W500-2" and own.this["races"] == 2


def test_olympic_history_lists_the_two_race_years_it_lacks():
    from analysis.story import olympic_history

    assert {1998, 2002, 2006} <= set(olympic_history(DATA, "2026-02-15-W500").missing)
