"""Shared fixtures: a private copy of the real data that a test may change, and the report build.

The garbage collector runs less often during the tests, and what collection built (modules, the data
loaded for parametrisation) is frozen out of later passes: those objects live for the whole session, and
the default thresholds spent about a fifth of the run scanning them again (``make benchmark`` measures the
suite).
"""

import gc
import shutil
from pathlib import Path

import pytest

gc.set_threshold(50_000, 20, 20)

PROJECT = Path(__file__).resolve().parent.parent
DATA = PROJECT / "data"


def _contents(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="session")
def _data_master(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """One copy of data/ per test worker (without README.md and the PDF sheets: the loaders read neither),
    with the bytes of every file, so that each test can start from it without a new copy."""
    target = tmp_path_factory.mktemp("master") / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("README.md", "*.pdf"), copy_function=shutil.copyfile)
    return target, _contents(target)


@pytest.fixture
def data_copy(_data_master) -> Path:
    """A copy of data/ that the test may change: after the test every changed, added or removed file is put
    back as it was (creating files is slow on some disks; rewriting a few is not)."""
    target, content = _data_master
    yield target
    now = _contents(target)
    for name in now.keys() - content.keys():
        (target / name).unlink()
    for name, data in content.items():
        if now.get(name) != data:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(data)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every report, built once per test session (the slowest fixture: tests share it)."""
    from analysis.report import build_reports

    out = tmp_path_factory.mktemp("reports")
    return out, build_reports(out_dir=out, echo=lambda line: None)


def pytest_collection_finish(session):
    """Everything collection built (modules, the loaded data) lives to the end: keep it out of later GC passes."""
    gc.freeze()
