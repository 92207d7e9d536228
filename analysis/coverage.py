"""Coverage of the results data: rows per race and which fields are complete.

``python -m analysis.coverage`` prints the Markdown table kept in ``data/README.md``; ``--write``
updates every generated block of the README: coverage, the news-against-sheet conflicts and the
column tables (a test checks that the README shows what the current data gives).
"""

from __future__ import annotations

import pandas as pd

from .data import load_results
from .outcome import missing_ranks

__all__ = ["coverage_table", "coverage_markdown", "conflicts_markdown", "generated_readme"]


SHEET_SOURCE = "https://github.com/rgnlchamp/usa-speed-skating-tracker/"


def coverage_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per race: rows (starters known), ranks, times, pairs, lanes, the source kind, and the
    ranks missing below the last one found."""
    rows = []
    for race_id, race in results.groupby("race_id", sort=True):
        ranks = sorted(int(r) for r in race["rank"].dropna())
        gaps = missing_ranks(ranks, max(ranks) if ranks else 0)
        sheet = race["source"].str.startswith(SHEET_SOURCE).all()
        rows.append(
            {
                "race": race_id,
                "competition": race["competition"].iloc[0],
                "source": "ISU sheet" if sheet else "news",
                "rows": len(race),
                "ranked": len(ranks),
                "timed": int(race["time_s"].notna().sum()),
                "pair": int(race["pair"].notna().sum()),
                "lane": int(race["lane"].notna().sum()),
                "ranks missing (up to the last rank found)": ", ".join(map(str, gaps)) or "none",
            }
        )
    return pd.DataFrame(rows)


def coverage_markdown(results: pd.DataFrame | None = None) -> str:
    """The coverage table as Markdown."""
    table = coverage_table(load_results() if results is None else results)
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def conflicts_markdown(conflicts: pd.DataFrame) -> str:
    """The news-against-sheet conflicts (``sheet_conflicts.csv``) as a Markdown table."""
    lines = ["| race | skater | field | news said | sheet says (kept) | news source |", "|---|---|---|---|---|---|"]
    for row in conflicts.fillna("").itertuples(index=False):
        lines.append(
            f"| {row.race_id} | {row.skater} | {row.field} | {row.news_value} | {row.sheet_value} | "
            f"[{row.news_source.split('/')[2]}]({row.news_source}) |"
        )
    return "\n".join(lines)


START, END = "<!-- coverage table -->", "<!-- end coverage table -->"
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
    return readme_with_tables(readme_with_coverage(readme, coverage_markdown(results), conflicts_markdown(conflicts)))


if __name__ == "__main__":
    import sys

    from .data import data_path

    if "--write" in sys.argv[1:]:
        path = data_path() / "README.md"
        path.write_text(generated_readme(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(coverage_markdown())
