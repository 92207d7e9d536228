"""Report build: offline HTML without code, parameters, failures, determinism, clean and safe outputs."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis import DataError, load_results
from analysis.report import ReportError, build_reports, main

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# Anything the browser would load from another host (a plain link to a cited source is fine).
EXTERNAL = re.compile(
    r"""src\s*=\s*["']?(?:https?:)?//|<link[^>]+href\s*=\s*["']?(?:https?:)?//|@import\s+url\(\s*["']?(?:https?:)?//|url\(\s*["']?https?://""",
    re.I,
)


STORY = ROOT / "notebooks" / "01-race-story.ipynb"
CAREER = ROOT / "notebooks" / "05-skater-career.ipynb"


def test_every_notebook_has_a_report_and_the_index_lists_it(built):
    out, outcomes = built
    stories = [o for o in outcomes if o.notebook == STORY]
    careers = [o for o in outcomes if o.notebook == CAREER]
    others = [o for o in outcomes if o.notebook not in (STORY, CAREER) and not o.parameters]
    assert [o.notebook.name for o in others] == [p.name for p in NOTEBOOKS if p not in (STORY, CAREER)]
    index = (out / "index.html").read_text(encoding="utf-8")
    for outcome in others:
        assert f'href="{outcome.notebook.stem}.html"' in index
    # A notebook with a gender parameter also gets the men's page, titled for the men, listed after the women's.
    men = {o.page: o for o in outcomes if o.parameters.get("gender") == "M"}
    assert set(men) == {"02-record-progression-men.html", "03-medal-outlook-500-1500-men.html"}
    for page, outcome in men.items():
        assert "men's" in outcome.title and "women's" not in outcome.title
        assert index.index(f'href="{page.replace("-men", "")}"') < index.index(f'href="{page}"')
    games = load_results().query("competition_type == 'OG'")
    olympic = sorted(games.loc[games["date"].dt.year == games["date"].dt.year.max(), "race_id"].unique())
    assert len(olympic) == 6  # the latest Games' races; earlier ones are built with RACE=<id>
    assert sorted(o.parameters["race_id"] for o in stories) == olympic
    for race in olympic:
        page = out / f"race-{race}" / "index.html"
        assert page.is_file() and f'href="race-{race}/index.html"' in index
        assert 'href="../index.html"' in page.read_text(encoding="utf-8")  # the way back works from the folder
    assert "race results up to 2026-02-20" in index
    # A career page per default skater, in its own folder, listed under Careers, titled with the skater's name.
    assert sorted(o.parameters["skater"] for o in careers) == sorted(
        ["Jutta Leerdam", "Femke Kok", "Miho Takagi", "Jordan Stolz"]
    )
    for outcome in careers:
        assert outcome.title.startswith(outcome.parameters["skater"])
        assert f'href="{outcome.page}"' in index and index.index("<h2>Careers</h2>") < index.index(outcome.page)
    # The index groups the pages: race stories (by Games), records, outlook and track record, careers.
    headings = re.findall(r"<h2>(.*?)</h2>", index)
    assert headings == ["Race stories", "Records", "Medal outlook and its track record", "Careers"]
    assert "<h3>The Olympic Games of 2026</h3>" in index


def test_reports_are_self_contained_and_hide_code(built):
    out, outcomes = built
    for outcome in outcomes:
        page = outcome.html_path.read_text(encoding="utf-8")
        assert not EXTERNAL.search(page), EXTERNAL.search(page)
        assert "<script src" not in page
        assert 'class="highlight' not in page and "use_house_style()" not in page  # no code shown
        assert re.search(r'<img[^>]+src="data:image/png;base64,', page)  # figures are inlined
        assert "<title>" in page and outcome.title in page


SOURCE_BYTES = {p: p.read_bytes() for p in NOTEBOOKS}  # read at import, before any report is built


def test_source_notebooks_are_not_modified(built):
    assert {p: p.read_bytes() for p in NOTEBOOKS} == SOURCE_BYTES


