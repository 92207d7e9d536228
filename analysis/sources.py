"""Where the source files kept outside the project are found.

Files copied unchanged from public repositories (the official ISU result sheets, the ISU results-API
scrape's conditions, the Olympic tables) are not committed: they live in ``../shared/sources/`` beside the
project root. Only ``make data`` reads them; it extracts their facts into ``data/``, which is all that the
loaders, notebooks and pages read. So a checkout without ``../shared`` still loads, tests and reports.

* ``ISU_SHEETS=DIR`` names the folder of the result sheets; otherwise ``../shared/sources/isu-sheets`` when
  it exists, else ``data/raw/isu/`` (git-ignored: where a user puts sheets downloaded from the manifest's URLs).
* ``SHARED_SOURCES=DIR`` names the folder that holds ``isu-api/``, ``olympics-1924-2018/`` ...; otherwise
  ``../shared/sources``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PROJECT", "shared_sources", "sheets_dir", "shared_file", "checked_shared", "display", "verify"]

PROJECT = Path(__file__).resolve().parent.parent


def shared_sources() -> Path:
    """The folder of source files kept outside the project (it need not exist)."""
    given = os.environ.get("SHARED_SOURCES")
    return Path(given) if given else PROJECT.parent / "shared" / "sources"


def sheets_dir(data_dir: Path | None = None) -> Path:
    """The folder the official result sheets are read from (``ISU_SHEETS``, shared sources, ``raw/isu``)."""
    given = os.environ.get("ISU_SHEETS")
    if given:
        return Path(given)
    shared = shared_sources() / "isu-sheets"
    if shared.is_dir():
        return shared
    return (Path(data_dir) if data_dir is not None else PROJECT / "data") / "raw" / "isu"


def shared_file(relative: str) -> Path | None:
    """A file under the shared sources folder, or ``None`` when it is not there."""
    path = shared_sources() / relative
    return path if path.is_file() else None


def display(path: Path) -> str:
    """A path as a message shows it: relative to the project when it is inside or beside it."""
    path = Path(path).resolve()
    for base, prefix in ((PROJECT, ""), (PROJECT.parent, "../")):
        try:
            return prefix + path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def verify(path: Path, sha256: str, listed_in: str, get: str) -> None:
    """Stop with a :class:`~analysis.data.DataError` naming the file when it is missing or its checksum is not
    the one ``listed_in`` (a manifest and line) gives; ``get`` says where to get the original."""
    import hashlib

    from .data import DataError

    path = Path(path)
    if not path.is_file():
        raise DataError(path.name, None, None, f"listed in {listed_in} but not found in {display(path.parent)}: {get}")
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise DataError(
            path.name,
            None,
            None,
            f"sha256 differs from {listed_in}: the file in {display(path.parent)} was changed; {get}",
        )


def checked_shared(manifest: Path) -> tuple[Path, dict]:
    """The shared source file a one-row ``MANIFEST.csv`` names, after checking its sha256.

    Returns the path and the manifest row. A missing or changed file raises
    :class:`~analysis.data.DataError` naming the file, what is wrong and where to get it.
    """
    import csv

    with Path(manifest).open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    path = shared_sources() / row["file"]
    verify(path, row["sha256"], display(manifest), f"get it from {row['source']} (or set SHARED_SOURCES=DIR)")
    return path, row
