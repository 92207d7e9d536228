"""Report build: offline HTML without code, parameters, failures, determinism, clean and safe outputs."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis import DataError, load_results
from analysis.report import ReportError, build_reports, main

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import\s+url\(\s*["']?(?:https?:)?//|url\(\s*["']?https?://""", re.I)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return out, build_reports(out_dir=out, echo=lambda line: None)


def test_every_notebook_has_a_report_and_the_index_lists_it(built):
    out, outcomes = built
    assert [o.notebook.name for o in outcomes] == [p.name for p in NOTEBOOKS]
    index = (out / "index.html").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert (out / f"{path.stem}.html").is_file()
        assert f'href="{path.stem}.html"' in index
    assert "race results up to 2026-02-20" in index


def test_reports_are_self_contained_and_hide_code(built):
    out, outcomes = built
    for outcome in outcomes:
        page = outcome.html_path.read_text(encoding="utf-8")
        assert not EXTERNAL.search(page), EXTERNAL.search(page)
        assert "<script src" not in page
        assert 'class="highlight' not in page and "use_house_style()" not in page  # no code shown
        assert re.search(r'<img[^>]+src="data:image/png;base64,', page)  # figures are inlined
        assert "<title>" in page and outcome.title in page


def test_source_notebooks_are_not_modified(built, tmp_path):
    before = {p: p.read_bytes() for p in NOTEBOOKS}
    build_reports(notebooks=NOTEBOOKS[:1], out_dir=tmp_path, echo=lambda line: None)
    assert {p: p.read_bytes() for p in NOTEBOOKS} == before


def test_parameters_take_effect_and_get_their_own_folder(tmp_path, capsys):
    code = main(["--time-style", "nl", "--out", str(tmp_path / "nl"), str(NOTEBOOKS[0])])
    assert code == 0
    page = (tmp_path / "nl" / f"{NOTEBOOKS[0].stem}.html").read_text(encoding="utf-8")
    assert "1.12,31" in page and "1:12.31" not in page
    assert "time_style = nl" in (tmp_path / "nl" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"\[1/1\] 01-1000m-outcome\s+\d+\.\d s", capsys.readouterr().out)


def test_as_of_parameter_reaches_the_outlook(tmp_path):
    outlook = [p for p in NOTEBOOKS if p.name.startswith("03")]
    outcomes = build_reports(notebooks=outlook, out_dir=tmp_path, parameters={"as_of": "2026-01-31", "n_sims": "20000"},
                             echo=lambda line: None)
    page = outcomes[0].html_path.read_text(encoding="utf-8")
    assert "results on or before 2026-01-31" in page  # printed by the Load cell from the parameter
    assert "results on or before 2026-02-09" not in page


@pytest.mark.parametrize("bad", [{"as_of": "2026-02-30"}, {"as_of": "yesterday"}, {"time_style": "us"}, {"colour": "red"}])
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


def test_text_outputs_are_escaped_in_html(tmp_path):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [new_markdown_cell("# Escaping"),
                new_code_cell("import pandas as pd\nprint('<script>alert(1)</script>')\n"
                              "pd.DataFrame({'skater': ['<script>alert(2)</script>']})")]
    path = tmp_path / "escape.ipynb"
    nbformat.write(nb, path)
    page = build_reports(notebooks=[path], out_dir=tmp_path / "out", echo=lambda line: None)[0].html_path.read_text()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)" in page and "&lt;script&gt;alert(2)" in page


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


def test_notebooks_are_deterministic(built, tmp_path):
    _, first = built
    second = build_reports(out_dir=tmp_path, echo=lambda line: None)
    for a, b in zip(first, second):
        assert _outputs(a.executed) == _outputs(b.executed), a.notebook.name  # PNG bytes included


def test_committed_notebooks_match_a_fresh_run(built):
    _, outcomes = built
    for outcome in outcomes:
        committed = nbformat.read(outcome.notebook, as_version=4)
        assert _outputs(committed) == _outputs(outcome.executed), f"{outcome.notebook.name}: run `make notebooks`"


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
            assert cell.source.strip() == "" or cell.execution_count is not None, f"{path.name} cell {index} not executed"
            for output in cell.outputs:
                assert output.output_type != "error", f"{path.name} cell {index} stores an error"
                assert output.get("name") != "stderr", f"{path.name} cell {index} writes to stderr"
                text = json.dumps({k: v for k, v in output.get("data", {}).items() if k.startswith("text/")})
                text += output.get("text", "")
                for pattern, what in CLEAN + leaks:
                    assert not pattern.search(text), f"{path.name} cell {index}: {what}"


def test_notebooks_render_with_dnf_dq_and_missing_split(data_copy, tmp_path, monkeypatch):
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
    splits.write_text("".join(l for l in lines if not l.startswith("Olympic Winter Games 2026,2026-02-09,1000,Kim Min-sun,600")),
                      encoding="utf-8")
    monkeypatch.setenv("SKATING_DATA_DIR", str(data_copy))
    outcomes = build_reports(out_dir=tmp_path, echo=lambda line: None)
    page = outcomes[0].html_path.read_text(encoding="utf-8")
    assert "DNF" in page and "DQ" in page
    assert page.count("<h2") >= 6
