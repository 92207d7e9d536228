"""Coverage of the results data: rows per race and which fields are complete.

``python -m analysis.coverage`` prints the Markdown table kept in ``data/README.md``; ``--write``
updates every generated block of the README: coverage, the news-against-sheet conflicts and the
column tables (a test checks that the README shows what the current data gives).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import load_results, season_of
from .outcome import missing_ranks

__all__ = [
    "source_kind",
    "source_kinds",
    "coverage_table",
    "coverage_markdown",
    "history_table",
    "conflicts_markdown",
    "generated_readme",
]


SHEET_SOURCE = "https://github.com/rgnlchamp/usa-speed-skating-tracker/"
API_SOURCE = "https://github.com/baffoes/westsus-project/"
TABLES_SOURCE = "https://github.com/danielroelfs/danielroelfs.com/"
SEASON_START = "2025-07-01"  # the per-race table covers this season; earlier seasons are summarised


_KINDS = (("ISU sheet", SHEET_SOURCE), ("ISU results API", API_SOURCE), ("Olympic table", TABLES_SOURCE))


def source_kind(sources: pd.Series) -> str:
    """The kind of source behind a race's rows: 'ISU sheet', 'ISU results API', 'Olympic table' or 'news'."""
    for kind, prefix in _KINDS:
        if sources.str.startswith(prefix).all():
            return kind
    return "news"


def source_kinds(results: pd.DataFrame) -> pd.Series:
    """:func:`source_kind` of every race at once, by ``race_id`` (in id order)."""
    every = [
        results["source"].str.startswith(prefix).groupby(results["race_id"]).all().astype(bool) for _, prefix in _KINDS
    ]
    kinds = np.select([e.to_numpy() for e in every], [kind for kind, _ in _KINDS], "news")  # the first that fits
    return pd.Series(kinds, index=every[0].index, name="source", dtype="str")


def _race_facts(results: pd.DataFrame) -> dict[str, tuple]:
    """Per race (in id order): its positions in ``results``, its ranks in order, and the places missing below
    the last rank found."""
    rank = results["rank"].to_numpy(dtype="float64", na_value=np.nan)
    facts = {}
    for race_id, positions in results.groupby("race_id", sort=True).indices.items():
        found = rank[positions]
        ranks = sorted(int(r) for r in found[~np.isnan(found)])
        facts[race_id] = (positions, ranks, missing_ranks(ranks, max(ranks) if ranks else 0))
    return facts


def coverage_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per race: rows (starters known), ranks, times, pairs, lanes, the source kind, and the
    ranks missing below the last one found."""
    kinds = source_kinds(results)
    competition = results["competition"].to_numpy(dtype=object)
    counted = {c: results[c].notna().to_numpy() for c in ("time_s", "pair", "lane")}
    rows = []
    for race_id, (positions, ranks, gaps) in _race_facts(results).items():
        rows.append(
            {
                "race": race_id,
                "competition": competition[positions[0]],
                "source": kinds[race_id],
                "rows": len(positions),
                "ranked": len(ranks),
                "timed": int(counted["time_s"][positions].sum()),
                "pair": int(counted["pair"][positions].sum()),
                "lane": int(counted["lane"][positions].sum()),
                "ranks missing (up to the last rank found)": ", ".join(map(str, gaps)) or "none",
            }
        )
    return pd.DataFrame(rows)


def _markdown(table: pd.DataFrame) -> str:
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def coverage_markdown(results: pd.DataFrame | None = None) -> str:
    """The coverage table of this season's races as Markdown."""
    results = load_results() if results is None else results
    return _markdown(coverage_table(results[results["date"] >= SEASON_START]))


