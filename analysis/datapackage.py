"""The data as a Frictionless Data Package: ``data/datapackage.json`` and the Table Schemas in ``data/schemas/``.

The schemas are the one home of the columns: their names, types, allowed values, required fields,
keys and descriptions. From them come

* the loader's column lists (``analysis.data``),
* ``datapackage.json`` (one resource per CSV file, written by ``make data``), which any Frictionless
  tool can read and validate (``frictionless validate data/datapackage.json``),
* the ``Column | Definition`` tables of ``data/README.md`` (``python -m analysis.datapackage --write``).

Rules that no schema can express (ranks follow times, record flags, splits, pairs) stay in the loader.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

__all__ = ["schema", "columns", "descriptor", "column_table", "readme_with_tables", "SCHEMA_DIR"]

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "schemas"

#: CSV files (glob, relative to data/) and the schema each follows, in the order of the descriptor.
FILES = [
    ("results/*.csv", "results"),
    ("curated/results/*.csv", "curated_results"),
    ("curated/isu-api/*.csv", "isu_api"),
    ("curated/isu-api-quirks.csv", "isu_api_quirks"),
    ("curated/olympic-dates.csv", "olympic_dates"),
    ("splits/*.csv", "splits"),
    ("records.csv", "records"),
    ("venues.csv", "venues"),
    ("entries.csv", "entries"),
    ("skaters.csv", "skaters"),
    ("conditions.csv", "conditions"),
    ("sheet_conflicts.csv", "sheet_conflicts"),
    ("classifications.csv", "classifications"),
    ("raw/isu/MANIFEST.csv", "manifest"),
    ("raw/isu-api/MANIFEST.csv", "source_manifest"),
    ("raw/isu-api/PAGES.csv", "isu_api_pages"),
    ("raw/olympics/MANIFEST.csv", "source_manifest"),
]
TITLE = "Elite long-track sprint speed skating: Milano Cortina 2026 and the 2025-26 season"
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 (the compilation; the facts come from the sources named per row)",
}


def schema(name: str) -> dict:
    """The Table Schema ``data/schemas/<name>.json``."""
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def columns(name: str) -> list[str]:
    """Column names of a schema, in file order."""
    return [field["name"] for field in schema(name)["fields"]]


def enum(name: str, column: str) -> tuple:
    """Allowed values of one column."""
    field = next(f for f in schema(name)["fields"] if f["name"] == column)
    return tuple(field["constraints"]["enum"])


def _resource_name(path: str) -> str:
    stem = path.removesuffix(".csv").replace("/", "-").replace("_", "-").lower()
    return {"venues": "venues", "skaters": "skaters"}.get(stem, stem)


def descriptor(data_dir: Path, built: list[str] | None = None) -> dict:
    """The package descriptor listing every CSV file under ``data_dir`` with its schema.

    ``built``: the ``results/*.csv`` files a build is about to write (instead of those on disk).
    """
    resources = []
    for pattern, name in FILES:
        if built is not None and pattern == "results/*.csv":
            found = sorted(built)
        else:
            found = sorted(p.relative_to(data_dir).as_posix() for p in data_dir.glob(pattern))
        for relative in found:
            resources.append(
                {
                    "name": _resource_name(relative),
                    "path": relative,
                    "profile": "tabular-data-resource",
                    "format": "csv",
                    "encoding": "utf-8",
                    "schema": f"schemas/{name}.json",
                }
            )
    return {"name": "sprint-speed-skating", "title": TITLE, "licenses": [LICENSE], "resources": resources}


def descriptor_text(data_dir: Path, built: list[str] | None = None) -> str:
    return json.dumps(descriptor(data_dir, built), indent=2, ensure_ascii=False) + "\n"


def column_table(name: str) -> str:
    """The ``Column | Type | Definition`` Markdown table of one schema."""
    lines = ["| Column | Type | Definition |", "|---|---|---|"]
    for field in schema(name)["fields"]:
        rules = field.get("constraints", {})
        kind = field["type"] + (", required" if rules.get("required") else "")
        values = [f"`{v}`" for v in rules.get("enum", [])]
        listed = all(v in field["description"] for v in values)
        allowed = f" One of: {', '.join(values)}." if len(values) > 2 and not listed else ""
        lines.append(f"| {field['name']} | {kind} | {field['description']}{allowed} |")
    return "\n".join(lines)


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- columns: {name} -->", f"<!-- end columns: {name} -->"


def readme_with_tables(readme: str) -> str:
    """``readme`` with every ``<!-- columns: NAME -->`` block replaced by the table of that schema."""
    for _, name in FILES:
        start, end = _markers(name)
        if start not in readme:
            continue
        head, _, rest = readme.partition(start)
        _, found, tail = rest.partition(end)
        if not found:
            raise ValueError(f"data/README.md: {start} has no {end}")
        readme = head + start + "\n" + column_table(name) + "\n" + end + tail
    return readme


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    base = SCHEMA_DIR.parent  # the project's data folder (the schemas live in it)
    readme = base / "README.md"
    if "--write" in args:
        (base / "datapackage.json").write_text(descriptor_text(base), encoding="utf-8")
        readme.write_text(readme_with_tables(readme.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(descriptor_text(base), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
