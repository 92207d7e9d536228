"""The forecast for any race, and its backtest: what must hold whatever the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import load_venues
from analysis.backtest import coverage, paired, reliability, run, scores
from analysis.data import Dataset, load_all
from analysis.outlook import (
    chance_table,
    favourites,
    forecast,
    format_pct,
    last_defeat,
    season_wins,
    simulate,
    win_streak,
)


@pytest.fixture(scope="module")
def data() -> Dataset:
    return load_all()


def _with_results(data: Dataset, results: pd.DataFrame) -> Dataset:
    return Dataset(
        results=results,
        splits=data.splits,
        records=data.records,
        venues=data.venues,
        entries=data.entries,
        skaters=data.skaters,
        conditions=data.conditions,
    )


@pytest.mark.parametrize(
    "race_id", ["2026-02-15-W500", "2026-02-20-W1500", "2026-02-09-W1000", "2025-12-13-M1000", "2025-11-22-W500-B"]
)
def test_every_entrant_has_a_chance_and_the_sums_hold(data, race_id):
    table = forecast(data, race_id, n_sims=4000).table
    assert (table[["p_gold", "p_silver", "p_bronze", "p_podium"]] > 0).all().all()
    assert table[["p_gold", "p_silver", "p_bronze"]].sum().to_numpy() == pytest.approx([1, 1, 1])
    assert table["p_podium"].sum() == pytest.approx(3)
    assert (table["q10_s"] < table["q90_s"]).all()


def test_olympic_field_is_the_entry_list_and_maltais_has_a_chance(data):
    fc = forecast(data, "2026-02-20-W1500", n_sims=4000)
    entered = data.entries[(data.entries["date"] == "2026-02-20") & (data.entries["entry_status"] == "entered")]
    assert set(entered["skater"]) <= set(fc.table["skater"])
    assert fc.table.set_index("skater").loc["Valérie Maltais", "p_podium"] > 0.01
    assert "entry list" in fc.field_source


def test_results_after_as_of_do_not_change_the_forecast(data):
    before = forecast(data, "2026-02-15-W500", n_sims=4000)
    cut = data.results[data.results["date"] <= before.as_of]
    kept_race = data.results[data.results["race_id"] == "2026-02-15-W500"]  # the field, not its results
    trimmed = _with_results(data, pd.concat([cut, kept_race]))
    after = forecast(trimmed, "2026-02-15-W500", n_sims=4000)
    pd.testing.assert_frame_equal(before.table, after.table)


def test_a_far_faster_skater_is_the_favourite(data):
    results = data.results.copy()
    mask = (results["skater"] == "Anna Boersma") & (results["distance_m"] == 500)
    results.loc[mask, "time_s"] -= 1.5
    before = forecast(data, "2026-02-15-W500", n_sims=4000).table.set_index("skater")
    table = forecast(_with_results(data, results), "2026-02-15-W500", n_sims=4000).table.set_index("skater")
    # Her ranks were left as they were (one rank-only race counts), so she does not take everything.
    assert table["p_gold"].idxmax() == "Anna Boersma"
    assert table.loc["Anna Boersma", "p_gold"] > 0.4 > 0.05 > before.loc["Anna Boersma", "p_gold"]


def test_too_early_as_of_is_a_thin_forecast_not_an_error(data):
    fc = forecast(data, "2025-11-15-M500", as_of="2008-10-01", n_sims=2000)  # before the first race held
    assert fc.thin and "leans on priors" in fc.thin[0]
    assert fc.table["p_podium"].max() < 0.5  # no confident podium built on nothing
    with pytest.raises(ValueError, match="not before the race"):
        forecast(data, "2026-02-15-W500", as_of="2026-02-15")
    with pytest.raises(KeyError, match="no race"):
        forecast(data, "2026-02-16-W500")
    with pytest.raises(ValueError, match="not a date"):
        forecast(data, "2026-02-15-W500", as_of="9 Feb")


def test_simulation_orders_by_speed():
    rng = np.random.default_rng(1)
    mu, sd = np.log([36.0, 37.0, 37.0, 38.0]), np.full(4, 0.006)
    counts = simulate(mu, sd, 0.0, 5000, rng, slip_share=0.0)
    assert counts[0, 0] > 4900 and counts[:, 0].sum() == 5000 and counts[3, :].sum() < 50
    # Slips only cost time: the fastest wins a little less often, the slowest reaches the podium a little more.
    slipping = simulate(mu, sd, 0.0, 5000, np.random.default_rng(1), slip_share=0.2, slip_mean=0.02)
    assert slipping[0, 0] < counts[0, 0] and counts[3, :].sum() < slipping[3, :].sum() < 1000


def test_format_pct():
    assert format_pct(0.0004) == "<1 %"
    assert format_pct(0.0) == "–"
    assert format_pct(0.4449) == "44 %"
    assert format_pct(0.9996) == ">99 %"


def test_kok_streak_from_data(data):
    streak_wc, races = win_streak(data.results, "Femke Kok", 500, "2026-02-09", ("WC",))
    assert streak_wc >= 13
    assert last_defeat(races)["date"] == pd.Timestamp("2024-02-03")  # the silver in Quebec
    assert win_streak(data.results, "Femke Kok", 500, "2024-02-04", ("WC",))[0] == 1


def test_a_race_without_rank_is_a_defeat_for_streak_and_last_defeat():
    races = pd.DataFrame({"date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]), "rank": [1, None, 1]})
    assert last_defeat(races)["date"] == pd.Timestamp("2025-02-01")
    assert last_defeat(races.iloc[[0, 2]]) is None


def test_season_wins_finds_the_dominant_sprinter_of_each_sex(data):
    for gender, skater in (("W", "Femke Kok"), ("M", "Jordan Stolz")):
        results = data.results[data.results["gender"] == gender]
        table = season_wins(results, 500, "2025-07-01", "2026-02-09")
        assert table.iloc[0]["skater"] == skater, table.head()
        assert (table["wins"] <= table["races"]).all() and table["wins"].is_monotonic_decreasing
    men = season_wins(data.results[data.results["gender"] == "M"], 500, "2025-07-01", "2026-02-09")
    assert men.iloc[0]["wins"] == 5  # World Cups 1-4: Stolz won 5 of the 7 Division A 500 m races


def test_chance_table_and_favourites_read_the_forecast(data):
    fc = forecast(data, "2026-02-14-M500", "2026-02-09", n_sims=4000, seed=1)
    table = chance_table(fc, top=5)
    assert list(table["Skater"]) == list(fc.table["skater"].head(5))
    assert table["Gold"].str.endswith("%").all() and table["Likely time (80 %)"].str.contains(" – ").all()
    winner, others = favourites(fc)
    assert winner["p_gold"] == fc.table["p_gold"].max() and winner["skater"] not in set(others["skater"])


@pytest.fixture(scope="module")
def small_backtest(data) -> pd.DataFrame:
    return run(data, ["2025-12-13-W1000", "2025-12-12-M500", "2026-02-15-W500"], n_sims=4000)


def test_backtest_file_holds_what_scores_need(small_backtest):
    frame = small_backtest
    assert set(frame["forecaster"]) == {"model", "uniform", "season best", "World Cup standing"}
    for (_, _), group in frame.groupby(["forecaster", "race_id"]):
        assert group[["p_gold", "p_silver", "p_bronze"]].sum().to_numpy() == pytest.approx([1, 1, 1])
        assert (group["rank"] == 1).sum() >= 1  # the winner is in every table
    model = frame[frame["forecaster"] == "model"]
    assert (model["p_podium"] > 0).all()


def test_scores_by_hand(small_backtest):
    per_race = scores(small_backtest)
    uniform = small_backtest[
        (small_backtest["forecaster"] == "uniform") & (small_backtest["race_id"] == "2025-12-13-W1000")
    ]
    n = len(uniform)
    row = per_race[(per_race["forecaster"] == "uniform") & (per_race["race_id"] == "2025-12-13-W1000")].iloc[0]
    assert row["log_loss"] == pytest.approx(np.log(n))
    assert row["brier_podium"] == pytest.approx((3 * (3 / n - 1) ** 2 + (n - 3) * (3 / n) ** 2) / n)
    table = paired(per_race)
    assert table.set_index("forecaster").loc["uniform", "races"] == 3


def test_calibration_and_coverage_count_every_forecast(small_backtest):
    model = small_backtest[small_backtest["forecaster"] == "model"]
    assert reliability(small_backtest, n_boot=100)["forecasts"].sum() == len(model)
    cover = coverage(small_backtest)
    assert cover["finishes"] == int(model["time_s"].notna().sum())
    assert cover["inside"] + cover["faster"] + cover["slower"] == pytest.approx(1)


def test_olympic_vs_world_marks_altitude():
    from analysis import load_records
    from analysis.records import olympic_vs_world

    gaps = olympic_vs_world(load_records().query("gender == 'W'"), 1000, load_venues()).set_index("year")
    assert bool(gaps.loc[1988, "or_at_altitude"]) and gaps.loc[1988, "gap_s"] == 0
    assert not bool(gaps.loc[2026, "or_at_altitude"])


def test_a_slower_result_lowers_a_contenders_chance(data):
    """Making a contender's latest 500 m before the Games slower must lower her or his level and medal chance."""
    results = data.results.copy()
    race, day = "2026-02-14-M500", "2026-02-09"
    base = forecast(data, race, as_of=day, n_sims=20_000).table.set_index("skater")
    contender = base.index[2]  # the third most likely medallist
    mine = results[(results["skater"] == contender) & (results["distance_m"] == 500) & (results["date"] <= day)]
    latest = mine.sort_values("date").index[-1]
    results.loc[latest, "time_s"] += 0.3  # slower, well within 5 % (beyond counts as a mishap, like a fall)
    slower = forecast(_with_results(data, results), race, as_of=day, n_sims=20_000).table.set_index("skater")
    assert slower.loc[contender, "level_s"] > base.loc[contender, "level_s"]
    assert slower.loc[contender, "p_podium"] < base.loc[contender, "p_podium"]


