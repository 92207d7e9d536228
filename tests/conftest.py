"""Shared fixtures: a private copy of the real data that a test may change, and the report build.

The garbage collector runs less often during the tests, and what collection built (modules, the data
loaded for parametrisation) is frozen out of later passes: those objects live for the whole session, and
the default thresholds spent about a fifth of the run scanning them again (``make benchmark`` measures the
suite).
"""

import gc
import os
import shutil
from pathlib import Path

import pytest

from analysis.sources import display, shared_file, sheets_dir

gc.set_threshold(50_000, 20, 20)

PROJECT = Path(__file__).resolve().parent.parent
DATA = PROJECT / "data"


def _contents(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# The seasons of the API transcript in the tests' data copy: the first (its first rows) and the one they break.
TRANSCRIPT_SEASONS = ("2008-09.csv", "2024-25.csv")


def _master_ignore(folder: str, names: list[str]) -> set[str]:
    skipped = {n for n in names if n in ("README.md", "derived") or n.endswith(".pdf")}
    if Path(folder).name == "results":
        skipped |= {n for n in names if n.startswith(("isu-api-", "olympics-"))}
    if Path(folder).parts[-2:] == ("curated", "isu-api"):
        skipped |= {n for n in names if n.endswith(".csv") and n not in TRANSCRIPT_SEASONS}
    return skipped


# Every file of the master copy carries this modification time (1 January 2000): writing a file gives it the
# time of the write, so the files a test changed are found without reading every file again.
_UNTOUCHED_NS = 946_684_800 * 10**9


def _put_back(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, ns=(_UNTOUCHED_NS, _UNTOUCHED_NS))


@pytest.fixture(scope="session")
def _data_master(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """One copy of data/ per test worker, with the bytes of every file, so that each test can start from it
    without a new copy. Left out: README.md, the stored backtest and the PDF sheets (the loaders read none), the built result
    files of the earlier seasons and the Olympic tables (40,000 rows that every mutated load would check again;
    the tests of those sources read their curated files, which are copied), and the transcript seasons no test
    breaks (``TRANSCRIPT_SEASONS`` are copied; a test that rewrites every file need not rewrite 8 MB more)."""
    target = tmp_path_factory.mktemp("master") / "data"
    shutil.copytree(
        DATA,
        target,
        ignore=_master_ignore,
        copy_function=shutil.copyfile,
    )
    content = _contents(target)
    for name in content:
        os.utime(target / name, ns=(_UNTOUCHED_NS, _UNTOUCHED_NS))
    return target, content


@pytest.fixture
def data_copy(_data_master) -> Path:
    """A copy of data/ that the test may change: after the test every changed, added or removed file is put
    back as it was (creating files is slow on some disks; rewriting a few is not). A file counts as changed
    when its size or its modification time differ from the master's."""
    target, content = _data_master
    yield target
    now = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    for name in now - content.keys():
        (target / name).unlink()
    for name, data in content.items():
        path = target / name
        try:
            stat = path.stat()
        except FileNotFoundError:
            _put_back(path, data)
            continue
        if stat.st_mtime_ns != _UNTOUCHED_NS or stat.st_size != len(data):
            _put_back(path, data)


SHEETS = sheets_dir(DATA)


def sheets_present() -> bool:
    """Whether the source files ``make data`` reads are there: the official PDF sheets the manifest lists, and
    the shared files of the other manifests (the ISU API's conditions, the Olympic tables)."""
    manifest = (DATA / "raw" / "isu" / "MANIFEST.csv").read_text(encoding="utf-8").splitlines()[1:]
    others = [
        line.split(",", 1)[0]
        for name in ("isu-api", "olympics")
        for line in (DATA / "raw" / name / "MANIFEST.csv").read_text(encoding="utf-8").splitlines()[1:]
    ]
    return all((SHEETS / line.split(",", 1)[0]).is_file() for line in manifest if line) and all(
        shared_file(name) is not None for name in others
    )


@pytest.fixture(scope="session")
def sheets() -> Path:
    """The folder of the official sheets. Without them the test is reported as not run, with the reason;
    under ``CI=true`` (CI has ``../shared`` beside the clone) their absence is a failure."""
    if not sheets_present():
        reason = (
            f"the source files make data reads are not all there (sheets looked for in {display(SHEETS)}; see "
            "data/README.md: ../shared/sources/ beside the project, or ISU_SHEETS=DIR and SHARED_SOURCES=DIR)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run the sheet tests: " + reason)
        pytest.skip(reason)
    return SHEETS


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every report, built once per test session (the slowest fixture: tests share it)."""
    from analysis.report import build_reports

    out = tmp_path_factory.mktemp("reports")
    return out, build_reports(out_dir=out, echo=lambda line: None)


def pytest_collection_finish(session):
    """Everything collection built (modules, the loaded data) lives to the end: keep it out of later GC passes."""
    gc.freeze()
