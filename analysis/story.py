"""The story of one race, for any race in the data: the numbers and tables the race page narrates.

:func:`race_story` takes the loaded data and a race id and returns a :class:`RaceStory`: the result
in finishing order, the podium, the lead pair by pair, the records that fell or stood, laps where
splits exist, the medallists' season before the race, the conditions the sheet or the results API
gave, and what the data is missing. What a source does not give (pairs before the results API, a season
before 2008, conditions) is an empty table or ``None``, and :attr:`RaceStory.source` names the source that
lacks it. Nothing here reads a file or writes prose; the notebook narrates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from . import outcome
from .coverage import source_kind
from .data import Dataset, season_of, season_start
from .records import ALTITUDE_THRESHOLD_M, record_in_force, with_altitude
from .times import format_difference, format_time

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
    "SOURCE_NAMES",
]

#: The current season (2025-26) as the outlook pages use it; a race's story takes the race's own season
#: (:func:`analysis.data.season_start`).
SEASON_START = pd.Timestamp("2025-07-01")
#: The records a race can break, by competition type (a World Cup cannot set an Olympic record).
RECORDS_FOR = {"OG": ("OR", "WR")}
RECORD_NAMES = {"OR": "Olympic record", "WR": "world record"}
#: The words the pages use for each ``gender`` value: "the women's 1000 m", "her best time".
SEX_WORDS = {"W": "women's", "M": "men's"}
POSSESSIVE = {"W": "her", "M": "his"}
#: What the pages call each kind of source (:func:`analysis.coverage.source_kind`).
SOURCE_NAMES = {
    "ISU sheet": "the official ISU result sheet",
    "ISU results API": "the ISU results API",
    "Olympic table": "the Olympic results table",
    "news": "news reports",
}


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
    #: False where the race has no pair numbers: ``breaks`` then lists every finisher faster than the record,
    #: fastest first, since the data cannot say in which order they skated (nor how often the record fell).
    in_pair_order: bool = True


@dataclass(frozen=True)
class RaceStory:
    race_id: str
    info: pd.Series  # competition, competition_type, date, venue, city, altitude_m, gender, distance_m, division,
    #                  races (of this distance at the meeting), race_no (which of them)
    race: pd.DataFrame  # every row of the race, in finishing order
    podium: pd.DataFrame  # ranks 1-3 (ties included)
    coverage: dict
    leaders: pd.DataFrame  # leader after each pair (empty without pair numbers)
    spells: pd.DataFrame  # consecutive pairs with the same leader
    records: list[RecordCheck]
    laps: pd.DataFrame  # opener and laps of the skaters with splits
    season: pd.DataFrame  # the medallists' earlier races this season at the distance (any competition), with altitude
    conditions: pd.Series | None  # from the official sheet or the results API; None where the data has none
    falls: pd.DataFrame  # skaters a sheet marks as fallen, and DNF/DQ with their code
    source: str = "news"  # the kind of source of the rows: "ISU sheet", "ISU results API", "Olympic table", "news"
    hand_timed: bool = False  # the times were taken by hand, to the tenth (Olympic races up to 1968)
    season_races: int = 0  # races of this sex and distance in the data earlier in the race's season
    conditions_source: str | None = None  # "ISU sheet" or "ISU results API"
    #: where the medals went on the sum of two races: the medallists of the sum (rank, skater, nation, time_s)
    sum_medallists: pd.DataFrame | None = None

    @property
    def winner(self) -> pd.Series:
        return self.podium.iloc[0]

    @property
    def medals_on_sum(self) -> bool:
        """One of two Olympic races of a distance whose medals went on the sum of both (the 500 m, 1998-2014): its
        places are not medals (:attr:`sum_medallists` has them)."""
        return self.sum_medallists is not None and len(self.sum_medallists) > 0

    @property
    def has_pairs(self) -> bool:
        """The source gives pair numbers with times, so the lead can be followed pair by pair."""
        return len(self.leaders) > 0

    @property
    def decimals(self) -> int:
        """The precision of this race's times: 1 for hand times (tenths), else 2 (hundredths, as results print)."""
        return 1 if self.hand_timed else 2

    @property
    def season_label(self) -> str:
        """The race's season, e.g. '2013-14'."""
        return season_of(self.info["date"])

    def time_text(self, seconds: float, style: str = "intl") -> str:
        """A time of this race as the page prints it: '45.0' for a hand time, '1:14.02' otherwise; '–' if missing."""
        if seconds is None or pd.isna(seconds):
            return "–"
        return format_time(outcome.as_shown(float(seconds), self.decimals), style=style, decimals=self.decimals)

    def difference_text(self, seconds: float, style: str = "intl", other_hand_timed: bool = False) -> str:
        """An unsigned difference between two times in seconds ('0.28', or '0.4' where a hand time is involved)."""
        decimals = 1 if self.hand_timed or other_hand_timed else 2
        return format_difference(seconds, style=style, decimals=decimals, signed=False)


