"""House style for matplotlib figures and a colour per nation."""

from __future__ import annotations

import hashlib

import matplotlib as mpl
import pandas as pd

from .records import ALTITUDE_THRESHOLD_M

__all__ = [
    "use_house_style",
    "nation_color",
    "NATION_COLORS",
    "MEDAL_COLORS",
    "show",
    "chart_title",
    "plot_lead_by_pair",
    "plot_laps",
    "plot_season",
    "plot_record_progressions",
    "plot_olympic_vs_world",
    "plot_outlook",
    "plot_reliability",
    "plot_reliability_by_place",
    "plot_pit",
    "plot_season_bests",
    "plot_personal_bests",
]

# One colour per nation, from its sporting colours where they stay distinguishable.
NATION_COLORS: dict[str, str] = {
    "NED": "#f36c21",  # orange
    "JPN": "#bc002d",  # crimson
    "USA": "#1f3a93",  # navy
    "CAN": "#b30000",  # dark red (clear of the Dutch orange)
    "KOR": "#2e9fd9",  # light blue
    "CHN": "#ffb000",  # gold
    "POL": "#c2185b",  # raspberry
    "NOR": "#6d1a36",  # dark red
    "GER": "#333333",  # black
    "ITA": "#009246",  # green
    "CZE": "#5d6d7e",  # slate (clear of the US and Korean blues)
    "AUT": "#a0522d",  # sienna
    "BEL": "#d4b000",  # yellow
    "TPE": "#7a4fa3",  # purple
    "KAZ": "#00afca",  # sky blue
    "EST": "#4891d9",  # light blue
    "SUI": "#ff6f61",  # coral
    "GBR": "#012169",  # royal blue
    "FRA": "#5b8def",  # french blue
    "AIN": "#7f7f7f",  # grey (neutral)
}

_FALLBACK = ["#17becf", "#bcbd22", "#8c564b", "#e377c2", "#2ca02c", "#9467bd", "#aec7e8", "#98df8a"]


def nation_color(code: str) -> str:
    """Colour for an IOC nation code; unknown codes get a stable colour from a fallback palette."""
    if code in NATION_COLORS:
        return NATION_COLORS[code]
    digest = hashlib.sha1(code.encode("utf-8")).digest()[0]
    return _FALLBACK[digest % len(_FALLBACK)]


def use_house_style() -> None:
    """Set the project's matplotlib style: readable at report size, light grid, no chart junk."""
    mpl.rcParams.update(
        {
            "figure.figsize": (9, 4.8),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.constrained_layout.use": True,
            "font.size": 11,
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.labelsize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.color": "#dddddd",
            "grid.linewidth": 0.8,
            "axes.axisbelow": True,
            "legend.frameon": False,
            "svg.hashsalt": "skating",
            "image.cmap": "viridis",
        }
    )


def _seconds_formatter(style: str = "intl", decimals: int = 2):
    from matplotlib.ticker import FuncFormatter

    from .times import format_time

    return FuncFormatter(lambda value, _pos: format_time(value, style=style, decimals=decimals) if value > 0 else "")


def plot_lead_by_pair(leaders, style: str = "intl", title: str | None = None, ax=None, decimals: int = 2):
    """Step chart of the provisional leading time after each pair, each new leader labelled; times with
    ``decimals`` places (1 for hand times)."""
    import matplotlib.pyplot as plt

    from .times import format_time

    fig, ax = plt.subplots(figsize=(9, 4.6)) if ax is None else (ax.figure, ax)
    data = leaders.dropna(subset=["time_s"])
    ax.step(data["pair"], data["time_s"], where="post", color="#555555", linewidth=1.5, zorder=1)
    changes = data[data["new_leader"]]
    last_pair = changes["pair"].max()
    for _, row in changes.iterrows():
        ax.scatter(
            row["pair"],
            row["time_s"],
            s=70,
            color=nation_color(row["nation"]),
            zorder=3,
            edgecolor="white",
            linewidth=1,
        )
        if row["pair"] == last_pair:  # the final leader: label below-left, clear of the step line
            offset, ha, va = (-10, -4), "right", "top"
        elif row["pair"] < 0.7 * leaders["pair"].max():
            offset, ha, va = (8, 6), "left", "bottom"
        else:
            offset, ha, va = (-10, 6), "right", "bottom"
        ax.annotate(
            f"{row['leader']} ({row['nation']})\n{format_time(row['time_s'], style=style, decimals=decimals)}",
            (row["pair"], row["time_s"]),
            textcoords="offset points",
            xytext=offset,
            ha=ha,
            va=va,
            fontsize=9,
        )
    span = data["time_s"].max() - data["time_s"].min()
    ax.set_ylim(data["time_s"].min() - 0.12 * span, data["time_s"].max() + 0.15 * span)
    uncertain = data[~data["certain"]]
    if not uncertain.empty:
        ax.scatter(
            uncertain["pair"],
            uncertain["time_s"],
            marker="x",
            color="#999999",
            zorder=2,
            label="leader not certain (pair or time missing in data)",
        )
        ax.legend(loc="lower left")
    ax.set_xticks(range(1, int(leaders["pair"].max()) + 1))
    ax.set_xlim(0.5, leaders["pair"].max() + 0.5)
    ax.yaxis.set_major_formatter(_seconds_formatter(style, decimals))
    ax.set_xlabel("after pair")
    ax.set_ylabel("leading time (lower is faster)")
    ax.set_title(title or "Leading time after each pair")
    return fig


