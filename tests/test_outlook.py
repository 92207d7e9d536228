"""Medal outlook model: sums, dominance, entry list, leakage, seeds, streaks, scores."""

import numpy as np
import pandas as pd
import pytest

from analysis import load_entries, load_results, load_venues
from analysis import outlook


@pytest.fixture(scope="module")
def data():
    return load_results(), load_venues(), load_entries()


def forecast(data, distance=500, **kw):
    results, venues, entries = data
    kw.setdefault("n_sims", 20_000)
    kw.setdefault("bootstrap", 20)
    return outlook.medal_probabilities(distance, "2026-02-09", results=results, venues=venues, entries=entries, **kw)


@pytest.mark.parametrize("distance", [500, 1500])
def test_probabilities_sum(data, distance):
    table = forecast(data, distance).table
    for column in ("p_gold", "p_silver", "p_bronze"):
        assert table[column].sum() == pytest.approx(1.0)
    assert table["p_podium"].sum() == pytest.approx(3.0)
    assert ((table["p_podium"] >= 0) & (table["p_podium"] <= 1)).all()
    rated = table[table["races"] > 0]
    assert ((rated["p_podium_lo"] <= rated["p_podium_hi"])).all()


def test_far_faster_skater_wins(data):
    results, venues, entries = data
    fast = results.copy()
    mask = (fast["skater"] == "Anna Boersma") & (fast["distance_m"] == 500)
    fast.loc[mask, "time_s"] = fast.loc[mask, "time_s"] - 1.5
    table = outlook.medal_probabilities(500, "2026-02-09", n_sims=20_000, bootstrap=0, results=fast,
                                        venues=venues, entries=entries).table.set_index("skater")
    assert table.loc["Anna Boersma", "p_gold"] > 0.9  # a 2 % chance of a fall or mishap remains


def test_skater_not_entered_gets_nothing(data):
    results, venues, entries = data
    # Joy Beune won four World Cup 1500 m races but was not entered for the Olympic 1500 m.
    assert "Joy Beune" in set(results.loc[results["distance_m"] == 1500, "skater"])
    table = forecast(data, 1500).table
    assert "Joy Beune" not in set(table["skater"])
    fewer = entries[~((entries["skater"] == "Femke Kok") & (entries["distance_m"] == 500))]
    table = outlook.medal_probabilities(500, "2026-02-09", n_sims=10_000, bootstrap=0, results=results,
                                        venues=venues, entries=fewer).table
    assert "Femke Kok" not in set(table["skater"])


def test_no_leakage_from_later_results(data):
    results, venues, entries = data
    before = forecast(data, 500, seed=7).table
    changed = results.copy()
    later = changed["date"] > pd.Timestamp("2026-02-09")
    assert later.any()
    changed.loc[later, "time_s"] = changed.loc[later, "time_s"] * 0.9  # everyone much faster afterwards
    extra = changed[later].head(1).assign(skater="Anna Boersma", time_s=30.0, date=pd.Timestamp("2026-02-10"))
    changed = pd.concat([changed, extra], ignore_index=True)
    after = outlook.medal_probabilities(500, "2026-02-09", n_sims=20_000, bootstrap=20, seed=7, results=changed,
                                        venues=venues, entries=entries).table
    pd.testing.assert_frame_equal(before, after)


def test_same_seed_same_output_and_other_seed_differs(data):
    a, b, c = forecast(data, seed=1).table, forecast(data, seed=1).table, forecast(data, seed=2).table
    pd.testing.assert_frame_equal(a, b)
    assert not a["p_gold"].equals(c["p_gold"])


@pytest.mark.parametrize("as_of", ["2026-02-15", "2026-03-01"])
def test_as_of_on_or_after_race_is_refused(data, as_of):
    results, venues, entries = data
    with pytest.raises(ValueError, match="on or after"):
        outlook.medal_probabilities(500, as_of, results=results, venues=venues, entries=entries)