def test_the_priors_pull_and_slips_do_not_count_as_spread():
    """A skater's only result, however far from the prior, leaves her spread at the prior (no degree of freedom);
    and a slow race counts only up to twice the elite spread (beyond is a slip, drawn on its own)."""
    from analysis.outlook import DEFAULT, ELITE_SD, _fit

    def spread(y_alone: float, y_slow: float) -> tuple[float, float]:
        rows = [("alone", "r1", y_alone)] + [("steady", f"r{i}", 0.0) for i in range(1, 6)]
        rows += [("steady", "r6", y_slow)]
        obs = pd.DataFrame(rows, columns=["skater", "race_id", "y"]).assign(
            w=1.0, altitude_m=0.0, competition_type="WC", date=pd.Timestamp("2025-12-01")
        )
        fit, _ = _fit(obs, None, DEFAULT)
        return float(fit.loc["alone", "spread"]), float(fit.loc["steady", "spread"])

    assert spread(0.0, 0.0)[0] == pytest.approx(ELITE_SD) == spread(0.05, 0.0)[0]
    slow = np.array([0.0] * 5 + [0.05])  # one race 5 % slow: without the cap it alone would set the spread
    uncapped = np.sqrt((3 * ELITE_SD**2 + ((slow - slow.mean()) ** 2).sum()) / (3 + len(slow) - 1))
    assert spread(0.0, 0.05)[1] < 0.5 * uncapped


