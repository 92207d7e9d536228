"""Coverage of the results data: rows per race and which fields are complete.

``python -m analysis.coverage`` prints the Markdown table kept in ``data/README.md``; ``--write``
updates every generated block of the README: coverage, the news-against-sheet conflicts and the
column tables (a test checks that the README shows what the current data gives).
"""

from __future__ import annotations

import pandas as pd

from .data import load_results, season_of
from .outcome import missing_ranks

__all__ = [
    "source_kind",
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


def source_kind(sources: pd.Series) -> str:
    """The kind of source behind a race's rows: 'ISU sheet', 'ISU results API', 'Olympic table' or 'news'."""
    if sources.str.startswith(SHEET_SOURCE).all():
        return "ISU sheet"
    if sources.str.startswith(API_SOURCE).all():
        return "ISU results API"
    if sources.str.startswith(TABLES_SOURCE).all():
        return "Olympic table"
    return "news"


def coverage_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per race: rows (starters known), ranks, times, pairs, lanes, the source kind, and the
    ranks missing below the last one found."""
    rows = []
    for race_id, race in results.groupby("race_id", sort=True):
        ranks = sorted(int(r) for r in race["rank"].dropna())
        gaps = missing_ranks(ranks, max(ranks) if ranks else 0)
        rows.append(
            {
                "race": race_id,
                "competition": race["competition"].iloc[0],
                "source": source_kind(race["source"]),
                "rows": len(race),
                "ranked": len(ranks),
                "timed": int(race["time_s"].notna().sum()),
                "pair": int(race["pair"].notna().sum()),
                "lane": int(race["lane"].notna().sum()),
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
    rows = []
    for (season, kind), part in earlier.groupby(["season", "competition_type"], sort=True):
        missing = 0
        for _, race in part.groupby("race_id"):
            ranks = sorted(int(r) for r in race["rank"].dropna())
            missing += len(missing_ranks(ranks, max(ranks) if ranks else 0))
        rows.append(
            {
                "season (Games: year)": season,
                "competition": kind,
                "source": ", ".join(sorted({source_kind(race["source"]) for _, race in part.groupby("race_id")})),
                "races": part["race_id"].nunique(),
                "rows": len(part),
                "timed": int(part["time_s"].notna().sum()),
                "pair": int(part["pair"].notna().sum()),
                "lane": int(part["lane"].notna().sum()),
                "places missing": missing,
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


def generated_readme(readme: str, data_dir=None) -> str:
    """The README with every generated block (coverage, sheet conflicts, column tables) brought up to date."""
    from .data import data_path
    from .datapackage import readme_with_tables

    base = data_path(data_dir)
    conflicts = pd.read_csv(base / "sheet_conflicts.csv", dtype=str, keep_default_na=False)
    results = load_results(base)
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