def plot_laps(laps, style: str = "intl", title: str | None = None, axes=None):
    """Dot plot of opener and lap times per skater, one panel per segment (a dot plot, not bars: the
    differences are tenths of a second on times of 17 to 30 s). A skater's nation colour marks her dot."""
    import matplotlib.pyplot as plt

    segments = list(dict.fromkeys(laps["segment"]))
    if axes is None:
        fig, grid = plt.subplots(
            1, len(segments), figsize=(9, 0.45 * laps["skater"].nunique() + 1.6), sharey=True, squeeze=False
        )
        axes = list(grid[0])
    fig = axes[0].figure
    skaters = list(dict.fromkeys(laps["skater"]))[::-1]
    for ax, segment in zip(axes, segments):
        part = laps[laps["segment"] == segment].set_index("skater").reindex(skaters)
        for y, (secs, dec, nation) in enumerate(zip(part["seconds"], part["decimals"], part["nation"])):
            if secs == secs:  # not NaN
                ax.scatter(secs, y, s=60, color=nation_color(nation), edgecolor="white", zorder=3)
                ax.annotate(
                    f"{secs:.{int(dec)}f}",
                    (secs, y),
                    textcoords="offset points",
                    xytext=(7, 0),
                    va="center",
                    fontsize=9,
                )
            else:
                ax.text(
                    0.03, y, "no data", va="center", fontsize=9, color="#888888", transform=ax.get_yaxis_transform()
                )
        lo, hi = part["seconds"].min(), part["seconds"].max()
        if lo == lo:
            pad = max(0.15, 0.25 * (hi - lo))
            ax.set_xlim(lo - pad, hi + 2 * pad)
        ax.set_title(segment, fontsize=11)
        ax.set_xlabel("seconds (left is faster)")
        ax.grid(axis="y", visible=False)
    nations = laps.drop_duplicates("skater").set_index("skater")["nation"]
    axes[0].set_yticks(range(len(skaters)), [f"{s} ({nations[s]})" for s in skaters])  # the nation is the key
    fig.suptitle(title or "Opening 200 m and laps", x=0.01, ha="left", fontweight="bold", fontsize=13)
    return fig


def plot_season(season, olympic, style: str = "intl", title: str | None = None, ax=None, decimals: int = 2):
    """Dot plot of each skater's season times at a distance beside her Olympic time.

    ``season`` and ``olympic`` need ``skater, nation, time_s, venue``; altitude races are hollow. The time axis
    has ``decimals`` places (1 for hand times).
    """
    import matplotlib.pyplot as plt

    skaters = list(dict.fromkeys(olympic["skater"]))
    fig, ax = plt.subplots(figsize=(9, 0.8 * len(skaters) + 1.6)) if ax is None else (ax.figure, ax)
    for y, skater in enumerate(skaters[::-1]):
        mine = season[season["skater"] == skater]
        color = nation_color(olympic.loc[olympic["skater"] == skater, "nation"].iloc[0])
        for _, race in mine.iterrows():
            hollow = bool(pd.notna(race.get("at_altitude")) and race.get("at_altitude"))  # unknown altitude: filled
            ax.scatter(
                race["time_s"],
                y,
                s=45,
                facecolor="white" if hollow else color,
                edgecolor=color,
                linewidth=1.5,
                zorder=2,
            )
        oly = olympic.loc[olympic["skater"] == skater, "time_s"].iloc[0]
        ax.scatter(oly, y, s=160, marker="*", color="black", zorder=3)
    nation_of = olympic.drop_duplicates("skater").set_index("skater")["nation"]
    ax.set_yticks(range(len(skaters)), [f"{s} ({nation_of[s]})" for s in skaters[::-1]])
    ax.xaxis.set_major_formatter(_seconds_formatter(style, decimals))
    ax.set_xlabel("time (left is faster)")
    ax.grid(axis="y", visible=False)
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color="#777777",
            label=f"earlier race, rink below {ALTITUDE_THRESHOLD_M} m",
        ),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            color="#777777",
            label=f"earlier race, altitude rink ({ALTITUDE_THRESHOLD_M} m and higher)",
        ),
        Line2D([], [], marker="*", linestyle="", color="black", markersize=12, label="this race"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3)
    ax.set_title(title or "Season times and this race")
    return fig


