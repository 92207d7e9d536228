"""Execute every notebook and publish self-contained HTML reports.

    python -m analysis.report [--as-of 2026-02-14] [--time-style nl] [-p name=value ...]

Notebooks in ``notebooks/`` are executed in memory (never written back), concurrently from one
process with nbclient, with parameters injected after their ``parameters`` cell (papermill).
Each report is written to ``reports/`` (or ``reports/<parameters>/`` for a parameterised run) as
one HTML page per notebook, code hidden, plus an ``index.html``.

Builds are incremental: ``<out>/.build.json`` keeps, per page, a hash of what made it (the notebook, its
parameters, the ``analysis`` package, the export template, every file in ``data/`` and the versions of the
libraries that render it). A page whose hash is unchanged and whose HTML is still there is not executed again.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import datetime as dt
import hashlib
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from .skaters import skater_id_for
from .times import STYLES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"

__all__ = ["ReportError", "build_reports", "notebook_parameters", "main"]


class ReportError(RuntimeError):
    """A report could not be built; the message names the notebook (and cell)."""


@dataclass
class Outcome:
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)  # this run's own parameters (e.g. its race_id)
    page: str = ""  # path of the page relative to the output folder
    seconds: float = 0.0
    html_path: Path | None = None
    error: str | None = None
    title: str = ""
    summary: str = ""
    executed: Any = field(default=None, repr=False)
    html: str = field(default="", repr=False)
    key: str = ""  # hash of everything the page is made from
    reused: bool = False  # the page on disk was current: not executed again

    @property
    def label(self) -> str:
        own = ", ".join(str(v) for v in self.parameters.values())
        return f"{self.notebook.name} [{own}]" if own else self.notebook.name


# A notebook declaring one of these parameters is also published once per other value, on its own page
# (``<stem>-<suffix>.html``), unless the run fixes the parameter. Its default value keeps ``<stem>.html``.
VARIANTS: dict[str, dict[Any, str]] = {"gender": {"W": "women", "M": "men"}}


# --------------------------------------------------------------------------- parameters


def notebook_parameters(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """Names and default values assigned in the notebook's ``parameters``-tagged cell."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            values: dict[str, Any] = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            try:
                                values[target.id] = ast.literal_eval(node.value)
                            except ValueError:
                                values[target.id] = None
            return values
    return {}


def _coerce(name: str, text: str) -> Any:
    """Turn a command-line value into the Python value papermill injects."""
    if name == "as_of":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ReportError(f"as_of: {text!r} is not a date in YYYY-MM-DD form") from None
    if name in VARIANTS and text not in VARIANTS[name]:
        raise ReportError(f"{name}: {text!r} is not one of {', '.join(repr(v) for v in VARIANTS[name])}")
    if name == "time_style" and text not in STYLES:
        raise ReportError(f"time_style: {text!r} is not one of {', '.join(repr(s) for s in STYLES)}")
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, (int, float, bool, list, tuple)) else text


def _run_label(parameters: dict[str, Any]) -> str:
    return "_".join(
        f"{k.replace('_', '-')}-{re.sub(r'[^A-Za-z0-9.-]', '', str(v))}" for k, v in sorted(parameters.items())
    )


# --------------------------------------------------------------------------- execution


def _inject_parameters(nb: nbformat.NotebookNode, parameters: dict[str, Any]) -> nbformat.NotebookNode:
    """Insert a cell tagged ``injected-parameters`` after the ``parameters`` cell (papermill convention)."""
    from papermill.translators import translate_parameters

    code = translate_parameters("python3", "python", parameters, "Injected parameters")
    cell = nbformat.v4.new_code_cell(code, metadata={"tags": ["injected-parameters"]})
    cell.id = "injected-parameters"
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(index + 1, cell)
    return nb


def _error_location(nb: nbformat.NotebookNode) -> tuple[int | None, str]:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return index, f"{output.get('ename')}: {output.get('evalue')}"
    return None, ""