def test_race_stories_for_different_kinds_of_race(built, tmp_path):
    """An Olympic race where no record fell (from the shared build), a World Cup race with a DNF, a men's
    Division B race, and a race whose field is incomplete in the data: each page names distance, sex, winner,
    time and every leader."""
    from analysis import load_all
    from analysis.pagecheck import page_problems
    from analysis.story import race_story

    extra = ["2025-12-07-W500", "2025-11-22-M500-B", "2026-01-23-W500"]
    outcomes = build_reports(notebooks=[STORY], out_dir=tmp_path, races=extra, echo=lambda line: None)
    outcomes += [o for o in built[1] if o.parameters.get("race_id") == "2026-02-20-W1500"]
    assert len(outcomes) == 4
    data = load_all()
    for outcome in outcomes:
        story = race_story(data, outcome.parameters["race_id"])
        page = outcome.html_path.read_text(encoding="utf-8")
        sex = "women's" if story.info["gender"] == "W" else "men's"
        assert f"{story.winner.skater} wins the {sex} {int(story.info['distance_m'])} m" in outcome.title
        assert story.winner.skater in page
        for leader in story.spells["leader"]:
            assert leader in page
        assert page_problems(page) == [], outcome.label
    pages = {o.parameters["race_id"]: o.html_path.read_text(encoding="utf-8") for o in outcomes}
    assert "stood" in pages["2026-02-20-W1500"] and "fell" not in pages["2026-02-20-W1500"].split("Records")[1][:400]
    assert "did not finish" in pages["2025-12-07-W500"]
    assert "world record of 33.61 by Pavel Kulizhnikov" in pages["2025-11-22-M500-B"]  # the men's record stood
    assert "cannot be followed pair by pair" in pages["2026-01-23-W500"]


def test_unknown_race_fails_before_anything_runs(tmp_path):
    with pytest.raises(ReportError, match="not a race in the data. Races that day: 2026-02-09-W1000"):
        build_reports(out_dir=tmp_path, races=["2026-02-09-W100"], echo=lambda line: None)
    assert not any(tmp_path.iterdir())


def test_as_of_parameter_reaches_the_outlook(tmp_path):
    outlook = [p for p in NOTEBOOKS if p.name.startswith("03")]
    outcomes = build_reports(
        notebooks=outlook,
        out_dir=tmp_path,
        parameters={"as_of": "2026-01-31", "n_sims": "2000", "gender": "W"},  # gender fixed: one page
        echo=lambda line: None,
    )
    page = outcomes[0].html_path.read_text(encoding="utf-8")
    assert "Results on or before 2026-01-31" in page  # written by the data cell from the parameter
    assert "Results on or before 2026-02-09" not in page


@pytest.mark.parametrize(
    "bad", [{"as_of": "2026-02-30"}, {"as_of": "yesterday"}, {"time_style": "us"}, {"colour": "red"}, {"gender": "X"}]
)
def test_bad_parameters_fail_before_anything_runs(bad, tmp_path):
    with pytest.raises(ReportError):
        build_reports(out_dir=tmp_path, parameters=bad, echo=lambda line: None)
    assert not any(tmp_path.iterdir())


def test_failing_notebook_names_notebook_and_cell(tmp_path):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [new_markdown_cell("# Broken"), new_code_cell("x = 1"), new_code_cell("raise ValueError('boom')")]
    path = tmp_path / "99-broken.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "99-broken.html").write_text("stale", encoding="utf-8")
    with pytest.raises(ReportError, match=r"99-broken.ipynb, cell 2: ValueError: boom"):
        build_reports(notebooks=[path], out_dir=out, echo=lambda line: None)
    assert not (out / "99-broken.html").exists() and not (out / "index.html").exists()
    assert main(["--out", str(out), str(path)]) == 1


def test_text_outputs_are_escaped_and_stale_pages_removed(tmp_path):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [
        new_markdown_cell("# Escaping"),
        new_code_cell(
            "import pandas as pd\nprint('<script>alert(1)</script>')\n"
            "pd.DataFrame({'skater': ['<script>alert(2)</script>']})"
        ),
    ]
    path = tmp_path / "escape.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "out"
    (out / "race-2025-12-07-W500").mkdir(parents=True)  # pages an earlier run left behind
    (out / "race-2025-12-07-W500" / "index.html").write_text("<title>old story</title>", encoding="utf-8")
    (out / "renamed-notebook.html").write_text("<title>old page</title>", encoding="utf-8")
    page = build_reports(notebooks=[path], out_dir=out, echo=lambda line: None)[0].html_path.read_text()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)" in page and "&lt;script&gt;alert(2)" in page
    # A full build is the whole set: the older pages are gone, and the index lists only this run's page.
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")) == ["escape.html", "index.html"]
    assert "old story" not in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("column", ["skater", "competition", "venue"])