def chart_title(fig) -> str:
    """The figure's headline: its suptitle, else the titles of its panels."""
    if fig._suptitle is not None and fig._suptitle.get_text():
        return fig._suptitle.get_text()
    return "; ".join(t for t in (ax.get_title(loc="left") or ax.get_title() for ax in fig.axes) if t)


SOURCE_LINE = (
    "Source: ISU result sheets and results API, Olympic results tables and public reports, compiled in the package's "
    "data/ (see its README)"
)


def show(fig, alt: str | None = None, source: str | None = SOURCE_LINE) -> None:
    """Display a figure once, as PNG with an alt text and a source line under it, and close it (the same
    output under Jupyter, nbclient and nbval). ``alt`` defaults to the chart's title, which states its finding."""
    import base64
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    text = alt or f"Chart: {chart_title(fig)}"
    if source:
        fig.text(0.01, -0.01, source, ha="left", va="top", fontsize=8, color="#777777", transform=fig.transFigure)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    display({"image/png": png, "text/plain": text}, raw=True, metadata={"image/png": {"alt": text}})


def plot_record_progressions(progressions: dict, style: str = "intl", title: str | None = None, end=None, axes=None):
    """Step charts (time against date), one panel per distance; the record after each Games is labelled.

    ``progressions`` maps a distance (m) to its progression frame (``date, skater, nation, time_s``).
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    if axes is None:
        fig, axes = plt.subplots(len(progressions), 1, figsize=(9, 3.6 * len(progressions)), squeeze=False)
    else:
        axes = np.asarray(axes, dtype=object).reshape(-1, 1)
        fig = axes[0][0].figure
    for ax, (distance, prog) in zip(axes[:, 0], progressions.items()):
        stop = pd.Timestamp(end) if end is not None else prog["date"].max()
        x = list(prog["date"]) + [stop]
        y = list(prog["time_s"]) + [prog["time_s"].iloc[-1]]
        ax.step(x, y, where="post", color="#444444", linewidth=1.4)
        final = prog.groupby(prog["date"].dt.year).tail(1)
        for _, row in final.iterrows():
            ax.scatter(row["date"], row["time_s"], s=28, color=nation_color(row["nation"]), zorder=3)
            parts = row["skater"].split(" ", 1)
            label = parts[0] if row["nation"] in ("KOR", "CHN", "TPE") or len(parts) == 1 else parts[1]
            ax.annotate(
                label, (row["date"], row["time_s"]), textcoords="offset points", xytext=(3, 4), fontsize=8, rotation=35
            )
        ax.yaxis.set_major_formatter(_seconds_formatter(style, decimals=1 if distance > 500 else 2))
        ax.set_title(f"{distance} m", fontsize=11, loc="left")
        ax.set_ylabel("Olympic record")
        ax.margins(y=0.18)
    axes[-1, 0].set_xlabel("year (points: record standing after each Games, coloured by nation)")
    fig.suptitle(title or "Olympic record progression", x=0.01, ha="left", fontweight="bold", fontsize=13)
    return fig


def plot_olympic_vs_world(gaps: dict, title: str | None = None, ax=None):
    """Gap between the Olympic record after each Games and the world record then in force.

    ``gaps`` maps a distance to ``olympic_vs_world`` output; Games held at an altitude rink are hollow.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    fig, ax = plt.subplots(figsize=(9, 4.4)) if ax is None else (ax.figure, ax)
    palette = {500: "#1f77b4", 1000: "#f36c21", 1500: "#2ca02c"}
    for distance, frame in gaps.items():
        color = palette.get(distance, "#555555")
        # The gap holds from one Games to the next: a step, not a slope between Games.
        ax.step(
            frame["year"], frame["gap_s"], where="post", color=color, linewidth=1.2, alpha=0.7, label=f"{distance} m"
        )
        for _, row in frame.iterrows():
            flag = row.get("or_at_altitude")
            hollow = bool(flag) if flag is not None and not pd.isna(flag) else False
            ax.scatter(
                row["year"],
                row["gap_s"],
                s=40,
                color=color,
                facecolor="white" if hollow else color,
                linewidth=1.5,
                zorder=3,
            )
    ax.set_xlabel("Games (hollow: held on an altitude rink)")
    ax.set_ylabel("Olympic record minus world record (s)")
    ax.set_ylim(bottom=-0.2)
    ax.legend(loc="upper right")
    ax.set_title(title or "How far Olympic records trail world records")
    return fig


