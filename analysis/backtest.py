"""The forecast's track record: every race with a complete field, forecast the day before, then scored.

Four forecasters are scored on the same races:

* ``model``: :func:`analysis.outlook.forecast`;
* ``uniform``: every entered skater 1/N for each place (3/N for the podium);
* ``season best``: the field ordered by raw season-best time at the distance, and
* ``World Cup standing``: ordered by mean place in this season's Division A World Cup races at the
  distance (Division B skaters after them); each order is turned into chances with the frequency of
  each place for each position in the order, learned only from races before the one forecast.

Scores (lower is better): Brier score of the podium and of the win, ranked probability score over
gold/silver/bronze/none, and log loss (minus the mean log chance given to the gold, silver and bronze
medallists; no clipping: a medallist given 0 makes it infinite). Differences to the model are paired
by race, with a bootstrap interval that resamples whole races.

``python -m analysis.backtest --out FILE [--races ID,ID] [--tune]`` writes one row per forecaster, race and
entered skater; every score can be recomputed from that file alone (:func:`scores`).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from .data import Dataset, load_all
from .outlook import DEFAULT, Params, forecast, history, race_field

__all__ = [
    "backtest_races",
    "run",
    "scores",
    "paired",
    "calibration",
    "coverage",
    "tune",
    "FORECASTERS",
    "TUNING_END",
    "main",
]

SEASON_START = pd.Timestamp("2025-11-14")  # World Cup #1: the first race with a complete field
FIRST_SCORED = pd.Timestamp("2025-11-21")  # World Cup #2: from here every forecast has a season behind it
TUNING_END = pd.Timestamp("2025-12-07")  # World Cups #2-#3 tune the method; later races are held out
FORECASTERS = ("model", "uniform", "season best", "World Cup standing")
BUCKETS = [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 8), (9, 12), (13, 999)]
COLUMNS = [
    "forecaster",
    "race_id",
    "as_of",
    "skater",
    "p_gold",
    "p_silver",
    "p_bronze",
    "p_podium",
    "rank",
    "status",
    "time_s",
    "q10_s",
    "q90_s",
]


def backtest_races(data: Dataset, start: pd.Timestamp = FIRST_SCORED) -> list[str]:
    """Races with a complete field (an official sheet) from ``start`` on, plus the Olympic races of this season
    (earlier Games are in the data but not yet in the track record)."""
    races = data.races()
    sheet = data.results.groupby("race_id")["source"].apply(lambda s: s.str.contains("usa-speed-skating-tracker").all())
    olympic = (races["competition_type"] == "OG") & (races["date"] >= SEASON_START)
    chosen = races[((races["race_id"].map(sheet)) & (races["date"] >= start)) | olympic]
    return list(chosen.sort_values(["date", "race_id"])["race_id"])


def _order_position(data: Dataset, race_id: str, as_of: pd.Timestamp, skaters: list[str]) -> dict[str, pd.Series]:
    """Each baseline's position (1 = best) of every field skater; NaN for a skater the order cannot place."""
    race = data.race(race_id).iloc[0]
    hist = history(data, race_id, as_of)
    season = hist[(hist["distance_m"] == race["distance_m"]) & (hist["date"] >= SEASON_START - pd.Timedelta(days=150))]
    best = season[season["status"].isna()].groupby("skater")["time_s"].min().dropna()
    best = best.reindex(skaters).rank(method="first")
    wc = season[(season["competition_type"] == "WC") & season["rank"].notna()]
    mean_place = wc.groupby(["skater", "division"])["rank"].mean().unstack("division")
    key = (
        mean_place.get("A", pd.Series(dtype=float))
        .reindex(skaters)
        .fillna(100 + mean_place.get("B", pd.Series(dtype=float)).reindex(skaters))
    )
    standing = key.rank(method="first")
    return {"season best": best, "World Cup standing": standing}


def _bucket(position: float) -> int:
    if pd.isna(position):
        return len(BUCKETS)
    return next(i for i, (lo, hi) in enumerate(BUCKETS) if lo <= position <= hi)