def test_markup_in_data_is_refused(column, data_copy):
    path = data_copy / "results" / "2026-olympics-1000m.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[1][rows[0].index(column)] = "<script>alert(1)</script>"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(DataError, match="markup|characters"):
        load_results(data_copy)


def _outputs(nb):
    return [json.dumps(cell.get("outputs", []), sort_keys=True) for cell in nb.cells]


def test_fresh_run_equals_the_committed_notebooks_png_included(built):
    """Strict nbval compares text outputs but not PNG images; this compares every output, images included,
    of a fresh run with default parameters against the committed notebook (so a run is deterministic)."""
    _, outcomes = built
    defaults = [o for o in outcomes if not o.parameters or o.parameters == {"race_id": "2026-02-09-W1000"}]
    for outcome in defaults:
        committed = nbformat.read(outcome.notebook, as_version=4)
        executed = [c for c in outcome.executed.cells if "injected-parameters" not in c.metadata.get("tags", [])]
        assert _outputs(committed) == [json.dumps(c.get("outputs", []), sort_keys=True) for c in executed], (
            f"{outcome.notebook.name}: run `make notebooks`"
        )


CLEAN = [
    (re.compile(r"(?<![\w.:/])/(?:home|root|tmp|work|Users|var|opt)/"), "absolute path"),
    (re.compile(r"[A-Z]:\\\\"), "Windows path"),
    (re.compile(r"0x[0-9a-fA-F]{6,}"), "memory address"),
    (re.compile(r"Traceback \(most recent call last\)"), "traceback"),
]


def test_committed_notebooks_are_clean():
    import getpass
    import socket

    leaks = [(re.compile(re.escape(socket.gethostname())), "host name")]
    user = getpass.getuser()
    if len(user) > 3:
        leaks.append((re.compile(rf"\b{re.escape(user)}\b"), "user name"))
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            assert cell.source.strip() == "" or cell.execution_count is not None, (
                f"{path.name} cell {index} not executed"
            )
            for output in cell.outputs:
                assert output.output_type != "error", f"{path.name} cell {index} stores an error"
                assert output.get("name") != "stderr", f"{path.name} cell {index} writes to stderr"
                text = json.dumps({k: v for k, v in output.get("data", {}).items() if k.startswith("text/")})
                text += output.get("text", "")
                for pattern, what in CLEAN + leaks:
                    assert not pattern.search(text), f"{path.name} cell {index}: {what}"