MEDAL_COLORS = ("#d4af37", "#a8a9ad", "#b87333")


def plot_outlook(forecasts: dict, top: int = 8, title: str | None = None, axes=None):
    """Stacked gold/silver/bronze chances of the ``top`` skaters by podium chance, one panel per race.

    ``forecasts`` maps a panel label (e.g. "500 m") to a :class:`analysis.outlook.Forecast`.
    ``axes``: a sequence of matplotlib axes to draw into (one per forecast); a new figure otherwise.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        fig, grid = plt.subplots(1, len(forecasts), figsize=(10, 0.42 * top + 1.8), squeeze=False)
        axes = list(grid[0])
    fig = axes[0].figure
    for ax, (label, fc) in zip(axes, forecasts.items()):
        table = fc.table.head(top).iloc[::-1]
        y = range(len(table))
        left = 0
        for column, color, name in zip(("p_gold", "p_silver", "p_bronze"), MEDAL_COLORS, ("gold", "silver", "bronze")):
            ax.barh(y, 100 * table[column], left=left, color=color, label=name)
            left = left + 100 * table[column].to_numpy()
        ax.set_yticks(list(y), [f"{s} ({n})" for s, n in zip(table["skater"], table["nation"])], fontsize=9)
        ax.set_xlim(0, 100)
        ax.set_xlabel("chance of a medal (%)")
        ax.set_title(label, loc="left", fontsize=11)
        ax.grid(axis="y", visible=False)
    axes[-1].legend(loc="lower right", fontsize=8)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=13)
    return fig


def plot_reliability(table, title: str | None = None, ax=None, xlabel: str = "forecast chance of a podium (%)"):
    """Reliability diagram: forecast chance (bin mean) against how often it came true, with the 95 % band of
    the observed share (``low``/``high``: a race-blocked bootstrap, or any interval); the diagonal is perfect
    calibration. Each point is labelled with its number of forecasts."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 5))
    fig = ax.figure
    shown = table[table["forecasts"] > 0]
    ax.plot([0, 100], [0, 100], color="#bbbbbb", linewidth=1, zorder=1)
    ax.errorbar(
        100 * shown["mean_forecast"],
        100 * shown["observed"],
        yerr=[100 * (shown["observed"] - shown["low"]), 100 * (shown["high"] - shown["observed"])],
        fmt="o",
        color="#1f3a93",
        ecolor="#9aa7d0",
        capsize=3,
        zorder=3,
    )
    for row in shown.itertuples():
        ax.annotate(
            f"{row.forecasts}",
            (100 * row.mean_forecast, 100 * row.observed),
            textcoords="offset points",
            xytext=(6, -10),
            fontsize=8,
            color="#555555",
        )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share that came true (%)")
    ax.set_title(title or "Forecast chances against what happened")
    return fig


def plot_reliability_by_place(tables: dict, title: str | None = None, axes=None):
    """One reliability diagram per place: ``tables`` maps a label ("gold") to a reliability table."""
    import matplotlib.pyplot as plt

    if axes is None:
        fig, grid = plt.subplots(1, len(tables), figsize=(4 * len(tables), 4.2), squeeze=False, sharey=True)
        axes = list(grid[0])
    fig = axes[0].figure
    for ax, (label, table) in zip(axes, tables.items()):
        plot_reliability(table, title=label, ax=ax, xlabel=f"forecast chance of {label} (%)")
        ax.title.set_fontsize(11)
        ax.title.set_fontweight("normal")
    for ax in axes[1:]:
        ax.set_ylabel("")
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=13)
    return fig


