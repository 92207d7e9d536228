"""The story of one race, for any race in the data: the numbers and tables the race page narrates.

:func:`race_story` takes the loaded data and a race id and returns a :class:`RaceStory`: the result
in finishing order, the podium, the lead pair by pair, the records that fell or stood, laps where
splits exist, the medallists' season before the race, the conditions the sheet printed, and what the
data is missing. Nothing here reads a file or formats prose; the notebook narrates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from . import outcome
from .data import Dataset
from .records import ALTITUDE_THRESHOLD_M, record_in_force, with_altitude

__all__ = [
    "RaceStory",
    "RecordCheck",
    "race_story",
    "season_summary",
    "olympic_history",
    "ordinal",
    "OlympicHistory",
    "SEASON_START",
    "RECORD_NAMES",
    "plural",
    "times_text",
    "join_names",
    "race_title",
    "SEX_WORDS",
    "POSSESSIVE",
]

SEASON_START = pd.Timestamp("2025-07-01")  # the 2025-26 season: results from this day on
#: The records a race can break, by competition type (a World Cup cannot set an Olympic record).
RECORDS_FOR = {"OG": ("OR", "WR")}
RECORD_NAMES = {"OR": "Olympic record", "WR": "world record"}
#: The words the pages use for each ``gender`` value: "the women's 1000 m", "her best time".
SEX_WORDS = {"W": "women's", "M": "men's"}
POSSESSIVE = {"W": "her", "M": "his"}


def join_names(items) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def times_text(n: int) -> str:
    """'once', 'twice', '3 times'."""
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 35)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '35th']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 pair', '2 pairs', '1 time', '3 times'."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


@dataclass(frozen=True)
class RecordCheck:
    """One record at one race: what stood before, who broke it (in pair order), or how close the best came."""

    record: str  # "OR" or "WR"
    before: pd.Series | None  # the record in force at the start; None when the data has no progression
    breaks: pd.DataFrame  # pair, skater, nation, time_s, previous_s, by_s (empty if it stood)
    best_gap_s: float | None  # the race's best time minus the record (positive: slower), if it stood


@dataclass(frozen=True)
class RaceStory:
    race_id: str
    info: pd.Series  # competition, competition_type, date, venue, city, altitude_m, gender, distance_m, division
    race: pd.DataFrame  # every row of the race, in finishing order
    podium: pd.DataFrame  # ranks 1-3 (ties included)
    coverage: dict
    leaders: pd.DataFrame  # leader after each pair (empty without pair numbers)
    spells: pd.DataFrame  # consecutive pairs with the same leader
    records: list[RecordCheck]
    laps: pd.DataFrame  # opener and laps of the skaters with splits
    season: pd.DataFrame  # the medallists' earlier races this season at the distance (any competition), with altitude
    conditions: pd.Series | None
    falls: pd.DataFrame  # skaters a sheet marks as fallen, and DNF/DQ with their code

    @property
    def winner(self) -> pd.Series:
        return self.podium.iloc[0]


def race_title(info: pd.Series) -> str:
    """'the women's 1000 m at the Olympic Winter Games 2026' / '... Division B ...'."""
    sex = SEX_WORDS[info["gender"]]
    division = " (Division B)" if str(info["division"]) == "B" else ""
    return f"the {sex} {int(info['distance_m'])} m{division} at the {info['competition']}"


def _record_checks(data: Dataset, story_race: pd.DataFrame, info: pd.Series) -> list[RecordCheck]:
    checks = []
    records = data.records[data.records["gender"] == info["gender"]]
    finished = story_race[story_race["status"].isna() & story_race["time_s"].notna()]
    for kind in RECORDS_FOR.get(info["competition_type"], ("WR",)):
        before = record_in_force(records, kind, int(info["distance_m"]), info["date"])
        if before is None:
            checks.append(RecordCheck(kind, None, pd.DataFrame(), None))
            continue
        breaks = outcome.record_breaks(story_race, float(before["time_s"]))
        gap = None if len(breaks) or finished.empty else float(finished["time_s"].min() - before["time_s"])
        checks.append(RecordCheck(kind, before, breaks, gap))
    return checks


