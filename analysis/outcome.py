"""One race's outcome: results table, the lead pair by pair, records set, lap times."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import pandas as pd

from .records import progression_from_results
from .times import format_gap, format_time

__all__ = [
    "select_race",
    "results_table",
    "leader_by_pair",
    "lead_spells",
    "record_breaks",
    "lap_table",
    "fastest_segment",
    "race_coverage",
    "missing_ranks",
    "as_shown",
]

MEDALS = {1: "gold", 2: "silver", 3: "bronze"}


def select_race(results: pd.DataFrame, date: str, distance_m: int, competition_type: str = "OG") -> pd.DataFrame:
    """Rows of one race (by date, distance and competition type), in finishing order."""
    day = pd.Timestamp(date)
    mask = (
        (results["date"] == day)
        & (results["distance_m"] == distance_m)
        & (results["competition_type"] == competition_type)
    )
    race = results[mask]
    if race.empty:
        raise KeyError(f"no {competition_type} {distance_m} m race on {day.date()} in the results")
    if race["competition"].nunique() != 1:
        raise KeyError(f"more than one {competition_type} {distance_m} m race on {day.date()}")
    return race.sort_values(["rank", "time_s", "skater"], na_position="last", kind="stable").reset_index(drop=True)


def _hundredths(seconds: float) -> float:
    """Official precision: hundredths, truncated (a tie-break thousandth is not shown: 37.342 -> 37.34)."""
    return math.floor(seconds * 100 + 1e-6) / 100


def as_shown(seconds: float, decimals: int) -> float:
    """A time at the precision it is shown: hundredths cut (as results print them), a hand time's tenth kept."""
    return round(seconds, 1) if decimals == 1 else _hundredths(seconds)


def _fmt(seconds: float, style: str, decimals: int = 2) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "–"
    return format_time(as_shown(seconds, decimals), style=style, decimals=decimals)


def _hand_timed(race: pd.DataFrame) -> pd.Series:
    """Per row: the source gives the time to the tenth (``hand_timed``; False where the column is absent)."""
    if "hand_timed" not in race.columns:
        return pd.Series(False, index=race.index)
    return race["hand_timed"].astype("boolean").fillna(False).astype(bool)


def results_table(race: pd.DataFrame, style: str = "intl") -> pd.DataFrame:
    """Display table: Rank, Skater, Nation, Pair, Lane, Time, Gap (to the winner), Medal.

    Times and gaps in hundredths (the official precision; thousandths only break ties, and the rank
    shows that order); a hand time (``hand_timed``) and a gap between hand times to the tenth, as the source
    gives them. Missing values show as "–"; a skater with a status shows it instead of a time. ``Pair`` and
    ``Lane`` are left out when the source gives neither for any skater (the Olympic tables before 2010).
    """
    hand = _hand_timed(race)
    winners = race["rank"] == 1
    winner = race.loc[winners, "time_s"].min()
    winner_hand = bool(hand[winners & (race["time_s"] == winner)].any())
    rows = []
    for rec, row_hand in zip(race.itertuples(index=False), hand):
        decimals = 1 if row_hand else 2
        time_text = rec.status if isinstance(rec.status, str) else _fmt(rec.time_s, style, decimals)
        gap = "–"
        if not math.isnan(rec.time_s) and not math.isnan(winner) and not isinstance(rec.status, str):
            both = 1 if row_hand or winner_hand else 2  # a gap is no finer than the coarser of its two times
            behind = round(as_shown(rec.time_s, both) - as_shown(winner, both), both)
            gap = format_gap(behind, style=style, decimals=both) or ""
        rows.append(
            {
                "Rank": "–" if pd.isna(rec.rank) else int(rec.rank),
                "Skater": rec.skater,
                "Nation": rec.nation,
                "Pair": "–" if pd.isna(rec.pair) else int(rec.pair),
                "Lane": rec.lane if isinstance(rec.lane, str) else "–",
                "Time": time_text,
                "Gap": gap,
                "Medal": MEDALS.get(None if pd.isna(rec.rank) else int(rec.rank), ""),
            }
        )
    table = pd.DataFrame(rows, columns=["Rank", "Skater", "Nation", "Pair", "Lane", "Time", "Gap", "Medal"])
    unused = [c for c, col in (("Pair", "pair"), ("Lane", "lane")) if race[col].isna().all()]
    return table.drop(columns=unused)