def _learned_chances(train: pd.DataFrame, positions: pd.Series, alpha: float = 2.0) -> np.ndarray:
    """P(gold, silver, bronze | bucket) from earlier races, smoothed toward 1/20, renormalised over the field."""
    counts = np.zeros((len(BUCKETS) + 1, 3))
    buckets = train["bucket"].to_numpy(dtype=int)
    totals = np.bincount(buckets, minlength=len(BUCKETS) + 1).astype(float)
    place = pd.to_numeric(train["place"], errors="coerce").fillna(0).to_numpy(dtype=int)
    for k in (1, 2, 3):
        counts[:, k - 1] = np.bincount(buckets[place == k], minlength=len(BUCKETS) + 1)
    rates = (counts + alpha / 20) / (totals[:, None] + alpha)
    p = np.array([rates[_bucket(pos)] for pos in positions])
    return p / p.sum(axis=0, keepdims=True)


def _outcome(data: Dataset, race_id: str) -> pd.DataFrame:
    race = data.race(race_id)
    return race.set_index("skater")[["rank", "status", "time_s"]]


def run(
    data: Dataset,
    races: list[str] | None = None,
    params: Params = DEFAULT,
    n_sims: int = 10_000,
    seed: int = 2026,
    progress=None,
) -> pd.DataFrame:
    """Forecast every race the day before with each forecaster; one row per forecaster, race and skater."""
    races = backtest_races(data) if races is None else races
    # Baseline training rows: every sheet race from World Cup #1 on (its order as of the day before).
    training_races = backtest_races(data, SEASON_START)
    dates = data.races().set_index("race_id")["date"]
    outcomes = {r: _outcome(data, r) for r in set(races) | set(training_races)}
    learned: dict[str, pd.DataFrame] = {}  # race -> position bucket per baseline and the place won

    ordered: dict[str, dict[str, pd.Series]] = {}

    def positions(race_id: str) -> dict[str, pd.Series]:
        if race_id not in ordered:  # a race is both scored and, later, a baseline's training race
            field, _ = race_field(data, race_id)
            ordered[race_id] = _order_position(
                data, race_id, dates[race_id] - pd.Timedelta(days=1), list(field["skater"])
            )
        return ordered[race_id]

    def training_rows(race_id: str) -> pd.DataFrame:
        if race_id not in learned:
            pos = positions(race_id)
            place = outcomes[race_id]["rank"]
            learned[race_id] = pd.DataFrame(
                {
                    **{name: p.map(_bucket) for name, p in pos.items()},
                    "place": place.reindex(next(iter(pos.values())).index).to_numpy(),
                }
            )
        return learned[race_id]

    frames = []
    for i, race_id in enumerate(races, start=1):
        fc = forecast(data, race_id, n_sims=n_sims, seed=seed, params=params)
        outcome = outcomes[race_id]
        table = fc.table.set_index("skater")
        skaters = list(table.index)
        n = len(skaters)
        chances = {
            "model": table[["p_gold", "p_silver", "p_bronze", "p_podium", "q10_s", "q90_s"]],
            "uniform": pd.DataFrame(
                {"p_gold": 1 / n, "p_silver": 1 / n, "p_bronze": 1 / n, "p_podium": 3 / n}, index=skaters
            ),
        }
        earlier = [r for r in training_races if dates[r] <= fc.as_of]
        for name, pos in positions(race_id).items():
            rows = [training_rows(r) for r in earlier]
            train = pd.DataFrame(  # arrays joined once: a concat of many small frames per race is slow
                {
                    "bucket": np.concatenate([r[name].to_numpy() for r in rows]) if rows else [],
                    "place": np.concatenate([r["place"].to_numpy(dtype=float) for r in rows]) if rows else [],
                }
            )
            p = _learned_chances(train, pos.reindex(skaters))
            chances[name] = pd.DataFrame(
                {"p_gold": p[:, 0], "p_silver": p[:, 1], "p_bronze": p[:, 2], "p_podium": p.sum(axis=1)}, index=skaters
            )
        done = outcome.reindex(skaters)
        # A medallist missing from the field still counts: with chance 0 (log loss infinite).
        absent = outcome[(outcome["rank"] <= 3) & ~outcome.index.isin(skaters)]
        for name in FORECASTERS:
            frame = chances[name].reindex(columns=["p_gold", "p_silver", "p_bronze", "p_podium", "q10_s", "q90_s"])
            frame = frame.assign(rank=done["rank"], status=done["status"], time_s=done["time_s"])
            if len(absent):
                frame = pd.concat(
                    [
                        frame,
                        absent[["rank", "status", "time_s"]].assign(
                            p_gold=0.0, p_silver=0.0, p_bronze=0.0, p_podium=0.0
                        ),
                    ]
                )
            frames.append(
                frame.rename_axis("skater")
                .reset_index()
                .assign(forecaster=name, race_id=race_id, as_of=fc.as_of.date().isoformat())
            )
        if progress:
            progress(i, len(races), race_id)
    frame = pd.concat(frames, ignore_index=True)[COLUMNS]
    frame["rank"] = frame["rank"].astype("Int64")
    return frame