def race_story(data: Dataset, race_id: str) -> RaceStory:
    """Everything the race page tells about ``race_id``; ``KeyError`` naming close ids if it is not in the data."""
    results = data.results
    race = data.race(race_id)
    if race.empty:
        same_day = sorted(results.loc[results["race_id"].str[:10] == race_id[:10], "race_id"].unique())
        hint = f"; races that day: {', '.join(same_day)}" if same_day else "; list them with: python -m analysis.races"
        raise KeyError(f"no race {race_id!r} in the data{hint}")
    race = race.sort_values(["rank", "time_s", "skater"], na_position="last", kind="stable").reset_index(drop=True)
    venue = data.venues.set_index("venue").reindex([race["venue"].iloc[0]]).iloc[0]
    info = race.iloc[0][
        ["race_id", "competition", "competition_type", "date", "venue", "gender", "distance_m", "division"]
    ].copy()
    info["city"], info["altitude_m"] = venue["city"], venue["altitude_m"]
    info["at_altitude"] = bool(pd.notna(venue["altitude_m"]) and venue["altitude_m"] >= ALTITUDE_THRESHOLD_M)
    podium = race[race["rank"].le(3) & race["status"].isna()].sort_values("rank", kind="stable")
    pairs = int(race["pair"].max()) if race["pair"].notna().any() else 0
    started = race[~race["status"].isin(["DNS", "WDR"])]
    cover = outcome.race_coverage(race, starters=max(len(started), 2 * pairs - 1 if pairs else 0))
    timed_pairs = race[race["status"].isna() & race["pair"].notna() & race["time_s"].notna()]
    leaders = (
        outcome.leader_by_pair(race)
        if len(timed_pairs)
        else pd.DataFrame(columns=["pair", "leader", "nation", "time_s", "new_leader", "certain"])
    )
    spells = (
        outcome.lead_spells(leaders)
        if len(leaders)
        else pd.DataFrame(columns=["leader", "nation", "time_s", "from_pair", "to_pair", "pairs"])
    )
    splits = data.splits[data.splits["skater"].isin(race["skater"])]
    laps = outcome.lap_table(race, splits) if len(splits) else pd.DataFrame()
    season = results[
        (results["gender"] == info["gender"])
        & (results["distance_m"] == info["distance_m"])
        & results["skater"].isin(podium["skater"])
        & (results["date"] < info["date"])
        & (results["date"] >= SEASON_START)
    ]
    season = with_altitude(season, data.venues).sort_values(["skater", "date"])
    conditions = (
        data.conditions.set_index("race_id").reindex([race_id]).iloc[0]
        if race_id in set(data.conditions["race_id"])
        else None
    )
    codes = race["note"].fillna("").str.split()
    falls = race[
        codes.map(lambda c: any(x == "F" or re.fullmatch(r"T\d+", x) for x in c))  # T04-T10: rule codes, not TR
        | race["status"].isin(["DNF", "DQ"])
    ]
    return RaceStory(
        race_id,
        info,
        race,
        podium,
        cover,
        leaders,
        spells,
        _record_checks(data, race, info),
        laps,
        season,
        conditions,
        falls[["skater", "nation", "rank", "time_s", "status", "note"]],
    )