def test_stored_backtest_is_current_and_is_what_the_code_computes(data, small_backtest):
    """The stored backtest (read by the track-record page) was computed from today's code and data; and its rows
    are what the backtest computes now (model and baselines), for a few races recomputed here."""
    from analysis import backtest

    assert backtest.is_current(), "data/derived/backtest.csv.gz is stale: run `make backtest` and commit it"
    stored = backtest.load_backtest()
    assert stored["race_id"].nunique() >= 300
    olympic = backtest.olympic_forecasts(stored, data)
    assert len(olympic) >= 18 and olympic["year"].nunique() >= 3
    races = ["2025-12-13-W1000", "2025-12-12-M500"]
    fresh = run(data, races, n_sims=backtest.STORED_SIMS, seed=backtest.STORED_SEED)
    keys = ["forecaster", "race_id", "skater"]
    mine = stored[stored["race_id"].isin(races)].sort_values(keys).reset_index(drop=True)
    fresh = fresh.sort_values(keys).reset_index(drop=True)
    assert list(mine["skater"]) == list(fresh["skater"])
    for column in ("p_gold", "p_podium", "q90_s", "pit"):
        assert np.allclose(mine[column].astype(float), fresh[column].astype(float), rtol=1e-5, equal_nan=True), column


def test_a_stale_stored_backtest_names_the_command_that_rebuilds_it(monkeypatch):
    from analysis import backtest

    monkeypatch.setattr(backtest, "stored_key", lambda data_dir=None: "computed from other code")
    assert not backtest.is_current()
    with pytest.raises(backtest.StaleBacktest, match="make backtest"):
        backtest.load_backtest()