def _race_scores(group: pd.DataFrame) -> pd.Series:
    place = group["rank"].where(group["status"].isna() | (group["status"] == "DNF")).fillna(99).astype(int)
    observed = np.stack([(place == k).to_numpy(float) for k in (1, 2, 3)], axis=1)
    p = group[["p_gold", "p_silver", "p_bronze"]].to_numpy(float)
    cum_p, cum_o = np.cumsum(p, axis=1), np.cumsum(observed, axis=1)
    with np.errstate(divide="ignore"):
        logs = [-np.log(p[i, k - 1]) for i, k in enumerate(place) if k in (1, 2, 3)]
    return pd.Series(
        {
            "brier_podium": float(np.mean((group["p_podium"].to_numpy(float) - observed.sum(axis=1)) ** 2)),
            "brier_win": float(np.mean((p[:, 0] - observed[:, 0]) ** 2)),
            "rps": float(np.mean(((cum_p - cum_o) ** 2).sum(axis=1) / 3)),
            "log_loss": float(np.mean(logs)) if logs else np.nan,
        }
    )


def scores(frame: pd.DataFrame) -> pd.DataFrame:
    """Scores per forecaster and race, from a backtest file alone."""
    out = frame.groupby(["forecaster", "race_id"], sort=False)[
        ["p_gold", "p_silver", "p_bronze", "p_podium", "rank", "status"]
    ].apply(_race_scores)
    return out.reset_index()


def paired(per_race: pd.DataFrame, reference: str = "model", n_boot: int = 2000, seed: int = 2026) -> pd.DataFrame:
    """Mean score of each forecaster and its difference to ``reference`` with a 95 % race-blocked bootstrap interval.

    A positive difference means the other forecaster scores worse (higher) than the reference.
    """
    rng = np.random.default_rng(seed)
    metrics = ["brier_podium", "brier_win", "rps", "log_loss"]
    wide = per_race.pivot(index="race_id", columns="forecaster", values=metrics)
    races = wide.index.to_numpy()
    draws = rng.integers(0, len(races), size=(n_boot, len(races)))
    rows = []
    for name in per_race["forecaster"].unique():
        row = {"forecaster": name, "races": len(races)}
        for metric in metrics:
            values = wide[(metric, name)].to_numpy(float)
            row[metric] = float(np.mean(values))
            if name != reference:
                diff = values - wide[(metric, reference)].to_numpy(float)
                boot = diff[draws].mean(axis=1)
                row[f"{metric}_diff"] = float(np.mean(diff))
                row[f"{metric}_lo"], row[f"{metric}_hi"] = (float(x) for x in np.percentile(boot, [2.5, 97.5]))
        rows.append(row)
    return pd.DataFrame(rows)


BINS = (0.0, 0.05, 0.10, 0.20, 0.40, 0.70, 1.0001)