def race_title(info: pd.Series) -> str:
    """'the women's 1000 m at the Olympic Winter Games 2026' / '... Division B ...' / '... 500 m (race 2 of 2) ...'
    where the meeting ran the distance twice (``race_no``, ``races``)."""
    sex = SEX_WORDS[info["gender"]]
    division = " (Division B)" if str(info["division"]) == "B" else ""
    races = int(info.get("races", 1)) if pd.notna(info.get("races", 1)) else 1
    leg = f" (race {int(info['race_no'])} of {races})" if races > 1 else ""
    return f"the {sex} {int(info['distance_m'])} m{leg}{division} at the {info['competition']}"


def _record_checks(data: Dataset, story_race: pd.DataFrame, info: pd.Series) -> list[RecordCheck]:
    checks = []
    records = data.records[data.records["gender"] == info["gender"]]
    finished = story_race[story_race["status"].isna() & story_race["time_s"].notna()]
    for kind in RECORDS_FOR.get(info["competition_type"], ("WR",)):
        before = record_in_force(records, kind, int(info["distance_m"]), info["date"])
        if before is None:
            checks.append(RecordCheck(kind, None, pd.DataFrame(), None))
            continue
        in_order = bool(finished["pair"].notna().any())
        if in_order:
            breaks = outcome.record_breaks(story_race, float(before["time_s"]))
        else:  # no pair order: who beat the record is known, not the order in which it fell
            faster = finished[finished["time_s"] < float(before["time_s"]) - 1e-9].sort_values("time_s", kind="stable")
            breaks = faster.reindex(columns=["pair", "skater", "nation", "time_s"]).reset_index(drop=True)
            breaks["previous_s"] = float(before["time_s"])
            breaks["by_s"] = (breaks["previous_s"] - breaks["time_s"]).round(3)
        gap = None if len(breaks) or finished.empty else float(finished["time_s"].min() - before["time_s"])
        checks.append(RecordCheck(kind, before, breaks, gap, in_order))
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
    # a meeting that ran the distance twice for this sex and division (two 500 m): which race this is
    siblings = results.loc[
        (results["competition"] == info["competition"])
        & (results["gender"] == info["gender"])
        & (results["distance_m"] == info["distance_m"])
        & (results["division"].fillna("") == ("" if pd.isna(info["division"]) else info["division"])),
        "race_id",
    ].unique()
    # an Olympic 500 m decided on the sum of two races (1998-2014): the medals, from the classification
    sums = data.classifications[
        (data.classifications["competition"] == info["competition"])
        & (data.classifications["gender"] == info["gender"])
        & (data.classifications["distance_m"] == info["distance_m"])
    ]
    sum_medallists = sums[sums["rank"].le(3)].sort_values(["rank", "skater"], kind="stable").reset_index(drop=True)
    info["races"] = max(len(siblings), int(sums["races"].max()) if len(sums) else 0)
    info["race_no"] = sorted(siblings).index(race_id) + 1
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
    earlier = results[
        (results["gender"] == info["gender"])
        & (results["distance_m"] == info["distance_m"])
        & (results["date"] < info["date"])
        & (results["date"] >= season_start(info["date"]))
    ]
    season = with_altitude(earlier[earlier["skater"].isin(podium["skater"])], data.venues)
    season = season.sort_values(["skater", "date"])
    conditions = (
        data.conditions.set_index("race_id").reindex([race_id]).iloc[0]
        if race_id in set(data.conditions["race_id"])
        else None
    )
    conditions_source = None if conditions is None else source_kind(pd.Series([conditions["source"]]))
    timed = race.loc[race["time_s"].notna(), "hand_timed"].astype("boolean").fillna(False)
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
        source=source_kind(race["source"]),
        hand_timed=bool(len(timed) and timed.all()),
        season_races=int(earlier["race_id"].nunique()),
        conditions_source=conditions_source,
        sum_medallists=sum_medallists,
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

    games: pd.DataFrame  # per Games: year, race_id, winner, nation, time_s, second_s, margin_s, tied, hand_timed,
    #                      finishers, races (of the distance at those Games, 2 where the medals went on a sum),
    #                      old_record_s, old_record_hand, beat_old_record (finishers faster than the
    #                      Olympic record in force)
    medallists: pd.DataFrame  # each medallist's earlier Olympic results: skater, year, distance_m, race_no, rank, ...
    missing: list[int]  # Games with this event whose single race the data lacks (two-race sums only, or absent)
    this: pd.Series  # the row of ``games`` for this race
    #: Earlier Games with a winning margin, timed as this race was (by hand to the tenth, or electronically):
    #: margins are compared only within one kind of timing.
    margin_peers: pd.DataFrame
    closer: int  # how many of ``margin_peers`` were won by a smaller margin than this race
    narrowest: pd.DataFrame  # the ``margin_peers`` rows with the smallest margin (more than one if equal)
    more_record_beaters: pd.DataFrame  # earlier Games where more finishers beat the Olympic record then in force