def test_story_renders_dnf_dq_missing_split_and_parameters(data_copy, tmp_path, monkeypatch, capsys):
    """One build (through the command line) checks both: a field with a DNF, a DQ and a missing split renders,
    and a parameter (Dutch time notation) takes effect and gets its own folder."""
    results = data_copy / "results" / "2026-olympics-1000m.csv"
    rows = list(csv.reader(io.StringIO(results.read_text(encoding="utf-8"))))
    head = rows[0]
    for row in rows[1:]:
        if row[head.index("skater")] in ("Jeannine Rosner", "Kristina Silaeva"):
            row[head.index("status")] = "DNF" if row[head.index("skater")] == "Jeannine Rosner" else "DQ"
            row[head.index("rank")] = row[head.index("time")] = ""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    results.write_text(buffer.getvalue(), encoding="utf-8")
    splits = data_copy / "splits" / "2026-olympics-1000m.csv"
    lines = splits.read_text(encoding="utf-8").splitlines(keepends=True)
    splits.write_text(
        "".join(
            line for line in lines if not line.startswith("Olympic Winter Games 2026,2026-02-09,1000,Kim Min-sun,600")
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("SKATING_DATA_DIR", str(data_copy))
    code = main(["--time-style", "nl", "--out", str(tmp_path / "nl"), "--race", "2026-02-09-W1000", str(STORY)])
    assert code == 0
    page = (tmp_path / "nl" / "race-2026-02-09-W1000" / "index.html").read_text(encoding="utf-8")
    assert "1.12,31" in page and "1:12.31" not in page
    assert "time_style = nl" in (tmp_path / "nl" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"\[1/1\] race-2026-02-09-W1000/index\s+\d+\.\d s", capsys.readouterr().out)
    assert (
        "Kim Min-sun" in page.split("Where the race was won")[1].split("The medallists")[0]
    )  # her 200 m is still there
    assert "DNF" in page and "DQ" in page
    assert page.count("<h2") >= 6


def test_every_page_passes_the_page_check(built):
    from analysis.pagecheck import page_problems

    out, outcomes = built
    for path in [o.html_path for o in outcomes] + [out / "index.html"]:
        assert page_problems(path.read_text(encoding="utf-8")) == [], path.name


@pytest.mark.parametrize(
    "bad, problem",
    [
        ("<table><tbody><tr><th>0</th><td>Kok</td></tr></tbody></table>", "index"),
        ("<table><thead><tr><th>p_podium</th></tr></thead></table>", "code-style"),
        ("<table><tr><td>NaN</td></tr></table>", "NaN"),
        ("<p>fell 2 time(s)</p>", "(s)"),
        ("<table><tr><td>80.100000</td></tr></table>", "unformatted"),
        ('<img src="data:image/png;base64,AAAA">', "alt"),
        ('<img src="x.png" alt="No description has been provided for this image">', "alt"),
    ],
)
def test_page_check_catches(bad, problem):
    from analysis.pagecheck import page_problems

    assert any(problem in p for p in page_problems(bad))


def _tiny_notebook(path: Path, text: str) -> Path:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [new_markdown_cell("# Tiny"), new_code_cell(f"print({text!r})")]
    nbformat.write(nb, path)
    return path


def test_unchanged_pages_are_not_built_again_and_a_change_rebuilds(tmp_path, monkeypatch):
    import analysis.report as report

    first, second = _tiny_notebook(tmp_path / "a.ipynb", "one"), _tiny_notebook(tmp_path / "b.ipynb", "two")
    out = tmp_path / "out"
    lines: list[str] = []
    built = build_reports(notebooks=[first, second], out_dir=out, echo=lines.append)
    assert not any(o.reused for o in built)
    # Progress lines count up in the order pages finish.
    assert [line.split()[0] for line in lines] == ["[1/2]", "[2/2]"]
    again = build_reports(notebooks=[first, second], out_dir=out, echo=lines.append)
    assert all(o.reused for o in again) and all("unchanged" in line for line in lines[2:])
    assert "Tiny" in (out / "index.html").read_text(encoding="utf-8")  # titles kept from the manifest
    _tiny_notebook(first, "changed")  # the notebook itself changed: only its page is built again
    third = {o.page: o.reused for o in build_reports(notebooks=[first, second], out_dir=out, echo=lambda line: None)}
    assert third == {"a.html": False, "b.html": True}
    assert "changed" in (out / "a.html").read_text(encoding="utf-8")
    monkeypatch.setattr(report, "inputs_digest", lambda data_dir=None: "other data or code")
    fourth = build_reports(notebooks=[first, second], out_dir=out, echo=lambda line: None)
    assert not any(o.reused for o in fourth)  # what every page reads changed: every page is built again
    (out / "b.html").unlink()  # a page deleted by hand is built again even though nothing changed
    fifth = {o.page: o.reused for o in build_reports(notebooks=[first, second], out_dir=out, echo=lambda line: None)}
    assert fifth == {"a.html": True, "b.html": False}
    rebuilt = build_reports(notebooks=[first], out_dir=out, echo=lambda line: None, incremental=False)
    assert not rebuilt[0].reused


def test_inputs_digest_follows_every_data_byte(data_copy):
    from analysis.report import inputs_digest, page_key

    before = inputs_digest(data_copy)
    path = data_copy / "venues.csv"
    path.write_bytes(path.read_bytes().replace(b"1425", b"1426", 1))
    after = inputs_digest(data_copy)
    assert before != after
    notebook = NOTEBOOKS[0]
    assert page_key(notebook, {"race_id": "x"}, before) != page_key(notebook, {"race_id": "y"}, before)
    assert page_key(notebook, {}, before) != page_key(notebook, {}, after)


def test_unknown_skater_fails_before_anything_runs_with_the_closest_names(tmp_path, capsys):
    with pytest.raises(ReportError, match="Jutta Leerdam"):
        build_reports(out_dir=tmp_path, skaters=["Jutta Leerdan"], echo=lambda line: None)
    assert not any(tmp_path.iterdir())
    assert main(["--out", str(tmp_path), "--skater", "Jutta Leerdan"]) == 1
    assert "Jutta Leerdam" in capsys.readouterr().err and not any(tmp_path.iterdir())


def test_career_pages_by_default_for_the_medallists_and_stolz():
    from analysis.report import career_skaters

    assert career_skaters() == ["Jutta Leerdam", "Femke Kok", "Miho Takagi", "Jordan Stolz"]