def test_malformed_as_of(data):
    with pytest.raises(ValueError, match="not a date"):
        outlook.medal_probabilities(500, "9 Feb", results=data[0], venues=data[1], entries=data[2])


def test_simulate_counts():
    rng = np.random.default_rng(0)
    counts = outlook.simulate(np.log([36.0, 37.0, 37.0, 38.0]), np.full(4, 0.006), 0.0, 5000, rng)
    assert counts.sum(axis=0).tolist() == [5000, 5000, 5000]
    assert counts[0, 0] > 0.99 * 5000  # a full second faster wins almost always (fat tails allow a rare upset)


def test_format_pct():
    assert outlook.format_pct(0.0004) == "<1 %"
    assert outlook.format_pct(0.0) == "–"
    assert outlook.format_pct(0.4449) == "44 %"
    assert outlook.format_pct(0.9996) == ">99 %"
    assert outlook.format_pct(1.0) == "100 %"


def test_scores_prefer_the_right_forecast():
    outcome = {"A": 1, "B": 2, "C": 3}
    good = outlook.baseline_probabilities(["A", "B", "C", "D"], ["A", "B", "C", "D"])
    bad = outlook.baseline_probabilities(["D", "C", "B", "A"], ["A", "B", "C", "D"])
    g, b = outlook.score_forecast(good, outcome), outlook.score_forecast(bad, outcome)
    assert g["rps"] < b["rps"] and g["brier_podium"] < b["brier_podium"] and g["log_loss"] < b["log_loss"]
    assert g["brier_podium"] == pytest.approx(0.0)


def test_kok_streak_from_data():
    results = load_results()
    streak_wc, races = outlook.win_streak(results, "Femke Kok", 500, "2026-02-09", ("WC",))
    assert streak_wc >= 13
    # Her last World Cup defeat was the silver in Quebec on 3 February 2024.
    losses = races[races["rank"] != 1]
    assert losses.iloc[-1]["date"] == pd.Timestamp("2024-02-03")
    assert outlook.win_streak(results, "Femke Kok", 500, "2024-02-03", ("WC",))[0] == 0
    assert outlook.win_streak(results, "Femke Kok", 500, "2024-02-04", ("WC",))[0] == 1


def test_evaluate_scores_model_and_baselines(data):
    results = data[0]
    f = forecast(data, 500)
    scores = outlook.evaluate(f, results, 500, "2026-02-09")
    assert list(scores["forecast"]) == ["model", "World Cup order (mean place)", "season-best order (raw)"]
    assert outlook.olympic_medallists(results, 500) == {"Femke Kok": 1, "Jutta Leerdam": 2, "Miho Takagi": 3}
    expected = outlook.score_forecast(f.table, outlook.olympic_medallists(results, 500))
    assert scores.iloc[0]["rps"] == pytest.approx(expected["rps"])


def test_sensitivity_zero_shift_changes_nothing(data):
    results, venues, entries = data
    sens = outlook.sensitivity(1500, "2026-02-09", (0.0, 0.5), ["Femke Kok", "Brittany Bowe"], 10_000, 3,
                               results=results, venues=venues, entries=entries)
    assert (sens.loc[sens["altitude shift (%)"] == 0.0, "change_points"] == 0).all()
    # Bowe's only 1500 m this season was on an altitude oval: making those ovals count as slower helps her.
    bowe = sens[(sens["skater"] == "Brittany Bowe") & (sens["altitude shift (%)"] == 0.5)].iloc[0]
    assert bowe["p_podium_shifted"] > bowe["p_podium"]


def test_olympic_vs_world_marks_altitude():
    from analysis import load_records
    from analysis.records import olympic_vs_world

    gaps = olympic_vs_world(load_records(), 1000, load_venues()).set_index("year")
    assert bool(gaps.loc[1988, "or_at_altitude"]) and gaps.loc[1988, "gap_s"] == 0
    assert not bool(gaps.loc[2026, "or_at_altitude"])
