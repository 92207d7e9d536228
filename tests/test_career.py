"""The career page's computations (analysis.career) hold against the raw results, without starting a kernel."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import career as cr
from analysis import load_all
from analysis.data import season_of
from analysis.records import record_in_force
from analysis.skaters import UnknownSkater

DATA = load_all()
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "05-skater-career.ipynb"


def test_any_spelling_finds_the_register_name():
    assert cr.resolve_skater(DATA, "Jutta LEERDAM") == "Jutta Leerdam"
    assert cr.resolve_skater(DATA, "leerdam jutta") == "Jutta Leerdam"


def test_unknown_name_raises_with_the_closest_names():
    with pytest.raises(UnknownSkater) as caught:
        cr.career(DATA, "Jutta Leerdan")
    assert isinstance(caught.value, LookupError)
    assert "Jutta Leerdam" in caught.value.suggestions
    assert "Jutta Leerdam" in str(caught.value)


def test_a_register_name_without_results_is_refused():
    known = set(DATA.skaters["name"]) - set(DATA.results["skater"])
    name = sorted(known)[0]
    with pytest.raises(LookupError, match="no race result"):
        cr.resolve_skater(DATA, name)


def test_leerdams_olympic_1000m_of_2026_is_a_gold_with_rank_1():
    champs = cr.championships(DATA, "Jutta Leerdam")
    race = champs[champs["race_id"] == "2026-02-09-W1000"]
    assert len(race) == 1 and race["rank"].iloc[0] == 1 and race["competition_type"].iloc[0] == "OG"
    medals = cr.olympic_medals(DATA, "Jutta Leerdam")
    gold = medals[(medals["date"] == "2026-02-09") & (medals["distance_m"] == 1000)]
    assert list(gold["medal"]) == ["gold"]


@pytest.mark.parametrize("name", ["Jutta Leerdam", "Miho Takagi", "Lidiya Skoblikova"])
def test_season_best_is_the_fastest_timed_result_of_that_season(name):
    bests = cr.season_bests(DATA, name)
    mine = DATA.results[(DATA.results["skater"] == name) & DATA.results["time_s"].notna()]
    expected = mine.groupby([mine["date"].map(season_of), "distance_m"])["time_s"].min()
    got = bests.set_index(["season", "distance_m"])["time_s"]
    assert len(got) == len(expected)
    for key, fastest in expected.items():
        assert got[key] == fastest, key
    counts = mine.groupby([mine["date"].map(season_of), "distance_m"]).size()
    assert (bests.set_index(["season", "distance_m"])["timed_races"] == counts.reindex(got.index)).all()


def test_division_b_wins_are_not_world_cup_wins():
    cup = cr.world_cup_seasons(DATA, "Miho Takagi")
    mine = DATA.results[(DATA.results["skater"] == "Miho Takagi") & (DATA.results["competition_type"] == "WC")]
    assert cup["b_wins"].sum() > 0  # she won Division B races: the test below can fail
    assert cup["wins"].sum() == ((mine["division"] == "A") & (mine["rank"] == 1)).sum()
    assert cup["b_wins"].sum() == ((mine["division"] == "B") & (mine["rank"] == 1)).sum()


def test_moving_a_win_to_division_b_takes_it_off_the_world_cup_count():
    results = DATA.results.copy()
    win = results[
        (results["skater"] == "Jutta Leerdam") & (results["competition_type"] == "WC") & (results["rank"] == 1)
    ].index[0]
    before = cr.world_cup_seasons(DATA, "Jutta Leerdam")
    results.loc[win, "division"] = "B"
    after = cr.world_cup_seasons(dataclasses.replace(DATA, results=results), "Jutta Leerdam")
    assert after["wins"].sum() == before["wins"].sum() - 1
    assert after["b_wins"].sum() == before["b_wins"].sum() + 1
    assert after["races"].sum() == before["races"].sum() - 1


@pytest.mark.parametrize("name", ["Jutta Leerdam", "Bonnie Blair"])
def test_head_to_head_counts_are_symmetric(name):
    for other in cr.opponents(DATA, name).head(4)["opponent"]:
        ours = cr.head_to_head(DATA, name, other)
        theirs = cr.head_to_head(DATA, other, name)
        assert sorted(ours["race_id"]) == sorted(theirs["race_id"])
        flip = {"ahead": "behind", "behind": "ahead", "level": "level"}
        assert dict(zip(ours["race_id"], ours["result"])) == {
            race: flip[result] for race, result in zip(theirs["race_id"], theirs["result"])
        }


def test_head_to_head_follows_places_then_times():
    races = cr.head_to_head(DATA, "Jutta Leerdam", "Femke Kok")
    both_ranked = races.dropna(subset=["rank", "opponent_rank"])
    expected = np.where(both_ranked["rank"] < both_ranked["opponent_rank"], "ahead", "behind")
    expected = np.where(both_ranked["rank"] == both_ranked["opponent_rank"], "level", expected)
    assert list(both_ranked["result"]) == list(expected)
    table = cr.opponents(DATA, "Jutta Leerdam").set_index("opponent")
    kok = table.loc["Femke Kok"]
    assert kok["met"] == len(races) == kok["ahead"] + kok["behind"] + kok["level"]
    assert cr.career(DATA, "Femke Kok").opponents.set_index("opponent").loc["Jutta Leerdam", "ahead"] == kok["behind"]


def test_a_meeting_needs_a_place_or_a_time_from_both():
    results = DATA.results.copy()
    race = results[(results["race_id"] == "2026-02-09-W1000") & (results["skater"] == "Femke Kok")].index
    before = len(cr.head_to_head(DATA, "Jutta Leerdam", "Femke Kok"))
    results.loc[race, ["rank", "time_s", "status"]] = [pd.NA, np.nan, "DQ"]
    changed = dataclasses.replace(DATA, results=results)
    assert len(cr.head_to_head(changed, "Jutta Leerdam", "Femke Kok")) == before - 1


def test_hand_timed_times_are_flagged():
    bests = cr.season_bests(DATA, "Lidiya Skoblikova")
    assert len(bests) and bests["hand_timed"].all()
    pbs = cr.personal_bests(DATA, "Lidiya Skoblikova")
    assert pbs["hand_timed"].all() and pbs["wr_hand_timed"].all()
    assert not cr.season_bests(DATA, "Jutta Leerdam")["hand_timed"].any()


def test_personal_bests_improve_and_face_the_record_of_the_day():
    pbs = cr.personal_bests(DATA, "Femke Kok")
    records = DATA.records[DATA.records["gender"] == "W"]
    for distance, part in pbs.groupby("distance_m"):
        assert (part["time_s"].diff().dropna() < 0).all()
        for row in part.itertuples():
            wr = record_in_force(records, "WR", distance, row.date)
            assert row.wr_s == wr["time_s"] and row.behind_wr_s == pytest.approx(row.time_s - wr["time_s"], abs=1e-3)
    record = pbs[pbs["set_wr"]]
    assert list(record["time_s"]) == [36.09] and (record["behind_wr_s"] < 0).all()


def test_olympic_medals_skip_the_two_race_500m():
    champs = cr.championships(DATA, "Lee Sang-hwa")
    two = champs[champs["two_race"]]
    assert len(two) and (two["rank"] == 1).any()  # she won a race of a two-race 500 m ...
    medals = cr.olympic_medals(DATA, "Lee Sang-hwa")
    assert not medals["date"].isin(two["date"]).any()  # ... which is not a medal by itself


def test_records_outside_the_data_are_named():
    own = cr.own_records(DATA, "Eric Heiden")
    wr = own[own["record"] == "WR"]
    assert len(wr) and not wr["in_results"].any()
    ors = own[own["record"] == "OR"]
    assert len(ors) and ors["in_results"].all()
    none = cr.own_records(DATA, "Angelina Golikova")  # no record: an empty table that can still be filtered
    assert none.empty and none["in_results"].dtype == bool and none[~none["in_results"]].columns.equals(none.columns)


def test_news_races_on_days_the_official_source_covers_are_no_gap():
    seasons = ["2023-24", "2025-26"]
    partial = cr.news_competitions(DATA, "W", seasons)
    assert "World Cup 2025-26 #5 Inzell" in partial
    assert not any("2023-24 #5" in name for name in partial)


def test_career_bundles_the_functions():
    c = cr.career(DATA, "Kok Femke")
    assert c.skater == "Femke Kok" and c.nation == "NED" and c.gender == "W"
    assert c.rival == c.opponents["opponent"].iloc[0]
    assert len(c.rival_races) == c.opponents["met"].iloc[0]
    assert c.summary["races"].sum() == len(c.results)


def test_career_charts_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.plots import chart_title, plot_personal_bests, plot_season_bests, use_house_style

    use_house_style()
    c = cr.career(DATA, "Jutta Leerdam")
    fig = plot_season_bests(c.season_bests, c.nation, title="Season bests")
    panels = [ax for ax in fig.axes if ax.collections]
    assert len(panels) == c.season_bests["distance_m"].nunique()
    dots = sum(len(col.get_offsets()) for ax in panels for col in ax.collections)
    assert dots == len(c.season_bests)
    hollow = sum(1 for ax in panels for col in ax.collections if tuple(col.get_facecolor()[0][:3]) == (1.0, 1.0, 1.0))
    assert hollow == int(c.season_bests["at_altitude"].eq(True).sum())
    assert chart_title(fig) == "Season bests"
    plt.close(fig)
    last = c.results["date"].max()
    lines = {
        d: cr.world_record_line(DATA, "W", d, part["date"].min(), last)
        for d, part in c.personal_bests.groupby("distance_m")
    }
    fig = plot_personal_bests(c.personal_bests, lines, c.nation, end=last, title="Bests")
    assert len(fig.axes) == 3 and all(len(ax.lines) == 2 for ax in fig.axes)  # best and record per distance
    plt.close(fig)


def test_the_notebook_takes_a_skater_parameter():

    import nbformat

    from analysis.report import notebook_parameters

    # v4.reads, not nbformat.read: the latter validates against the notebook schema, which costs a test worker seconds.
    nb = nbformat.v4.reads(NOTEBOOK.read_text(encoding="utf-8"))
    assert notebook_parameters(nb) == {"skater": "Jutta Leerdam", "time_style": "intl"}
    assert all(cell.get("id") for cell in nb.cells)