def _games_row(
    one: pd.DataFrame, year: int, race_id: str, races: int, records: pd.DataFrame, distance_m: int
) -> dict | None:
    """One Games' row of :class:`OlympicHistory` from the finishers ``one`` of its race ``race_id`` (one of
    ``races`` at that distance)."""
    from .records import record_in_force

    ranked = one.dropna(subset=["rank"]).sort_values(["rank", "time_s"])
    if ranked.empty:
        return None
    win = ranked.iloc[0]
    tied = int((ranked["rank"] == win["rank"]).sum()) > 1
    hand = bool(one["hand_timed"].fillna(False).any())
    second = ranked[ranked["rank"] > win["rank"]]["time_s"]
    margin = None
    if tied:
        margin = 0.0  # a tie for first: the shared winners are apart by nothing
    elif len(second):
        margin = round(float(second.min()) - float(win["time_s"]), 1 if hand else 3)
    old = record_in_force(records, "OR", distance_m, one["date"].iloc[0])
    return {
        "year": int(year),
        "race_id": race_id,
        "winner": win["skater"],
        "nation": win["nation"],
        "time_s": float(win["time_s"]),
        "second_s": float(second.min()) if len(second) else None,
        "margin_s": margin,
        "tied": tied,
        "hand_timed": hand,
        "finishers": len(one),
        "races": races,
        "old_record_s": None if old is None else float(old["time_s"]),
        "old_record_hand": None if old is None else bool(old["hand_timed"]),
        "beat_old_record": None if old is None else int((one["time_s"] < old["time_s"] - 1e-9).sum()),
    }


def olympic_history(data: Dataset, race_id: str) -> OlympicHistory:
    """This Olympic race and every earlier one at its sex and distance: winning margins, how many finishers
    beat the Olympic record in force before the race, and the medallists' earlier Olympic results.

    Where the Games ran the distance twice (the 500 m, 1998-2014), the first race stands for earlier Games and
    this race for its own; where the data hold only the sum of two races (1998-2006) or nothing, the year is
    listed in ``missing``. ``closer`` and ``narrowest`` compare this race's margin with the earlier Games timed
    the same way (hand times to the tenth with hand times, electronic times with electronic times);
    ``more_record_beaters`` lists the earlier Games where more finishers beat the Olympic record in force.
    """
    from .records import WINTER_GAMES_YEARS

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
    sums = data.classifications
    summed = set(
        sums.loc[(sums["gender"] == info["gender"]) & (sums["distance_m"] == info["distance_m"]), "date"].dt.year
    )
    rows = []
    for year, part in same.groupby(same["date"].dt.year, sort=True):
        # the first race of a two-race 500 m stands for its Games; this race stands for its own
        chosen = race_id if year == info["date"].year else sorted(part["race_id"].unique())[0]
        one = part[(part["race_id"] == chosen) & part["status"].isna() & part["time_s"].notna()]
        races = max(part["race_id"].nunique(), 2 if year in summed else 1)  # 2010: the men's second race is missing
        row = _games_row(one, year, chosen, races, records, int(info["distance_m"]))
        if row is not None:
            rows.append(row)
    games = pd.DataFrame(rows)
    held = {y for y in WINTER_GAMES_YEARS if y <= info["date"].year and (info["gender"] == "M" or y >= 1960)}
    if info["distance_m"] == 1000:
        held = {y for y in held if y >= (1976 if info["gender"] == "M" else 1960)}
    missing = sorted(held - set(games["year"] if len(games) else []))
    podium = race[race["rank"].notna() & (race["rank"] <= 3)]["skater"].unique()
    olympic = results[results["competition_type"] == "OG"]
    earlier = olympic[olympic["skater"].isin(podium) & (olympic["date"] < info["date"])]
    # Games that ran a distance twice (the 500 m, 1998-2014): number the races, so two results do not read alike
    ids = olympic.groupby([olympic["date"].dt.year, "gender", "distance_m"])["race_id"].unique()
    race_no = {rid: (k + 1 if len(many) > 1 else pd.NA) for many in ids for k, rid in enumerate(sorted(many))}
    medallists = earlier[["skater", "date", "distance_m", "race_id", "rank", "time_s", "status"]].assign(
        year=earlier["date"].dt.year, race_no=earlier["race_id"].map(race_no).astype("Int64")
    )
    this = games[games["race_id"] == race_id].iloc[0] if len(games) and race_id in set(games["race_id"]) else None
    before = games[games["year"] < info["date"].year] if len(games) else games
    if this is not None and pd.notna(this["margin_s"]):
        peers = before[before["margin_s"].notna() & (before["hand_timed"] == this["hand_timed"])]
        closer = int((peers["margin_s"] < this["margin_s"] - 1e-9).sum())
        narrowest = peers[peers["margin_s"] == peers["margin_s"].min()] if len(peers) else peers
    else:
        peers, closer, narrowest = before.iloc[0:0], 0, before.iloc[0:0]
    if this is not None and pd.notna(this["beat_old_record"]):
        more = before[before["beat_old_record"] > this["beat_old_record"]]
    else:
        more = before.iloc[0:0]
    return OlympicHistory(
        games=games,
        medallists=medallists.sort_values(["skater", "date", "distance_m", "race_id"]).reset_index(drop=True),
        missing=missing,
        this=this,
        margin_peers=peers.reset_index(drop=True),
        closer=closer,
        narrowest=narrowest.reset_index(drop=True),
        more_record_beaters=more.reset_index(drop=True),
    )