def _could_beat(skater, leader, lowest_missing_rank: float) -> bool:
    """Could a skater whose pair or time is unknown have beaten the current leader?"""
    if not math.isnan(skater["time_s"]):
        return skater["time_s"] < leader["time_s"]
    if pd.isna(leader["rank"]):
        return True  # neither the skater's time nor the leader's place is known: either could be ahead
    if not pd.isna(skater["rank"]):
        return skater["rank"] < leader["rank"]
    return lowest_missing_rank < leader["rank"]


def leader_by_pair(race: pd.DataFrame, n_pairs: int | None = None) -> pd.DataFrame:
    """The provisional leader after each pair.

    Columns: ``pair, leader, nation, time_s, new_leader, certain``. ``certain`` is False where a
    skater whose pair or time is missing from the data could have been ahead at that point.
    """
    finished = race[race["status"].isna()]
    n_pairs = int(n_pairs or finished["pair"].max())
    ranks = set(finished["rank"].dropna().astype(int))
    lowest_missing = min((r for r in range(1, len(race) + 2) if r not in ranks), default=math.inf)
    # Plain rows: this loop runs once per pair, and frame filtering per pair dominated the race story's cost.
    known = finished[finished["pair"].notna() & finished["time_s"].notna()].to_dict("records")
    unknown = finished[finished["pair"].isna() | finished["time_s"].isna()].to_dict("records")
    rows, previous = [], None
    for pair in range(1, n_pairs + 1):
        so_far = [r for r in known if r["pair"] <= pair]
        if not so_far:
            rows.append(
                {
                    "pair": pair,
                    "leader": None,
                    "nation": None,
                    "time_s": math.nan,
                    "new_leader": False,
                    "certain": False,
                }
            )
            continue
        leader = min(so_far, key=lambda r: (r["time_s"], r["pair"]))  # the first of equals, as a stable sort
        in_play = [s for s in unknown if pd.isna(s["pair"]) or s["pair"] <= pair]
        certain = not any(_could_beat(s, leader, lowest_missing) for s in in_play)
        rows.append(
            {
                "pair": pair,
                "leader": leader["skater"],
                "nation": leader["nation"],
                "time_s": float(leader["time_s"]),
                "new_leader": leader["skater"] != previous,
                "certain": certain,
            }
        )
        previous = leader["skater"]
    return pd.DataFrame(rows).astype({"pair": "int64", "time_s": "float64", "new_leader": "bool", "certain": "bool"})


def lead_spells(leaders: pd.DataFrame) -> pd.DataFrame:
    """Consecutive pairs with the same leader: ``leader, nation, time_s, from_pair, to_pair, pairs``."""
    spells = []
    for _, row in leaders.dropna(subset=["leader"]).iterrows():
        if spells and spells[-1]["leader"] == row["leader"]:
            spells[-1]["to_pair"] = row["pair"]
        else:
            spells.append(
                {
                    "leader": row["leader"],
                    "nation": row["nation"],
                    "time_s": row["time_s"],
                    "from_pair": row["pair"],
                    "to_pair": row["pair"],
                }
            )
    frame = pd.DataFrame(spells, columns=["leader", "nation", "time_s", "from_pair", "to_pair"])
    frame["pairs"] = frame["to_pair"] - frame["from_pair"] + 1
    return frame


def record_breaks(race: pd.DataFrame, record_before: float) -> pd.DataFrame:
    """Each time in pair order that beat the record in force: ``pair, skater, nation, time_s, previous_s, by_s``.

    ``record_before`` is the record in force when the race started; a tie does not break it.
    Skaters without a pair number are placed after the numbered pairs.
    """
    finished = race[race["status"].isna() & race["time_s"].notna()]
    breaks = progression_from_results(finished, start_s=record_before)
    breaks = breaks.reindex(columns=["pair", "skater", "nation", "time_s"])
    breaks["previous_s"] = breaks["time_s"].shift(1).fillna(record_before)
    breaks["by_s"] = (breaks["previous_s"] - breaks["time_s"]).round(3)
    return breaks.reset_index(drop=True)


