"""Plot helpers: they draw what they are given, into a given axes, with titles, labels and alt text."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis import backtest, load_all  # noqa: E402
from analysis.outlook import forecast  # noqa: E402
from analysis.plots import (  # noqa: E402
    chart_title,
    plot_laps,
    plot_lead_by_pair,
    plot_outlook,
    plot_reliability,
    use_house_style,
)
from analysis.story import race_story  # noqa: E402

DATA = load_all()


def test_lead_chart_marks_every_new_leader_into_a_given_axes():
    use_house_style()
    story = race_story(DATA, "2026-02-09-W1000")
    fig, ax = plt.subplots()
    assert plot_lead_by_pair(story.leaders, ax=ax, title="Leerdam took the lead") is fig
    labels = [t.get_text() for t in ax.texts]
    for leader in story.spells["leader"]:
        assert any(leader in label for label in labels)
    assert ax.get_title(loc="left") == "Leerdam took the lead" and "lower is faster" in ax.get_ylabel()
    plt.close(fig)


def test_laps_are_dots_one_per_known_lap():
    laps = race_story(DATA, "2026-02-15-W500").laps
    fig = plot_laps(laps, title="Openers")
    dots = sum(len(c.get_offsets()) for ax in fig.axes for c in ax.collections)
    assert dots == laps["seconds"].notna().sum()
    assert not any(ax.patches for ax in fig.axes)  # no bars that would start far from zero
    assert chart_title(fig) == "Openers"
    plt.close(fig)


def test_outlook_bars_sum_to_each_skaters_podium_chance():
    fc = forecast(DATA, "2026-02-15-W500", n_sims=2000)
    fig = plot_outlook({"500 m": fc}, top=5)
    ax = fig.axes[0]
    widths = pd.Series([p.get_width() for p in ax.patches]).to_numpy().reshape(3, 5).sum(axis=0)
    expected = 100 * fc.table.head(5)["p_podium"].to_numpy()[::-1]
    assert abs(widths - expected).max() < 1e-6
    plt.close(fig)


def test_reliability_plots_one_dot_per_filled_bin():
    frame = backtest.run(DATA, ["2025-12-13-W1000", "2025-12-12-M500"], n_sims=2000)
    table = backtest.reliability(frame, n_boot=100)
    fig = plot_reliability(table)
    points = fig.axes[0].lines[1].get_xydata()  # [0] is the diagonal
    assert len(points) == int((table["forecasts"] > 0).sum())
    plt.close(fig)
