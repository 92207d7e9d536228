"""Coverage of the results data: rows per race and which fields are complete.

``python -m analysis.coverage`` prints the Markdown table kept in ``data/README.md``;
``--write`` updates the README (a test checks that it shows the table the current data gives).
"""

from __future__ import annotations

import pandas as pd

from .data import load_results

__all__ = ["coverage_table", "coverage_markdown"]


SHEET_SOURCE = "https://github.com/rgnlchamp/usa-speed-skating-tracker/"


def coverage_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per race: rows (starters known), ranks, times, pairs, lanes, the source kind, and the
    ranks missing below the last one found."""
    rows = []
    for race_id, race in results.groupby("race_id", sort=True):
        ranks = sorted(int(r) for r in race["rank"].dropna())
        gaps = [r for r in range(1, (max(ranks) if ranks else 0) + 1) if r not in ranks]
        sheet = race["source"].str.startswith(SHEET_SOURCE).all()
        rows.append({
            "race": race_id,
            "competition": race["competition"].iloc[0],
            "source": "ISU sheet" if sheet else "news",
            "rows": len(race),
            "ranked": len(ranks),
            "timed": int(race["time_s"].notna().sum()),
            "pair": int(race["pair"].notna().sum()),
            "lane": int(race["lane"].notna().sum()),
            "ranks missing (up to the last rank found)": ", ".join(map(str, gaps)) or "none",
        })
    return pd.DataFrame(rows)


def coverage_markdown(results: pd.DataFrame | None = None) -> str:
    """The coverage table as Markdown."""
    table = coverage_table(load_results() if results is None else results)
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body])


START, END = "<!-- coverage table -->", "<!-- end coverage table -->"


def readme_with_coverage(readme: str, table: str) -> str:
    """The README text with the table between the coverage markers replaced."""
    if START not in readme:
        raise ValueError(f"data/README.md has no {START} marker")
    head, _, rest = readme.partition(START)
    _, found, tail = rest.partition(END)
    return head + START + "\n" + table + "\n" + END + (tail if found else "\n" + rest.lstrip("\n"))


if __name__ == "__main__":
    import sys

    from .data import data_path

    table = coverage_markdown()
    if "--write" in sys.argv[1:]:
        path = data_path() / "README.md"
        path.write_text(readme_with_coverage(path.read_text(encoding="utf-8"), table), encoding="utf-8")
    else:
        print(table)