async def _execute(outcome: Outcome, parameters: dict[str, Any], timeout: int) -> None:
    parameters = {**parameters, **outcome.parameters}
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(outcome.notebook, as_version=4)
    known = notebook_parameters(nb)
    mine = {k: v for k, v in parameters.items() if k in known}
    if mine:
        nb = _inject_parameters(nb, mine)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        record_timing=False,
        resources={"metadata": {"path": str(outcome.notebook.parent)}},
    )
    start = time.perf_counter()
    try:
        # The kernel's own start-up chatter (a transport warning) is not the reader's business.
        await client.async_execute(stderr=subprocess.DEVNULL)
    except CellExecutionError as exc:
        index, message = _error_location(nb)
        first_line = message or str(exc).strip().splitlines()[-1]
        outcome.error = f"{outcome.label}, cell {index}: {first_line}"
    except Exception as exc:  # kernel died, timeout, ...
        outcome.error = f"{outcome.label}: {type(exc).__name__}: {exc}"
    outcome.seconds = time.perf_counter() - start
    outcome.executed = nb


def _texts(nb: nbformat.NotebookNode):
    """Markdown in reading order: markdown cells, and Markdown a code cell displayed (computed titles)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            yield cell.source
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/markdown")
                if text:
                    yield "".join(text) if isinstance(text, list) else text


def _describe(nb: nbformat.NotebookNode, fallback: str) -> tuple[str, str]:
    """Title (first heading) and one-line summary (first paragraph after it) of a notebook."""
    title, summary = nb.metadata.get("title", ""), nb.metadata.get("summary", "")
    for text in _texts(nb):
        lines = [ln.strip() for ln in text.splitlines()]
        if not title:
            title = next((ln.lstrip("#").strip() for ln in lines if ln.startswith("#")), "")
        if not summary:
            summary = next((ln for ln in lines if ln and not ln.startswith("#")), "")
        if title and summary:
            break
    if len(summary) > 200 and ". " in summary:  # the index shows one sentence
        summary = summary.split(". ", 1)[0] + "."
    return title or fallback, summary


def _export_html(nb: nbformat.NotebookNode, title: str, back_link: str = "index.html") -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="offline",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    nb = nbformat.from_dict(nb)
    nb.metadata["title"] = title
    nb.metadata["back_link"] = back_link
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _data_as_of() -> str:
    """Latest race date in the data, for the index page."""
    try:
        from .data import load_all

        return load_all().results["date"].max().date().isoformat()
    except Exception as exc:  # the index still lists the reports; say why there is no date
        return f"unknown ({type(exc).__name__})"


def _page_title(path: Path) -> str:
    match = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.S)
    return html.unescape(match.group(1).strip()) if match else path.stem


# The index's sections, in order: a page belongs to the first whose test it passes (page path, race info).
SECTIONS = ("Race stories", "Records", "Medal outlook and its track record", "Careers", "More pages")
_NOTEBOOK_SECTIONS = {
    "02": "Records",
    "03": "Medal outlook and its track record",
    "04": "Medal outlook and its track record",
}
FOLDERS = ("race-*/index.html", "career-*/index.html")  # pages published one per race or skater, in folders


def _section(page: str) -> str:
    if page.startswith("race-"):
        return "Race stories"
    if page.startswith("career-"):
        return "Careers"
    return _NOTEBOOK_SECTIONS.get(page[:2], "More pages")


def _race_groups(pages: list[str]) -> list[tuple[str, list[str]]]:
    """Race-story pages grouped by Games (the latest first), then the other races by season."""
    from .data import load_all, season_of

    races = load_all().races().set_index("race_id")
    groups: dict[tuple, list[str]] = {}
    for page in pages:
        race = page.removeprefix("race-").removesuffix("/index.html")
        if race in races.index and races.loc[race, "competition_type"] == "OG":
            key = (0, -races.loc[race, "date"].year, f"The Olympic Games of {races.loc[race, 'date'].year}")
        elif race in races.index:
            season = season_of(races.loc[race, "date"])
            key = (1, season, f"Other races, {season}")
        else:
            key = (2, "", "Other races")
        groups.setdefault(key, []).append(page)
    return [(key[2], sorted(found)) for key, found in sorted(groups.items())]


def _index_html(out_dir: Path, outcomes: list[Outcome], parameters: dict[str, Any], as_of: str) -> str:
    """The index of every page in ``out_dir`` (this run's and earlier race or career pages still there), in
    sections: the race stories by Games, records, the outlook and its track record, careers."""
    summaries = {o.page: o.summary for o in outcomes}
    pages = sorted(
        (p.relative_to(out_dir).as_posix() for p in out_dir.glob("*.html") if p.name != "index.html"),
        key=lambda page: page.removesuffix(".html"),  # a notebook's default page before its variants
    )
    pages += sorted(p.relative_to(out_dir).as_posix() for pattern in FOLDERS for p in out_dir.glob(pattern))

    def item(page: str) -> str:
        summary = summaries.get(page, "")
        return (
            f'<li><a href="{html.escape(page)}">{html.escape(_page_title(out_dir / page))}</a>'
            + (f"<br><span>{html.escape(summary)}</span>" if summary else "")
            + "</li>"
        )

    def listing(found: list[str]) -> str:
        return "<ul>\n" + "\n".join(item(p) for p in found) + "\n</ul>"

    parts = []
    for section in SECTIONS:
        found = [p for p in pages if _section(p) == section]
        if not found:
            continue
        parts.append(f"<h2>{html.escape(section)}</h2>")
        if section == "Race stories":
            for title, group in _race_groups(found):
                parts.append(f"<h3>{html.escape(title)}</h3>\n{listing(group)}")
        else:
            parts.append(listing(found))
    params = (
        ", ".join(f"{html.escape(k)} = {html.escape(str(v))}" for k, v in sorted(parameters.items()))
        or "notebook defaults"
    )
    body = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Speed skating reports</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 760px; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
h2 {{ margin-top: 2rem; border-bottom: 1px solid #ddd; }} h3 {{ margin-bottom: 0; color: #333; }}
li {{ margin: 0.8rem 0; }} li span {{ color: #555; }} footer {{ color: #777; font-size: 0.9em; }}
</style></head>
<body>
<h1>Sprint speed skating, Milano Cortina 2026: reports</h1>
{body}
<footer><p>Parameters: {params}. Data: race results up to {html.escape(as_of)}.</p></footer>
</body></html>
"""


MANIFEST = ".build.json"
_RENDERING = ("pandas", "matplotlib", "numpy", "nbconvert", "nbclient", "nbformat", "papermill")


def _tree_digest(root: Path, patterns: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for pattern in patterns for p in root.glob(pattern) if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def inputs_digest(data_dir: Path | None = None) -> str:
    """One hash of what every page reads besides its notebook: the ``analysis`` package (templates included),
    every file in ``data/`` and the versions of the libraries that compute and render the pages."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    digest.update(_tree_digest(package, ("*.py", "templates/**/*")).encode())
    digest.update(_tree_digest(data_dir or PROJECT_ROOT / "data", ("**/*",)).encode())
    for name in _RENDERING:
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=?".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def page_key(notebook: Path, parameters: dict[str, Any], inputs: str) -> str:
    """The hash of one page: its notebook's bytes, its parameters (as injected) and :func:`inputs_digest`."""
    digest = hashlib.sha256(notebook.read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    digest.update(inputs.encode())
    return digest.hexdigest()[:32]


def _read_manifest(out_dir: Path) -> dict[str, dict[str, str]]:
    try:
        found = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return found if isinstance(found, dict) else {}
    except (OSError, ValueError):
        return {}


def _remove_stale_pages(out_dir: Path, current: set[str]) -> None:
    """Delete the pages in ``out_dir`` (top-level and race stories) that this build did not write."""
    pages = [p for p in out_dir.glob("*.html") if p.name != "index.html"]
    pages += [p for pattern in FOLDERS for p in out_dir.glob(pattern)]
    for page in pages:
        if page.relative_to(out_dir).as_posix() not in current:
            page.unlink()
            if page.parent != out_dir and not any(page.parent.iterdir()):
                page.parent.rmdir()


def default_jobs(n_notebooks: int) -> int:
    """Notebooks executed at once: all of them up to twice the CPU count (kernels wait on I/O at start-up)."""
    return max(1, min(n_notebooks, 2 * (os.cpu_count() or 1)))


def story_races() -> list[str]:
    """The races ``make report`` tells by default: the races of the latest Olympic Games in the data (earlier
    races, Olympic ones included, are told with ``make report RACE=<id>``)."""
    from .data import load_all

    results = load_all().results
    olympic = results[results["competition_type"] == "OG"]
    latest = olympic["date"].dt.year == olympic["date"].dt.year.max()
    return sorted(olympic.loc[latest, "race_id"].unique())


CAREERS_ALSO = ("Jordan Stolz",)  # published beside the default race's medallists


def career_skaters() -> list[str]:
    """The careers ``make report`` publishes: the medallists of the race story's default race (the 2026 women's
    1000 m) and :data:`CAREERS_ALSO`."""
    from .data import load_all

    story = PROJECT_ROOT / "notebooks" / "01-race-story.ipynb"
    default = notebook_parameters(nbformat.read(story, as_version=4)).get("race_id") if story.is_file() else None
    race = load_all().race(str(default)) if default else None
    medallists = [] if race is None else list(race[race["rank"] <= 3].sort_values("rank")["skater"])
    return list(dict.fromkeys(medallists + list(CAREERS_ALSO)))


def _check_skaters(names: list[str]) -> list[str]:
    """The register names of ``names``; a name the register does not know (or without a result) stops the build
    before anything runs, with the closest names."""
    from .career import resolve_skater
    from .data import load_all

    data, found = load_all(), []
    for name in names:
        try:
            found.append(resolve_skater(data, name))
        except LookupError as exc:
            raise ReportError(f"skater: {exc.args[0] if exc.args else exc}") from None
    return found


def _check_races(races: list[str]) -> None:
    from .data import load_all

    known = set(load_all().results["race_id"])
    for race in races:
        if race not in known:
            same_day = sorted(r for r in known if r[:10] == race[:10])
            hint = f" Races that day: {', '.join(same_day)}." if same_day else " List them: python -m analysis.races"
            raise ReportError(f"race_id: {race!r} is not a race in the data.{hint}")


def _variants(notebooks: list[Path], declared: dict[Path, dict[str, Any]], fixed: dict[str, Any]) -> list[Outcome]:
    """The extra pages of the notebooks with a VARIANTS parameter: one per value the data holds."""
    from .data import load_all

    extra = []
    for name, suffixes in VARIANTS.items():
        if name in fixed:
            continue
        values = [v for v in suffixes if v in set(load_all().results[name])]
        for path in notebooks:
            if name in declared[path]:
                extra += [
                    Outcome(path, {name: v}, page=f"{path.stem}-{suffixes[v]}.html")
                    for v in values
                    if v != declared[path][name]
                ]
    return extra


def build_reports(
    notebooks: list[Path] | None = None,
    out_dir: Path | None = None,
    parameters: dict[str, Any] | None = None,
    jobs: int | None = None,
    timeout: int = 600,
    echo: Any = print,
    races: list[str] | None = None,
    incremental: bool = True,
    skaters: list[str] | None = None,
) -> list[Outcome]:
    """Execute notebooks and write their HTML reports; raise ReportError if any notebook fails.

    A notebook with a ``race_id`` parameter (the race story) is run once per race, each page in its
    own folder ``race-<race_id>/``: for ``races`` if given (then only those pages are built), else for
    every Olympic race in the data. A notebook with a ``skater`` parameter (the career page) is run once per
    skater, in ``career-<id>/``: for ``skaters`` if given (any spelling the register knows; then only those pages
    are built), else for :func:`career_skaters`. A notebook with a ``gender`` parameter gets a page per sex in the
    data (see VARIANTS). Every parameter is checked before anything runs. With ``incremental`` (the default)
    a page whose inputs are unchanged since it was written (see :func:`page_key`) is kept as it is.
    """
    parameters = dict(parameters or {})
    only_races = races is not None
    notebooks = sorted(notebooks or (PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    if not notebooks:
        raise ReportError("no notebooks found in notebooks/")
    known: set[str] = set()
    declared: dict[Path, dict[str, Any]] = {}
    for path in notebooks:
        declared[path] = notebook_parameters(nbformat.read(path, as_version=4))
        known |= set(declared[path])
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise ReportError(
            f"unknown parameter(s) {', '.join(unknown)}; the notebooks accept: {', '.join(sorted(known))}"
        )
    parameters = {k: _coerce(k, str(v)) if isinstance(v, str) else v for k, v in parameters.items()}
    if "race_id" in parameters:
        races, only_races = [str(parameters.pop("race_id"))], True
    if "skater" in parameters:
        skaters = [str(parameters.pop("skater"))]
    only_skaters = skaters is not None
    story_books = [p for p in notebooks if "race_id" in declared[p]]
    career_books = [p for p in notebooks if "skater" in declared[p]]
    if only_races and not story_books:
        raise ReportError("no race-story notebook (with a race_id parameter) among the notebooks")
    if only_skaters and not career_books:
        raise ReportError("no career notebook (with a skater parameter) among the notebooks")
    only = only_races or only_skaters  # then only the race or career pages asked for are built
    races = list(races) if races is not None else ([] if only or not story_books else story_races())
    _check_races(races)
    skaters = _check_skaters(skaters) if skaters is not None else ([] if only or not career_books else career_skaters())
    if out_dir is None:
        out_dir = PROJECT_ROOT / "reports"
        if parameters:
            out_dir = out_dir / _run_label(parameters)

    single = [p for p in notebooks if p not in story_books and p not in career_books]
    outcomes = [] if only else [Outcome(p, page=f"{p.stem}.html") for p in single]
    if not only:
        outcomes += _variants(single, declared, parameters)
    outcomes += [Outcome(p, {"race_id": r}, page=f"race-{r}/index.html") for p in story_books for r in races]
    outcomes += [
        Outcome(p, {"skater": name}, page=f"career-{skater_id_for(name)}/index.html")
        for p in career_books
        for name in skaters
    ]
    total = len(outcomes)
    inputs = inputs_digest()
    built = _read_manifest(out_dir) if incremental else {}
    for outcome in outcomes:
        own = {k: v for k, v in {**parameters, **outcome.parameters}.items() if k in declared[outcome.notebook]}
        outcome.key = page_key(outcome.notebook, own, inputs)
        before = built.get(outcome.page, {})
        if before.get("key") == outcome.key and (out_dir / outcome.page).is_file():
            outcome.reused, outcome.title, outcome.summary = True, before.get("title", ""), before.get("summary", "")
    jobs = max(1, jobs or default_jobs(total))
    finished = 0

    def report(outcome: Outcome, state: str) -> None:
        nonlocal finished
        finished += 1  # counts up in the order pages finish
        echo(f"[{finished}/{total}] {outcome.page.removesuffix('.html'):<34} {state}")

    for outcome in outcomes:
        if outcome.reused:
            report(outcome, "unchanged")

    async def run_all() -> None:
        gate = asyncio.Semaphore(jobs)

        async def one(outcome: Outcome) -> None:
            async with gate:
                await _execute(outcome, parameters, timeout)
                if not outcome.error:  # export while other notebooks still run
                    outcome.title, outcome.summary = _describe(outcome.executed, outcome.notebook.stem)
                    back = "../index.html" if "/" in outcome.page else "index.html"
                    outcome.html = await asyncio.to_thread(_export_html, outcome.executed, outcome.title, back)
            report(outcome, "FAILED" if outcome.error else f"{outcome.seconds:.1f} s")

        # Start the heaviest pages first (the later notebooks: outlook, track record), the short stories last.
        todo = sorted((o for o in outcomes if not o.reused), key=lambda o: ("/" in o.page, [-ord(c) for c in o.page]))
        await asyncio.gather(*(one(o) for o in todo))

    if any(not o.reused for o in outcomes):
        asyncio.run(run_all())

    failed = [o for o in outcomes if o.error]
    index = out_dir / "index.html"
    if failed:
        for outcome in outcomes:  # never leave an older page looking current
            (out_dir / outcome.page).unlink(missing_ok=True)
        index.unlink(missing_ok=True)
        (out_dir / MANIFEST).unlink(missing_ok=True)
        for folder in sorted({(out_dir / o.page).parent for o in outcomes} | {out_dir}, reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()  # nothing half-built stays behind
        raise ReportError("; ".join(o.error for o in failed if o.error))
    for outcome in outcomes:
        target = out_dir / outcome.page
        if not outcome.reused:
            _write_atomic(target, outcome.html)
        outcome.html_path = target
        built[outcome.page] = {"key": outcome.key, "title": outcome.title, "summary": outcome.summary}
    if not only:  # a full build is the whole set: an older page left from an earlier run would look current
        _remove_stale_pages(out_dir, {o.page for o in outcomes})
        built = {page: entry for page, entry in built.items() if page in {o.page for o in outcomes}}
    built = {page: entry for page, entry in built.items() if (out_dir / page).is_file()}
    _write_atomic(out_dir / MANIFEST, json.dumps(built, indent=1, sort_keys=True) + "\n")
    _write_atomic(index, _index_html(out_dir, outcomes, parameters, _data_as_of()))
    return outcomes


def refresh_notebooks(notebooks: list[Path] | None = None, echo: Any = print) -> None:
    """Re-execute the source notebooks in place (after a deliberate change to data or code).

    This is how the committed outputs that strict nbval checks are produced; a report run never
    writes to ``notebooks/``.
    """
    notebooks = sorted(notebooks or (PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    outcomes = [Outcome(path) for path in notebooks]

    async def run_all() -> None:
        await asyncio.gather(*(_execute(o, {}, 600) for o in outcomes))

    asyncio.run(run_all())
    failed = [o.error for o in outcomes if o.error]
    if failed:
        raise ReportError("; ".join(failed))
    for outcome in outcomes:
        for cell in outcome.executed.cells:
            cell.metadata.pop("execution", None)
        nbformat.write(outcome.executed, outcome.notebook)
        echo(f"refreshed {outcome.notebook.name} ({outcome.seconds:.1f} s)")


def _ensure_backtest(notebooks: list[Path], echo: Any = print) -> None:
    """Recompute the stored backtest first if a notebook to run reads it and it is not current."""
    from . import backtest

    if not any("load_backtest" in path.read_text(encoding="utf-8") for path in notebooks):
        return
    if backtest.is_current():
        return
    echo(f"data/{backtest.STORED_NAME} is out of date with the code or data: recomputing it (about a minute) ...")
    begun = time.perf_counter()
    frame = backtest.store()
    echo(f"backtest: {frame['race_id'].nunique()} races ({time.perf_counter() - begun:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--as-of", help="forecast date YYYY-MM-DD (notebooks with an as_of parameter)")
    parser.add_argument("--time-style", help="time notation: intl (1:12.31) or nl (1.12,31)")
    parser.add_argument(
        "-p", "--parameter", action="append", default=[], metavar="NAME=VALUE", help="any other notebook parameter"
    )
    parser.add_argument(
        "--race",
        action="append",
        metavar="RACE_ID",
        help="build only the race story of RACE_ID (repeatable), into reports/race-RACE_ID/",
    )
    parser.add_argument(
        "--skater",
        action="append",
        metavar="NAME",
        help="build only the career page of NAME (any spelling the register knows; repeatable), into reports/career-<id>/",
    )
    parser.add_argument("--out", type=Path, help="output folder (default reports/ or reports/<parameters>/)")
    parser.add_argument("--jobs", type=int, help="notebooks executed at once (default: all, up to twice the CPU count)")
    parser.add_argument(
        "--rebuild", action="store_true", help="execute every page, even those whose inputs are unchanged"
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all in notebooks/)")
    parser.add_argument(
        "--refresh-notebooks",
        action="store_true",
        help="re-execute the source notebooks in place (for developers; not a report)",
    )
    args = parser.parse_args(argv)
    if args.refresh_notebooks:
        try:
            refresh_notebooks(args.notebooks or None)
        except ReportError as exc:
            print(f"refresh failed: {exc}", file=sys.stderr)
            return 1
        return 0

    parameters: dict[str, Any] = {}
    if args.as_of:
        parameters["as_of"] = args.as_of
    if args.time_style:
        parameters["time_style"] = args.time_style
    for item in args.parameter:
        name, sep, value = item.partition("=")
        if not sep or not name.isidentifier():
            parser.error(f"-p expects NAME=VALUE, got {item!r}")
        parameters[name] = value
    start = time.perf_counter()
    try:
        if not (args.race or args.skater or {"race_id", "skater"} & set(parameters)):  # only those pages
            _ensure_backtest(args.notebooks or sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")))
        outcomes = build_reports(
            args.notebooks or None,
            args.out,
            parameters,
            args.jobs,
            races=args.race,
            incremental=not args.rebuild,
            skaters=args.skater,
        )
    except ReportError as exc:
        print(f"report failed: {exc}", file=sys.stderr)
        return 1
    first = outcomes[0].html_path if outcomes else None
    where = (
        (first.parent.parent if first and first.parent.name.startswith(("race-", "career-")) else first.parent)
        if first
        else "reports"
    )
    try:
        where = Path(where).relative_to(Path.cwd())
    except ValueError:
        pass
    print(f"{len(outcomes)} report(s) in {where}/ ({time.perf_counter() - start:.1f} s); open {where}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