def season_summary(story: RaceStory) -> pd.DataFrame:
    """Per medallist: earlier races this season at the distance, best time, best on rinks below
    ``ALTITUDE_THRESHOLD_M``, this race's time and its difference to that lower-rink best (negative: faster)."""
    rows = []
    for medallist in story.podium.itertuples():
        mine = story.season[
            (story.season["skater"] == medallist.skater)
            & story.season["time_s"].notna()
            & story.season["status"].isna()
        ]
        low = mine[mine["at_altitude"].eq(False)]  # a rink of unknown altitude is in neither group
        best_low = float(low["time_s"].min()) if len(low) else float("nan")
        rows.append(
            {
                "skater": medallist.skater,
                "nation": medallist.nation,
                "rank": int(medallist.rank),
                "races": int((story.season["skater"] == medallist.skater).sum()),
                "best_s": float(mine["time_s"].min()) if len(mine) else float("nan"),
                "best_low_s": best_low,
                "this_s": float(medallist.time_s),
                "vs_low_s": round(float(medallist.time_s) - best_low, 3) if len(low) else float("nan"),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class OlympicHistory:
    """An Olympic race against every earlier Olympic race of its sex and distance."""

    games: pd.DataFrame  # per Games: year, race_id, winner, nation, time_s, second_s, margin_s, hand_timed,
    #                      finishers, beat_old_record (finishers faster than the Olympic record in force)
    medallists: pd.DataFrame  # each medallist's earlier Olympic results: skater, year, distance_m, rank, time_s
    missing: list[int]  # Games with this event whose single race the data lacks (two-race sums only, or absent)


def olympic_history(data: Dataset, race_id: str) -> OlympicHistory:
    """This Olympic race and every earlier one at its sex and distance: winning margins, how many finishers
    beat the Olympic record in force before the race, and the medallists' earlier Olympic results.

    Where the Games ran the distance twice (the 500 m, 1998-2014), the first race stands for the Games; where the
    data hold only the sum of two races (1998-2006) or nothing, the year is listed in ``missing``.
    """
    from .records import WINTER_GAMES_YEARS, record_in_force

    race = data.race(race_id)
    if race.empty:
        raise KeyError(f"no race {race_id!r} in the data")
    info = race.iloc[0]
    if info["competition_type"] != "OG":
        raise ValueError(f"{race_id} is not an Olympic race")
    results = data.results
    same = results[
        (results["competition_type"] == "OG")
        & (results["gender"] == info["gender"])
        & (results["distance_m"] == info["distance_m"])
        & (results["date"] <= info["date"])
    ]
    records = data.records[data.records["gender"] == info["gender"]]
    rows = []
    for year, part in same.groupby(same["date"].dt.year, sort=True):
        first = sorted(part["race_id"].unique())[0]  # the first race of a two-race 500 m
        one = part[(part["race_id"] == first) & part["status"].isna() & part["time_s"].notna()]
        ranked = one.dropna(subset=["rank"]).sort_values(["rank", "time_s"])
        if ranked.empty:
            continue
        win = ranked.iloc[0]
        second = ranked[ranked["rank"] > win["rank"]]["time_s"]
        old = record_in_force(records, "OR", int(info["distance_m"]), one["date"].iloc[0])
        rows.append(
            {
                "year": int(year),
                "race_id": first,
                "winner": win["skater"],
                "nation": win["nation"],
                "time_s": float(win["time_s"]),
                "second_s": float(second.min()) if len(second) else None,
                "margin_s": round(float(second.min()) - float(win["time_s"]), 3) if len(second) else None,
                "tied": int((ranked["rank"] == win["rank"]).sum()) > 1,
                "hand_timed": bool(one["hand_timed"].fillna(False).any()),
                "finishers": len(one),
                "old_record_s": None if old is None else float(old["time_s"]),
                "old_record_hand": None if old is None else bool(old["hand_timed"]),
                "beat_old_record": None if old is None else int((one["time_s"] < old["time_s"] - 1e-9).sum()),
            }
        )
    games = pd.DataFrame(rows)
    held = {y for y in WINTER_GAMES_YEARS if y <= info["date"].year and (info["gender"] == "M" or y >= 1960)}
    if info["distance_m"] == 1000:
        held = {y for y in held if y >= (1976 if info["gender"] == "M" else 1960)}
    missing = sorted(held - set(games["year"] if len(games) else []))
    podium = race[race["rank"].notna() & (race["rank"] <= 3)]["skater"].unique()
    earlier = results[
        (results["competition_type"] == "OG") & results["skater"].isin(podium) & (results["date"] < info["date"])
    ]
    medallists = earlier[["skater", "date", "distance_m", "race_id", "rank", "time_s", "status"]].assign(
        year=earlier["date"].dt.year
    )
    return OlympicHistory(
        games=games,
        medallists=medallists.sort_values(["skater", "date", "distance_m"]).reset_index(drop=True),
        missing=missing,
    )
