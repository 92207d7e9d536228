"""The data as a Frictionless Data Package: valid, strict, and the README's column tables generated from it."""

from __future__ import annotations

from pathlib import Path

from analysis.datapackage import FILES, column_table, readme_with_tables

DATA = Path(__file__).resolve().parent.parent / "data"


def _errors(package: Path, resource: str | None = None) -> list[list]:
    """Every error frictionless reports (for one resource, with its foreign keys, if ``resource`` is given)."""
    import frictionless  # here, not at import: every test worker collects this file, one runs it

    report = (
        frictionless.validate(str(package), resource_name=resource) if resource else frictionless.validate(str(package))
    )
    return [
        [task.name, getattr(error, "row_number", None), getattr(error, "field_name", None), error.type]
        for task in report.tasks
        for error in task.errors
    ] + [[None, None, None, e.type] for e in report.errors]


def test_the_package_validates():
    assert _errors(DATA / "datapackage.json") == []


def test_every_csv_file_is_described():
    import frictionless

    described = {r["path"] for r in frictionless.Package(str(DATA / "datapackage.json")).to_descriptor()["resources"]}
    on_disk = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*.csv")}
    assert described == on_disk


def test_validator_names_row_and_field(data_copy):
    path = data_copy / "results" / "2026-olympics-1000m.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",Miho Takagi,", ",Miho Takagii,").replace(",inner,", ",middle,", 1), encoding="utf-8")
    errors = _errors(data_copy / "datapackage.json", "results-2026-olympics-1000m")
    kinds = {(e[0], e[2], e[3]) for e in errors}
    assert ("results-2026-olympics-1000m", "lane", "constraint-error") in kinds
    assert any(e[0] == "results-2026-olympics-1000m" and e[3] == "foreign-key" for e in errors)
    assert all(isinstance(e[1], int) for e in errors)


def test_readme_column_tables_come_from_the_schemas():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert readme_with_tables(readme) == readme, "run: python -m analysis.coverage --write"
    for _, name in FILES:
        assert column_table(name) in readme, f"data/README.md lacks the column table of {name}"