def plot_pit(histogram, title: str | None = None, ax=None):
    """The PIT histogram of the time forecasts: the share of finishes per bin of the forecast's chance of a
    time at most that fast, against the flat line honest ranges would give."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.6))
    fig = ax.figure
    width = (histogram["high"] - histogram["low"]).to_numpy()
    ax.bar(
        100 * histogram["low"],
        100 * histogram["share"],
        width=100 * width,
        align="edge",
        color="#1f3a93",
        edgecolor="white",
    )
    ax.axhline(100 / len(histogram), color="#f36c21", linewidth=1.5, label="honest ranges")
    ax.set_xlim(0, 100)
    ax.set_xlabel("the forecast's chance of a time at most as fast as the real one (%)")
    ax.set_ylabel("share of finishes (%)")
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(axis="x", visible=False)
    ax.set_title(title or "Where the real times fell in the forecast's range")
    return fig


def _season_label(year: float, _pos=None) -> str:
    """Tick label of a season from its starting year: 2024 -> '2024-25'."""
    return f"{int(year)}-{(int(year) + 1) % 100:02d}" if float(year).is_integer() else ""


def _is_hand(value) -> bool:
    return bool(pd.notna(value) and value)


def plot_season_bests(bests, nation: str, style: str = "intl", title: str | None = None, axes=None):
    """Season bests against the season, one panel per distance (``season_bests`` of ``analysis.career``:
    ``season, distance_m, time_s, hand_timed, at_altitude``). Dots in the skater's nation colour: filled on rinks
    below ``ALTITUDE_THRESHOLD_M``, hollow at altitude, grey where the rink's altitude is unknown; squares are
    hand-timed. A line joins consecutive seasons only; a season without a time leaves a gap. The fastest season best
    of each distance is labelled. The figure is narrow so that it stays legible on a phone."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from .times import format_time

    distances = sorted(bests["distance_m"].unique())
    if axes is None:
        heights = [2 if (bests["distance_m"] == d).sum() > 1 else 1 for d in distances]  # one dot: a lower panel
        fig, grid = plt.subplots(
            len(distances),
            1,
            figsize=(6.4, 1.3 * sum(heights) + 1.4),
            squeeze=False,
            sharex=True,
            gridspec_kw={"height_ratios": heights},
        )
        axes = list(grid[:, 0])
    fig = axes[0].figure
    color = nation_color(nation)
    for ax, distance in zip(axes, distances):
        part = bests[bests["distance_m"] == distance].copy()
        part["year"] = part["season"].str[:4].astype(int)
        part = part.sort_values("year")
        run = (part["year"].diff() != 1).cumsum()  # consecutive seasons only
        for _, stretch in part.groupby(run):
            ax.plot(stretch["year"], stretch["time_s"], color="#bbbbbb", linewidth=1.2, zorder=1)
        for row in part.itertuples():
            known = pd.notna(row.at_altitude)
            edge = color if known else "#888888"
            face = "white" if (known and bool(row.at_altitude)) else edge
            marker = "s" if _is_hand(row.hand_timed) else "o"
            ax.scatter(
                row.year, row.time_s, s=50, marker=marker, facecolor=face, edgecolor=edge, linewidth=1.6, zorder=3
            )
        best = part.loc[part["time_s"].idxmin()]
        ax.annotate(
            format_time(best["time_s"], style=style, decimals=1 if _is_hand(best["hand_timed"]) else 2),
            (best["year"], best["time_s"]),
            textcoords="offset points",
            xytext=(0, -9),
            ha="center",
            va="top",
            fontsize=9,
        )
        low, high = part["time_s"].min(), part["time_s"].max()
        span = max(high - low, 0.01 * low)
        ax.set_ylim(low - 0.45 * span, high + 0.15 * span)
        ax.yaxis.set_major_formatter(_seconds_formatter(style, decimals=2 if distance == 500 else 1))
        ax.yaxis.set_major_locator(MaxNLocator(4 if len(part) > 1 else 2, steps=[1, 2, 2.5, 5, 10]))
        ax.set_ylabel(f"{distance} m")
    years = bests["season"].str[:4].astype(int)
    axes[-1].set_xlim(years.min() - 0.6, years.max() + 0.6)
    axes[-1].xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    axes[-1].xaxis.set_major_formatter(FuncFormatter(_season_label))
    axes[-1].set_xlabel("season (lower is faster)")
    handles = [
        Line2D([], [], marker="o", linestyle="", color=color, label=f"rink below {ALTITUDE_THRESHOLD_M} m"),
        Line2D([], [], marker="o", linestyle="", markerfacecolor="white", color=color, label="altitude rink"),
    ]
    if bests["at_altitude"].isna().any():
        handles.append(Line2D([], [], marker="o", linestyle="", color="#888888", label="altitude unknown"))
    if bests["hand_timed"].fillna(False).astype(bool).any():
        handles.append(Line2D([], [], marker="s", linestyle="", color="#555555", label="hand-timed"))
    axes[0].legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=9, handletextpad=0.2)
    fig.suptitle(_wrap(title or "Season bests"), x=0.01, ha="left", fontweight="bold", fontsize=12)
    return fig