def lap_table(race: pd.DataFrame, splits: pd.DataFrame) -> pd.DataFrame:
    """Opening and lap times per skater from the split data (one row per skater with any split).

    Columns: ``skater, nation, rank, segment, from_m, to_m, seconds, decimals``. Segments are the
    opener (start to first split) and 400 m laps; one appears only when both of its ends are known
    (the finish is the race time).
    """
    key = race.iloc[0]
    mine = splits[(splits["date"] == key["date"]) & (splits["distance_m"] == key["distance_m"])]
    rows = []
    for skater, group in mine.groupby("skater", sort=False):
        result = race[race["skater"] == skater].iloc[0]
        marks = [(0, 0.0, 3)] + [(int(r.split_m), float(r.elapsed_s), int(r.decimals)) for r in group.itertuples()]
        if not math.isnan(result["time_s"]):
            marks.append((int(key["distance_m"]), float(result["time_s"]), 2))
        marks.sort()
        for (m0, t0, d0), (m1, t1, d1) in zip(marks, marks[1:]):
            if m0 != 0 and m1 - m0 != 400:
                continue  # not one lap: a split in between is missing
            rows.append(
                {
                    "skater": skater,
                    "nation": result["nation"],
                    "rank": result["rank"],
                    "segment": "opener" if m0 == 0 else f"{m0}-{m1} m",
                    "from_m": m0,
                    "to_m": m1,
                    "seconds": round(t1 - t0, 3),
                    "decimals": min(d0, d1),
                }
            )
    frame = pd.DataFrame(rows, columns=["skater", "nation", "rank", "segment", "from_m", "to_m", "seconds", "decimals"])
    return frame.sort_values(["rank", "skater", "from_m"], na_position="last", kind="stable").reset_index(drop=True)


def _bounds(seconds: float, decimals: int) -> tuple[float, float]:
    """The true time a printed one can stand for: a broadcaster's tenths are rounded (22.9: 22.85 to 22.95),
    hundredths and thousandths are cut (22.99: 22.99 to 23.00)."""
    if decimals == 1:
        return seconds - 0.05, seconds + 0.05
    return seconds, seconds + 10.0**-decimals


def fastest_segment(laps: pd.DataFrame, segment: str = "opener") -> tuple[pd.Series, bool]:
    """The fastest ``segment`` in ``laps`` (see :func:`lap_table`) as printed, and whether it is certainly the
    fastest: False when another skater's time, printed less precisely, could stand for a faster one.

    >>> laps = pd.DataFrame({"skater": ["A", "B", "C"], "segment": "opener", "seconds": [22.9, 22.99, 23.3],
    ...                      "decimals": [1, 2, 1]})
    >>> row, certain = fastest_segment(laps)
    >>> row["skater"], certain
    ('A', True)
    >>> later = pd.DataFrame({"skater": ["A", "C"], "segment": "opener", "seconds": [22.97, 23.0], "decimals": [2, 1]})
    >>> fastest_segment(later)[1]  # C's 23.0 could stand for 22.95
    False
    """
    rows = laps[laps["segment"] == segment].sort_values(["seconds", "skater"], kind="stable")
    if rows.empty:
        raise ValueError(f"no {segment} in the lap table")
    best = rows.iloc[0]
    _, best_high = _bounds(float(best["seconds"]), int(best["decimals"]))
    certain = all(_bounds(float(r.seconds), int(r.decimals))[0] >= best_high for r in rows.iloc[1:].itertuples())
    return best, certain


def missing_ranks(ranks: Iterable, up_to: int) -> list[int]:
    """The places 1 to ``up_to`` that no rank holds. A tie also takes the places after it: two skaters ranked
    11th leave no 12th.

    >>> missing_ranks([1, 2, 4, 4, 7], 8)
    [3, 6, 8]
    """
    counts = Counter(int(r) for r in ranks)
    taken = {rank + k for rank, tied in counts.items() for k in range(tied)}
    return [r for r in range(1, up_to + 1) if r not in taken]


def race_coverage(race: pd.DataFrame, starters: int | None = None) -> dict[str, object]:
    """What the data holds for a race: rows, missing ranks, times and pairs.

    A skater who started but has no place (DNF, DQ, NC) takes none of the ``starters``' places: the last place
    of a field of 28 with one skater who did not finish is 27th, and 28th is not missing.
    """
    n = starters or len(race)
    unplaced = int((race["rank"].isna() & race["status"].notna() & ~race["status"].isin(["DNS", "WDR"])).sum())
    return {
        "rows": len(race),
        "starters": n,
        "missing_ranks": missing_ranks(race["rank"].dropna(), n - unplaced),
        "no_time": race.loc[race["time_s"].isna() & race["status"].isna(), "skater"].tolist(),
        "no_pair": race.loc[race["pair"].isna(), "skater"].tolist(),
        "status": race.loc[race["status"].notna(), ["skater", "status"]].values.tolist(),
    }