def calibration(frame: pd.DataFrame, forecaster: str = "model") -> pd.DataFrame:
    """Podium chances in bins against how often a podium followed, with a Wilson 95 % interval."""
    mine = frame[frame["forecaster"] == forecaster]
    podium = (mine["rank"].fillna(99).astype(int) <= 3) & (mine["status"].isna() | (mine["status"] == "DNF"))
    bins = pd.cut(
        mine["p_podium"],
        BINS,
        right=False,
        labels=[f"{100 * a:.0f}-{min(100 * b, 100):.0f} %" for a, b in zip(BINS, BINS[1:])],
    )
    rows = []
    for label, group in podium.groupby(bins, observed=False):
        n, k = len(group), int(group.sum())
        p_mean = float(mine.loc[group.index, "p_podium"].mean()) if n else np.nan
        rate = k / n if n else np.nan
        z = 1.96
        centre = (k + z * z / 2) / (n + z * z) if n else np.nan
        half = z * np.sqrt(k * (n - k) / n + z * z / 4) / (n + z * z) if n else np.nan
        rows.append(
            {
                "bin": str(label),
                "forecasts": n,
                "mean_forecast": p_mean,
                "podiums": k,
                "observed": rate,
                "low": centre - half if n else np.nan,
                "high": centre + half if n else np.nan,
            }
        )
    return pd.DataFrame(rows)


def coverage(frame: pd.DataFrame) -> dict[str, float]:
    """Share of finishing times inside the model's 80 % interval (all finishes, and without falls/mishaps)."""
    mine = frame[(frame["forecaster"] == "model") & frame["time_s"].notna() & frame["q10_s"].notna()]
    inside = (mine["time_s"] >= mine["q10_s"]) & (mine["time_s"] <= mine["q90_s"])
    below, above = (mine["time_s"] < mine["q10_s"]).mean(), (mine["time_s"] > mine["q90_s"]).mean()
    return {"finishes": int(len(mine)), "inside": float(inside.mean()), "faster": float(below), "slower": float(above)}


GRID = {"half_life_days": (45.0, 90.0), "cross": (0.5, 0.8, 1.0), "hedge": (0.01, 0.03)}


def tune(data: Dataset, grid: dict = GRID) -> pd.DataFrame:
    """Mean model log loss and RPS on the tuning races (World Cups #2-#3) for every combination of ``grid``."""
    races = [
        r for r in backtest_races(data) if data.results.loc[data.results["race_id"] == r, "date"].iloc[0] <= TUNING_END
    ]
    rows = []
    for values in itertools.product(*grid.values()):
        params = replace(DEFAULT, **dict(zip(grid, values)))
        per_race = []
        for race_id in races:
            fc = forecast(data, race_id, n_sims=5000, params=params)
            out = _outcome(data, race_id).reindex(fc.table["skater"])
            frame = fc.table.assign(rank=out["rank"].to_numpy(), status=out["status"].to_numpy())
            per_race.append(_race_scores(frame))
        mean = pd.DataFrame(per_race).mean()
        rows.append({**dict(zip(grid, values)), "races": len(races), "log_loss": mean["log_loss"], "rps": mean["rps"]})
    return pd.DataFrame(rows).sort_values("log_loss").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.backtest", description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="CSV file to write (one row per forecaster, race and skater)")
    parser.add_argument("--races", help="comma-separated race ids (default: every race with a complete field)")
    parser.add_argument("--tune", action="store_true", help="print the tuning grid on World Cups #2-#3")
    args = parser.parse_args(argv)
    data = load_all()
    start = time.perf_counter()
    if args.tune:
        print(tune(data).to_string(index=False))
        return 0
    if not args.out:
        parser.error("--out FILE is required (or --tune)")

    def progress(i: int, n: int, race_id: str) -> None:
        print(f"\r[{i}/{n}] {race_id:<22}", end="", file=sys.stderr, flush=True)

    races = args.races.split(",") if args.races else None
    try:
        frame = run(data, races, progress=progress)
    except (KeyError, ValueError) as exc:
        print(f"\nbacktest failed: {exc}", file=sys.stderr)
        return 1
    frame.to_csv(args.out, index=False)
    print(
        f"\n{frame['race_id'].nunique()} races, {len(frame)} rows -> {args.out} ({time.perf_counter() - start:.1f} s)",
        file=sys.stderr,
    )
    print(paired(scores(frame)).round(4).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