def _wrap(text: str, width: int = 58) -> str:
    """A long chart title on two or more lines (the career charts are narrow)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def plot_personal_bests(
    pbs, world_records: dict, nation: str, end, style: str = "intl", title: str | None = None, axes=None
):
    """A skater's personal best at each distance as a step line against the world record in force (grey dashed
    step line), one panel per distance. ``pbs``: ``personal_bests`` of ``analysis.career``; ``world_records`` maps a
    distance to ``career.world_record_line``; ``end`` closes both lines (the last race in the data)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    from .times import format_time

    distances = sorted(pbs["distance_m"].unique())
    if axes is None:
        fig, grid = plt.subplots(
            len(distances), 1, figsize=(6.4, 2.2 * len(distances) + 1.4), squeeze=False, sharex=True
        )
        axes = list(grid[:, 0])
    fig = axes[0].figure
    color = nation_color(nation)
    stop = pd.Timestamp(end)
    for ax, distance in zip(axes, distances):
        part = pbs[pbs["distance_m"] == distance]
        x = list(part["date"]) + [stop]
        y = list(part["time_s"]) + [part["time_s"].iloc[-1]]
        ax.step(x, y, where="post", color=color, linewidth=2, zorder=3)
        ax.scatter(part["date"], part["time_s"], s=30, color=color, zorder=4)
        last = part.iloc[-1]
        mine = format_time(last["time_s"], style=style, decimals=1 if _is_hand(last["hand_timed"]) else 2)
        shown = list(part["time_s"])
        wr = world_records.get(distance)
        if wr is not None and len(wr):
            wx = list(wr["date"]) + [stop]
            wy = list(wr["time_s"]) + [wr["time_s"].iloc[-1]]
            ax.step(wx, wy, where="post", color="#888888", linewidth=1.4, linestyle="--", zorder=2)
            shown += wy
        low, high = min(shown), max(shown)
        pad = max(0.1 * (high - low), 0.002 * low)
        ax.set_ylim(low - pad, high + pad)
        # The latest values, right of the lines' ends: the best just above, the record just below.
        labels = [(mine, last["time_s"], color, "bottom", 1)]
        if wr is not None and len(wr):
            record = format_time(wy[-1], style=style, decimals=1 if _is_hand(wr["hand_timed"].iloc[-1]) else 2)
            labels.append((record, wy[-1], "#666666", "top", -1))
        for text, value, shade, va, dy in labels:
            ax.annotate(
                text,
                (stop, value),
                textcoords="offset points",
                xytext=(4, dy),
                ha="left",
                va=va,
                fontsize=9,
                color=shade,
            )
        ax.yaxis.set_major_formatter(_seconds_formatter(style, decimals=2 if distance == 500 else 1))
        ax.yaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]))
        ax.set_ylabel(f"{distance} m")
    axes[-1].set_xlabel("date (lower is faster)")
    handles = [
        Line2D([], [], color=color, linewidth=2, label="personal best"),
        Line2D([], [], color="#888888", linewidth=1.4, linestyle="--", label="world record in force"),
    ]
    axes[0].legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=9)
    fig.suptitle(
        _wrap(title or "Personal bests against the world record"), x=0.01, ha="left", fontweight="bold", fontsize=12
    )
    return fig
