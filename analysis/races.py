"""List the races in the data with their ids: ``python -m analysis.races [--gender W] [--type OG] [--year 1988]
[--competition "World Cup"]``."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from .coverage import source_kinds
from .data import load_all

__all__ = ["race_list", "main"]


def race_list(
    gender: str | None = None,
    competition_type: str | None = None,
    year: int | None = None,
    competition: str | None = None,
) -> pd.DataFrame:
    """One row per race: id, date, competition, sex, distance, division, starters in the data, source kind.

    ``year`` keeps the races of that calendar year; ``competition`` the races whose competition name contains it
    (any case).
    """
    data = load_all()
    races = data.races()
    kinds = source_kinds(data.results)
    races = races.assign(source=races["race_id"].map(kinds))
    if gender:
        races = races[races["gender"] == gender]
    if competition_type:
        races = races[races["competition_type"] == competition_type]
    if year:
        races = races[races["date"].dt.year == int(year)]
    if competition:
        races = races[races["competition"].str.contains(competition, case=False, regex=False)]
    return races[["race_id", "date", "competition", "gender", "distance_m", "division", "starters", "source"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.races", description=__doc__.split(":")[0])
    parser.add_argument("--gender", choices=("W", "M"))
    parser.add_argument("--type", dest="competition_type", help="competition type: OG, WC, WCH, ECH, NAT, OTHER")
    parser.add_argument("--year", type=int, help="calendar year of the race")
    parser.add_argument("--competition", help="part of the competition's name, e.g. 'World Sprint'")
    args = parser.parse_args(argv)
    table = race_list(args.gender, args.competition_type, args.year, args.competition)
    print(
        table.assign(date=table["date"].dt.strftime("%Y-%m-%d"), division=table["division"].fillna("")).to_string(
            index=False
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
