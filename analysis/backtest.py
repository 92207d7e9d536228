"""The forecast's track record: every race with a complete field, forecast the day before, then scored.

Four forecasters are scored on the same races:

* ``model``: :func:`analysis.outlook.forecast`;
* ``uniform``: every entered skater 1/N for each place (3/N for the podium);
* ``season best``: the field ordered by raw season-best time at the distance (skaters without one this season
  after them, by last season's best), and
* ``World Cup standing``: ordered by mean place in this season's Division A World Cup races at the
  distance (Division B skaters after them, then last season's standing); each order is turned into chances
  with the frequency of each place for each position in the order, learned only from races before the one
  forecast (from 2012-13 on).

The races: every senior race with a complete field (an ISU results-API race or an official sheet; Division A
World Cups and the championships, not Division B or national races) from 2013-14 on, and every Olympic race
from 2014 on (the 2026 field from its entry list). The method's settings are tuned on the seasons before
2023-24 (:data:`HELD_OUT_FROM`) and frozen; everything from 2023-24 on is held out.

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

from .coverage import API_SOURCE, SHEET_SOURCE
from .data import Dataset, load_all
from .outlook import DEFAULT, Params, forecast, pit

__all__ = [
    "backtest_races",
    "run",
    "scores",
    "paired",
    "reliability",
    "pit_histogram",
    "olympic_forecasts",
    "load_backtest",
    "is_current",
    "store",
    "coverage",
    "tune",
    "FORECASTERS",
    "FIRST_SEASON",
    "HELD_OUT_FROM",
    "main",
]

FIRST_SEASON = pd.Timestamp("2013-07-01")  # the first season scored: 2013-14 (the Sochi Games)
TRAINING_FROM = pd.Timestamp("2012-07-01")  # the baselines learn their chances from this season on
HELD_OUT_FROM = pd.Timestamp("2023-07-01")  # settings tuned on earlier seasons only; from 2023-24 held out
SCORED_TYPES = ("WC", "WCH", "ECH", "OTHER", "OG")  # World Cups and championships, not national races
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
    "pit",
]


def backtest_races(data: Dataset, start: pd.Timestamp = FIRST_SEASON, end: pd.Timestamp | None = None) -> list[str]:
    """The races with a complete field dated from ``start`` (and before ``end``): Division A World Cups and
    championships whose every row comes from the ISU results API or an official sheet, and every Olympic
    race (the 2026 Games' field is their entry list), in date order."""
    races = data.races()
    source = data.results["source"]
    official = source.str.startswith(API_SOURCE) | source.str.startswith(SHEET_SOURCE)
    complete = races["race_id"].map(official.groupby(data.results["race_id"]).all()).astype(bool)
    olympic = races["competition_type"] == "OG"
    keep = (
        (complete | olympic)
        & races["competition_type"].isin(SCORED_TYPES)
        & races["division"].fillna("A").ne("B")
        & (races["date"] >= start)
        & (races["starters"] >= 4)
    )
    if end is not None:
        keep &= races["date"] < end
    return list(races[keep].sort_values(["date", "race_id"])["race_id"])


def _first_rank(key: np.ndarray) -> np.ndarray:
    """1, 2, 3 ... in the order of ``key`` (ties in the given order), NaN where ``key`` is NaN."""
    order = np.argsort(key, kind="stable")  # NaN sorts last
    rank = np.empty(len(key))
    rank[order] = np.arange(1, len(key) + 1)
    return np.where(np.isnan(key), np.nan, rank)


class _Orders:
    """The two baselines' orders for any race, from arrays built once per dataset: the season-best time and
    the mean World Cup place at the distance, this season up to the day before, then last season."""

    def __init__(self, data: Dataset) -> None:
        res = data.results
        self.code, names = pd.factorize(res["skater"])
        self.lookup = {name: i for i, name in enumerate(names)}
        self.n = len(names)
        self.date = res["date"].to_numpy(dtype="datetime64[ns]")
        finished = res["status"].isna().to_numpy() & res["time_s"].notna().to_numpy()
        self.time = np.where(finished, res["time_s"].to_numpy(dtype=float, na_value=np.nan), np.nan)
        placed = (res["competition_type"] == "WC").to_numpy() & res["rank"].notna().to_numpy()
        self.rank = res["rank"].to_numpy(dtype=float, na_value=np.nan)
        division = res["division"].fillna("").to_numpy(dtype=object)
        self.wc_a, self.wc_b = placed & (division == "A"), placed & (division == "B")
        season = (res["date"].dt.year - (res["date"].dt.month < 7)).to_numpy()
        keys = pd.MultiIndex.from_arrays([res["gender"].to_numpy(dtype=object), res["distance_m"].to_numpy(), season])
        self.rows = {key: np.asarray(rows) for key, rows in pd.Series(np.arange(len(res))).groupby(keys)}

    def _keys(self, rows: np.ndarray, skaters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        best = np.full(self.n + 1, np.inf)
        ok = rows[~np.isnan(self.time[rows])]
        np.minimum.at(best, self.code[ok], self.time[ok])
        standing = []
        for mask in (self.wc_a, self.wc_b):
            chosen = rows[mask[rows]]
            total, count = np.zeros(self.n + 1), np.zeros(self.n + 1)
            np.add.at(total, self.code[chosen], self.rank[chosen])
            np.add.at(count, self.code[chosen], 1)
            with np.errstate(invalid="ignore", divide="ignore"):
                standing.append(total / count)
        best[np.isinf(best)] = np.nan
        a, b = standing
        return best[skaters], np.where(np.isnan(a), 100 + b, a)[skaters]

    def positions(self, race: pd.Series, as_of: pd.Timestamp, skaters: list[str]) -> dict[str, pd.Series]:
        year = race["date"].year - (race["date"].month < 7)
        codes = np.array([self.lookup.get(s, self.n) for s in skaters], dtype=int)  # n: never raced
        empty = np.zeros(0, dtype=int)
        this = self.rows.get((race["gender"], race["distance_m"], year), empty)
        this = this[self.date[this] <= np.datetime64(as_of)]
        last = self.rows.get((race["gender"], race["distance_m"], year - 1), empty)
        best_now, standing_now = self._keys(this, codes)
        best_then, standing_then = self._keys(last, codes)
        keys = {
            "season best": np.where(np.isnan(best_now), 1000 + best_then, best_now),
            "World Cup standing": np.where(np.isnan(standing_now), 1000 + standing_then, standing_now),
        }
        return {name: pd.Series(_first_rank(key), index=skaters) for name, key in keys.items()}


def _orders(data: Dataset) -> _Orders:
    found = data.__dict__.get("_backtest_orders")
    if found is None:
        found = data.__dict__["_backtest_orders"] = _Orders(data)
    return found


def _buckets(positions) -> np.ndarray:
    """The bucket (index into :data:`BUCKETS`) of every position; an unplaced skater (NaN) gets the last one."""
    values = np.asarray(positions, dtype=float)
    found = np.searchsorted([lo for lo, _ in BUCKETS], values, side="right") - 1
    return np.where(np.isnan(values), len(BUCKETS), found)


def _place_counts(buckets: np.ndarray, place: pd.Series) -> np.ndarray:
    """One race's counts per position bucket: skaters, golds, silvers, bronzes (shape buckets x 4)."""
    b = np.asarray(buckets, dtype=int)
    k = place.to_numpy(dtype=float, na_value=0).astype(int)
    counts = np.zeros((len(BUCKETS) + 1, 4))
    counts[:, 0] = np.bincount(b, minlength=len(BUCKETS) + 1)
    for medal in (1, 2, 3):
        counts[:, medal] = np.bincount(b[k == medal], minlength=len(BUCKETS) + 1)
    return counts


def _learned_chances(counts: np.ndarray, positions: pd.Series, alpha: float = 2.0) -> np.ndarray:
    """P(gold, silver, bronze | bucket) from earlier races' counts, smoothed toward 1/20, renormalised over the
    field."""
    rates = (counts[:, 1:] + alpha / 20) / (counts[:, :1] + alpha)
    p = rates[_buckets(positions)]
    return p / p.sum(axis=0, keepdims=True)


def _outcome(data: Dataset, race_id: str) -> pd.DataFrame:
    race = data.race(race_id)
    return race.set_index("skater")[["rank", "status", "time_s"]]


_WORK: dict = {}  # what a worker process reads (inherited when the pool forks)


def _model(race_id: str) -> tuple[str, pd.DataFrame]:
    """One race's model forecast as of the day before, with the PIT of every finishing time."""
    data, params, n_sims, seed = _WORK["data"], _WORK["params"], _WORK["n_sims"], _WORK["seed"]
    fc = forecast(data, race_id, n_sims=n_sims, seed=seed, params=params)
    outcome = _outcome(data, race_id)
    model = fc.table.set_index("skater")[["p_gold", "p_silver", "p_bronze", "p_podium", "q10_s", "q90_s"]]
    finished = outcome["time_s"].where(outcome["status"].isna()).reindex(model.index)
    return race_id, model.assign(pit=pit(fc, finished))


def _models(races: list[str], jobs: int, progress) -> dict[str, pd.DataFrame]:
    if jobs <= 1 or len(races) < 20:
        out = {}
        for i, race_id in enumerate(races, start=1):
            out[race_id] = _model(race_id)[1]
            if progress:
                progress(i, len(races), race_id)
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    out = {}
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        for i, (race_id, model) in enumerate(pool.map(_model, races, chunksize=8), start=1):
            out[race_id] = model
            if progress:
                progress(i, len(races), race_id)
    return out


def run(
    data: Dataset,
    races: list[str] | None = None,
    params: Params = DEFAULT,
    n_sims: int = 10_000,
    seed: int = 2026,
    progress=None,
    jobs: int | None = None,
) -> pd.DataFrame:
    """Forecast every race the day before with each forecaster; one row per forecaster, race and skater.

    The model's forecasts are independent races: they run in ``jobs`` processes (default: one per CPU);
    the result does not depend on ``jobs`` (each race has its own seed)."""
    import os

    races = backtest_races(data) if races is None else list(races)
    info = data.races().set_index("race_id")
    dates = info["date"]
    last = max((dates[r] for r in races), default=TRAINING_FROM)
    training = [r for r in backtest_races(data, TRAINING_FROM) if dates[r] < last]
    needed = set(races) | set(training)
    rows = data.results[["skater", "rank", "status", "time_s"]]
    outcomes = {
        r: rows.iloc[at].set_index("skater") for r, at in data.results.groupby("race_id").indices.items() if r in needed
    }
    orders = _orders(data)

    def positions(race_id: str, skaters: list[str]) -> dict[str, pd.Series]:
        return orders.positions(info.loc[race_id], dates[race_id] - pd.Timedelta(days=1), skaters)

    _WORK.update(data=data, params=params, n_sims=n_sims, seed=seed)
    try:
        models = _models(sorted(set(races), key=lambda r: (dates[r], r)), jobs or os.cpu_count() or 1, progress)
    finally:
        _WORK.clear()

    # The baselines' chances per position, learned from the training races dated up to the day before.
    train_days = dates.reindex(training).to_numpy()
    cumulative = {}
    learned = {r: positions(r, list(outcomes[r].index)) for r in training}
    for name in ("season best", "World Cup standing"):
        per_race = [_place_counts(_buckets(learned[r][name]), outcomes[r]["rank"]) for r in training]
        cumulative[name] = np.cumsum(np.stack(per_race), axis=0) if per_race else np.zeros((0, len(BUCKETS) + 1, 4))

    frames = []
    for race_id in races:
        model = models[race_id]
        as_of = dates[race_id] - pd.Timedelta(days=1)
        outcome = outcomes[race_id]
        skaters = list(model.index)
        n = len(skaters)
        chances = {
            "model": model,
            "uniform": pd.DataFrame(
                {"p_gold": 1 / n, "p_silver": 1 / n, "p_bronze": 1 / n, "p_podium": 3 / n}, index=skaters
            ),
        }
        known = int(np.searchsorted(train_days, np.datetime64(as_of), side="right"))
        for name, pos in positions(race_id, skaters).items():
            counts = cumulative[name][known - 1] if known else np.zeros((len(BUCKETS) + 1, 4))
            p = _learned_chances(counts, pos)
            chances[name] = pd.DataFrame(
                {"p_gold": p[:, 0], "p_silver": p[:, 1], "p_bronze": p[:, 2], "p_podium": p.sum(axis=1)}, index=skaters
            )
        done = outcome.reindex(skaters)
        # A medallist missing from the field still counts: with chance 0 (log loss infinite).
        absent = outcome[(outcome["rank"] <= 3) & ~outcome.index.isin(skaters)]
        for name in FORECASTERS:
            frame = chances[name].reindex(
                columns=["p_gold", "p_silver", "p_bronze", "p_podium", "q10_s", "q90_s", "pit"]
            )
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
                .assign(forecaster=name, race_id=race_id, as_of=as_of.date().isoformat())
            )
    frame = pd.concat(frames, ignore_index=True)[COLUMNS]
    frame["rank"] = frame["rank"].astype("Int64")
    return frame


def scores(frame: pd.DataFrame) -> pd.DataFrame:
    """Scores per forecaster and race, from a backtest file alone: Brier of the podium and of the win and the ranked
    probability score over every skater in the race; log loss over its medallists (no clipping: a medallist given
    0 makes it infinite). Computed for every race at once."""
    counted = frame["status"].isna() | (frame["status"] == "DNF")
    place = frame["rank"].where(counted).fillna(99).astype(int).to_numpy()
    observed = np.stack([(place == k) for k in (1, 2, 3)], axis=1).astype(float)
    p = frame[["p_gold", "p_silver", "p_bronze"]].to_numpy(float)
    medal = (place >= 1) & (place <= 3)
    chance = np.where(medal, p[np.arange(len(p)), np.clip(place, 1, 3) - 1], np.nan)
    with np.errstate(divide="ignore"):
        surprise = -np.log(chance)
    per_row = pd.DataFrame(
        {
            "forecaster": frame["forecaster"].to_numpy(),
            "race_id": frame["race_id"].to_numpy(),
            "brier_podium": (frame["p_podium"].to_numpy(float) - observed.sum(axis=1)) ** 2,
            "brier_win": (p[:, 0] - observed[:, 0]) ** 2,
            "rps": ((np.cumsum(p, axis=1) - np.cumsum(observed, axis=1)) ** 2).sum(axis=1) / 3,
            "log_loss": surprise,
        }
    )
    return per_row.groupby(["forecaster", "race_id"], sort=False).mean().reset_index()


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


def _won(frame: pd.DataFrame, place: int | None) -> np.ndarray:
    """1 where the skater finished on the podium (``place`` None) or in exactly ``place``, else 0."""
    rank = frame["rank"].fillna(99).astype(int)
    counted = frame["status"].isna() | (frame["status"] == "DNF")
    hit = rank <= 3 if place is None else rank == place
    return (hit & counted).to_numpy(dtype=float)


def reliability(
    frame: pd.DataFrame, forecaster: str = "model", place: int | None = None, n_boot: int = 1000, seed: int = 2026
) -> pd.DataFrame:
    """Forecast chances in bins against how often they came true, with a 95 % band from a bootstrap that
    resamples whole races (a race's chances are tied: they sum to one per place). ``place`` None: the podium
    chance; 1, 2 or 3: the chance of exactly that place."""
    mine = frame[frame["forecaster"] == forecaster]
    column = "p_podium" if place is None else ("p_gold", "p_silver", "p_bronze")[place - 1]
    p = mine[column].to_numpy(dtype=float)
    won = _won(mine, place)
    which = np.clip(np.searchsorted(BINS, p, side="right") - 1, 0, len(BINS) - 2)
    race_code, races = pd.factorize(mine["race_id"])
    shape = (len(races), len(BINS) - 1)
    n = np.zeros(shape)
    k = np.zeros(shape)
    total = np.zeros(shape)
    np.add.at(n, (race_code, which), 1)
    np.add.at(k, (race_code, which), won)
    np.add.at(total, (race_code, which), p)
    draws = np.random.default_rng(seed).integers(0, len(races), size=(n_boot, len(races)))
    count = n.sum(axis=0)
    low, high = np.full(len(count), np.nan), np.full(len(count), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = k[draws].sum(axis=1) / n[draws].sum(axis=1)
        filled = count > 0  # a resample can miss a thin band: those draws are left out of its band
        low[filled], high[filled] = np.nanpercentile(boot[:, filled], [2.5, 97.5], axis=0)
        rows = pd.DataFrame(
            {
                "bin": [f"{100 * a:.0f}-{min(100 * b, 100):.0f} %" for a, b in zip(BINS, BINS[1:])],
                "forecasts": count.astype(int),
                "mean_forecast": total.sum(axis=0) / count,
                "happened": k.sum(axis=0).astype(int),
                "observed": k.sum(axis=0) / count,
                "low": low,
                "high": high,
            }
        )
    return rows


def pit_histogram(frame: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """The model's PIT values (the forecast's chance of a time at most as fast as the real one) in ``bins``
    equal bins: flat when the time ranges are honest; a U when too narrow; a slope when off-centre."""
    values = frame.loc[(frame["forecaster"] == "model") & frame["pit"].notna(), "pit"].to_numpy(dtype=float)
    counts, edges = np.histogram(values, bins=bins, range=(0, 1))
    return pd.DataFrame(
        {"low": edges[:-1], "high": edges[1:], "finishes": counts, "share": counts / max(len(values), 1)}
    )


def olympic_forecasts(frame: pd.DataFrame, data: Dataset) -> pd.DataFrame:
    """Per Olympic race in the backtest: the model's favourite and gold chance, the winner and the chance the
    model gave her or him, and the medallists' podium chances."""
    races = data.races().set_index("race_id")
    model = frame[frame["forecaster"] == "model"]
    rows = []
    for race_id, group in model.groupby("race_id", sort=True):
        if races.loc[race_id, "competition_type"] != "OG":
            continue
        favourite = group.loc[group["p_gold"].idxmax()]
        medals = group[(group["rank"] <= 3) & group["status"].isna()].sort_values(["rank", "skater"])
        winners = medals[medals["rank"] == 1]
        rows.append(
            {
                "race_id": race_id,
                "year": int(races.loc[race_id, "date"].year),
                "gender": races.loc[race_id, "gender"],
                "distance_m": int(races.loc[race_id, "distance_m"]),
                "favourite": favourite["skater"],
                "favourite_gold": float(favourite["p_gold"]),
                "favourite_rank": favourite["rank"],
                "winner": " and ".join(winners["skater"]),
                "winner_gold": float(winners["p_gold"].min()) if len(winners) else np.nan,
                "medallists": list(zip(medals["skater"], medals["rank"].astype(int), medals["p_podium"].astype(float))),
                "field": int(len(group)),
            }
        )
    return pd.DataFrame(rows)


def coverage(frame: pd.DataFrame) -> dict[str, float]:
    """Share of finishing times inside the model's 80 % interval (all finishes, and without falls/mishaps)."""
    mine = frame[(frame["forecaster"] == "model") & frame["time_s"].notna() & frame["q10_s"].notna()]
    inside = (mine["time_s"] >= mine["q10_s"]) & (mine["time_s"] <= mine["q90_s"])
    below, above = (mine["time_s"] < mine["q10_s"]).mean(), (mine["time_s"] > mine["q90_s"]).mean()
    return {"finishes": int(len(mine)), "inside": float(inside.mean()), "faster": float(below), "slower": float(above)}


GRID = {"half_life_days": (60.0, 120.0, 240.0), "carry": (0.25, 0.5, 1.0), "hedge": (0.01, 0.03)}


def tuning_races(data: Dataset, every: int = 1) -> list[str]:
    """The races the settings are tuned on: the backtest races before :data:`HELD_OUT_FROM` (every ``every``-th)."""
    return backtest_races(data, FIRST_SEASON, HELD_OUT_FROM)[::every]


def tune(data: Dataset, grid: dict = GRID, every: int = 1, n_sims: int = 4000, progress=None) -> pd.DataFrame:
    """Mean model log loss, RPS and 80 % range coverage on the tuning races for every combination of ``grid``
    (each combination changes :data:`~analysis.outlook.DEFAULT`)."""
    races = tuning_races(data, every)
    rows = []
    for values in itertools.product(*grid.values()):
        params = replace(DEFAULT, **dict(zip(grid, values)))
        frame = run(data, races, params=params, n_sims=n_sims)
        mean = scores(frame[frame["forecaster"] == "model"])[["log_loss", "rps"]].mean()
        cover = coverage(frame)
        rows.append({**dict(zip(grid, values)), "races": len(races), **mean.to_dict(), "inside_80": cover["inside"]})
        if progress:
            progress(rows[-1])
    return pd.DataFrame(rows).sort_values("log_loss").reset_index(drop=True)


# --------------------------------------------------------------------------- the stored backtest

STORED_NAME = "derived/backtest.csv.gz"  # in data/: one row per forecaster, race and skater
KEY_NAME = "derived/backtest-key.txt"  # the hash of the code and data it was computed from
STORED_SIMS, STORED_SEED = 10_000, 2026
REBUILD = "make backtest"


class StaleBacktest(RuntimeError):
    """The stored backtest was computed from other code or data (or is missing)."""


def _closure(module: str) -> list[str]:
    """The ``analysis`` modules ``module`` imports, directly or through others (its own file included)."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parent
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name in seen or not (package / f"{name}.py").is_file():
            continue
        seen.add(name)
        for node in ast.walk(ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                todo += [node.module] if node.module else [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis."):
                todo.append(node.module.split(".")[1])
    return sorted(seen)


def stored_key(data_dir=None) -> str:
    """Hash of what the stored backtest depends on: every data file the loaders read (and their code), the code
    of the forecast and the backtest (every module they import), the simulation count and seed, numpy's version."""
    import hashlib
    from pathlib import Path

    from .data import _data_key, data_path

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(_data_key(data_path(data_dir)).encode())
    for name in _closure("backtest"):
        digest.update(name.encode() + b"\0" + (package / f"{name}.py").read_bytes())
    digest.update(f"{STORED_SIMS} {STORED_SEED} numpy={np.__version__}".encode())
    return digest.hexdigest()[:32]


def store(data_dir=None, progress=None) -> pd.DataFrame:
    """Run the whole backtest and write it with its key into ``data/derived/`` (deterministic bytes)."""
    from .data import data_path

    base = data_path(data_dir)
    frame = run(load_all(base), n_sims=STORED_SIMS, seed=STORED_SEED, progress=progress)
    target = base / STORED_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    frame.to_csv(tmp, index=False, float_format="%.6g", compression={"method": "gzip", "mtime": 0})
    tmp.replace(target)
    (base / KEY_NAME).write_text(stored_key(base) + "\n", encoding="utf-8")
    return frame


def is_current(data_dir=None) -> bool:
    """Whether the stored backtest exists and was computed from today's code and data."""
    from .data import data_path

    base = data_path(data_dir)
    key = base / KEY_NAME
    return (base / STORED_NAME).is_file() and key.is_file() and key.read_text().strip() == stored_key(base)


def load_backtest(data_dir=None) -> pd.DataFrame:
    """The stored backtest (see :func:`run` for its columns); :class:`StaleBacktest` if it is missing or was
    computed from other code or data, naming the command that rebuilds it."""
    from .data import data_path

    base = data_path(data_dir)
    if not is_current(base):
        raise StaleBacktest(
            f"data/{STORED_NAME} is missing or was computed from other code or data than today's: "
            f"rebuild it with `{REBUILD}` (about a minute; `make report` does it too)"
        )
    frame = pd.read_csv(base / STORED_NAME, dtype={"status": "string", "skater": "string"})
    frame["rank"] = frame["rank"].astype("Int64")
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.backtest", description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="CSV file to write (one row per forecaster, race and skater)")
    parser.add_argument(
        "--store", action="store_true", help=f"(re)compute data/{STORED_NAME} if it is not current (make backtest)"
    )
    parser.add_argument("--races", help="comma-separated race ids (default: every race with a complete field)")
    parser.add_argument("--tune", action="store_true", help="print the tuning grid on the seasons before 2023-24")
    parser.add_argument("--every", type=int, default=1, help="with --tune: every n-th tuning race (faster)")
    args = parser.parse_args(argv)
    data = load_all()
    start = time.perf_counter()
    if args.tune:
        print(
            tune(data, every=args.every, progress=lambda row: print(row, file=sys.stderr, flush=True)).to_string(
                index=False
            )
        )
        return 0

    def progress(i: int, n: int, race_id: str) -> None:
        if sys.stderr.isatty():
            print(f"\r[{i}/{n}] {race_id:<22}", end="", file=sys.stderr, flush=True)
        elif i == n or i % max(1, n // 10) == 0:  # a log: a line per tenth
            print(f"[{i}/{n}] {race_id}", file=sys.stderr, flush=True)

    if args.store:
        if is_current():
            print(f"data/{STORED_NAME} is current")
            return 0
        frame = store(progress=progress)
        print(f"\n{frame['race_id'].nunique()} races -> data/{STORED_NAME} ({time.perf_counter() - start:.1f} s)")
        return 0
    if not args.out:
        parser.error("--out FILE is required (or --tune, --store)")

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