def history_table(results: pd.DataFrame) -> pd.DataFrame:
    """Earlier seasons: per season, competition kind and source, the races and rows, how many rows have a
    time, a pair and a lane, and the places missing below the last one found (ties counted)."""
    earlier = results[results["date"] < SEASON_START].copy()
    earlier["season"] = earlier["date"].map(season_of)
    earlier.loc[earlier["competition_type"] == "OG", "season"] = earlier["date"].dt.year.astype(str)
    kinds = source_kinds(earlier)
    missing_per_race = {race_id: len(gaps) for race_id, (_, _, gaps) in _race_facts(earlier).items()}
    rows = []
    for (season, kind), part in earlier.groupby(["season", "competition_type"], sort=True):
        races = part["race_id"].unique()
        rows.append(
            {
                "season (Games: year)": season,
                "competition": kind,
                "source": ", ".join(sorted({kinds[race_id] for race_id in races})),
                "races": part["race_id"].nunique(),
                "rows": len(part),
                "timed": int(part["time_s"].notna().sum()),
                "pair": int(part["pair"].notna().sum()),
                "lane": int(part["lane"].notna().sum()),
                "places missing": sum(missing_per_race[race_id] for race_id in races),
            }
        )
    return pd.DataFrame(rows)


def conflicts_markdown(conflicts: pd.DataFrame) -> str:
    """The news-against-sheet conflicts (``sheet_conflicts.csv``) as a Markdown table."""
    lines = [
        "| race | skater | field | other source said | official source says | kept | other source |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in conflicts.fillna("").itertuples(index=False):
        where = row.news_source.split("/")[2] if "all_events" not in row.news_source else "Olympic table"
        lines.append(
            f"| {row.race_id} | {row.skater} | {row.field} | {row.news_value} | {row.sheet_value} | {row.kept} | "
            f"[{where}]({row.news_source}) |"
        )
    return "\n".join(lines)


START, END = "<!-- coverage table -->", "<!-- end coverage table -->"
HISTORY = "<!-- history table -->", "<!-- end history table -->"
RECORDS = "<!-- record conflicts -->", "<!-- end record conflicts -->"
CONFLICTS = "<!-- sheet conflicts -->", "<!-- end sheet conflicts -->"


def replace_block(readme: str, markers: tuple[str, str], text: str) -> str:
    """The README text with the block between two markers replaced by ``text``."""
    start, end = markers
    if start not in readme:
        raise ValueError(f"data/README.md has no {start} marker")
    head, _, rest = readme.partition(start)
    _, found, tail = rest.partition(end)
    return head + start + "\n" + text + "\n" + end + (tail if found else "\n" + rest.lstrip("\n"))


def readme_with_coverage(readme: str, table: str, conflicts: str | None = None) -> str:
    """The README text with the coverage table (and the sheet conflicts) replaced."""
    readme = replace_block(readme, (START, END), table)
    return replace_block(readme, CONFLICTS, conflicts) if conflicts is not None else readme


def generated_readme(readme: str, data_dir=None, results: pd.DataFrame | None = None) -> str:
    """The README with every generated block (coverage, sheet conflicts, column tables) brought up to date.

    ``results``: the results of ``data_dir`` if they are loaded already (else they are loaded here)."""
    from .data import data_path
    from .datapackage import readme_with_tables

    base = data_path(data_dir)
    conflicts = pd.read_csv(base / "sheet_conflicts.csv", dtype=str, keep_default_na=False)
    results = load_results(base) if results is None else results
    from .data import load_records
    from .records import against_results

    readme = readme_with_coverage(readme, coverage_markdown(results), conflicts_markdown(conflicts))
    readme = replace_block(readme, HISTORY, _markdown(history_table(results)))
    disagree = against_results(load_records(base), results).assign(date=lambda t: t["date"].dt.date)
    return readme_with_tables(replace_block(readme, RECORDS, _markdown(disagree) if len(disagree) else "none"))


if __name__ == "__main__":
    import sys

    from .data import data_path

    if "--write" in sys.argv[1:]:
        path = data_path() / "README.md"
        path.write_text(generated_readme(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(coverage_markdown())
