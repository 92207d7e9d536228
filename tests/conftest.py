"""Shared fixtures: a private copy of the real data that a test may change."""

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
DATA = PROJECT / "data"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of data/ in a temporary folder (without the PDF sheets: the loaders read no PDF)."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("README.md", "*.pdf"), copy_function=shutil.copyfile)
    return target


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every report, built once per test session (the slowest fixture: tests share it)."""
    from analysis.report import build_reports

    out = tmp_path_factory.mktemp("reports")
    return out, build_reports(out_dir=out, echo=lambda line: None)