def test_backtest_races_span_seasons_and_games(data):
    from analysis.backtest import HELD_OUT_FROM, backtest_races

    races = backtest_races(data)
    info = data.races().set_index("race_id").loc[races]
    assert len(races) >= 300
    assert not info["division"].eq("B").any()  # Division B decides no medal that matters
    assert (info["date"] >= HELD_OUT_FROM).sum() >= 100
    games = info[info["competition_type"] == "OG"]["date"].dt.year
    assert sorted(games.unique()) == [2014, 2018, 2022, 2026]


def test_reliability_band_holds_the_observed_share_and_counts_every_forecast(small_backtest):
    from analysis.backtest import pit_histogram, reliability

    model = small_backtest[small_backtest["forecaster"] == "model"]
    for place in (None, 1, 2, 3):
        table = reliability(small_backtest, place=place, n_boot=200)
        assert table["forecasts"].sum() == len(model)
        filled = table[table["forecasts"] > 0]
        assert ((filled["low"] <= filled["observed"] + 1e-12) & (filled["observed"] <= filled["high"] + 1e-12)).all()
    assert reliability(small_backtest, place=1)["happened"].sum() == (model["rank"] == 1).sum()
    pit = pit_histogram(small_backtest)
    assert pit["finishes"].sum() == model["pit"].notna().sum() > 0


def test_pit_is_the_chance_of_a_time_at_most_that_fast(data):
    from analysis.outlook import pit

    fc = forecast(data, "2025-12-13-W1000", n_sims=2000)
    row = fc.table.iloc[0]
    times = pd.Series([row["q10_s"], row["q90_s"], 1.0, 1000.0], index=[row["skater"]] * 4)
    values = pit(fc, times).to_numpy()
    assert values[0] == pytest.approx(0.1, abs=1e-6) and values[1] == pytest.approx(0.9, abs=1e-6)
    assert values[2] < 1e-6 and values[3] > 1 - 1e-6


def test_the_slow_tail_makes_slow_times_likelier_than_fast_ones():
    from analysis.outlook import race_noise_cdf

    sd = 0.005
    below = race_noise_cdf(-0.01, sd, 0.1, 0.008)
    above = 1 - race_noise_cdf(0.01, sd, 0.1, 0.008)
    assert above > 2 * below  # a slip costs time, nobody gains it
    assert race_noise_cdf(0.01, sd, 0.0, 0.008) == pytest.approx(1 - race_noise_cdf(-0.01, sd, 0.0, 0.008))
