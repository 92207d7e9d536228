"""The real data loads, with declared types, and passes the cross-checks."""

import pandas as pd
import pytest

from analysis import DataError, load_entries, load_records, load_results, load_splits, load_venues
from analysis.data import RESULT_DTYPES


@pytest.fixture(scope="module")
def results():
    return load_results()


def test_results_columns_and_types(results):
    assert list(results.columns) == list(RESULT_DTYPES)
    for column, dtype in RESULT_DTYPES.items():
        assert str(results[column].dtype) == dtype, column
    assert results["source"].str.match(r"https?://").all()


def test_six_olympic_races_present(results):
    og = results[(results["competition_type"] == "OG") & (results["date"].dt.year == 2026)]
    races = og.groupby(["gender", "date", "distance_m"]).size()
    assert set(races.index) == {
        ("W", pd.Timestamp("2026-02-09"), 1000),
        ("W", pd.Timestamp("2026-02-15"), 500),
        ("W", pd.Timestamp("2026-02-20"), 1500),
        ("M", pd.Timestamp("2026-02-11"), 1000),
        ("M", pd.Timestamp("2026-02-14"), 500),
        ("M", pd.Timestamp("2026-02-19"), 1500),
    }
    assert races.min() >= 20


def test_olympic_1000m_podium(results):
    race = results[results["race_id"] == "2026-02-09-W1000"]
    podium = race.dropna(subset=["rank"]).sort_values("rank").head(3)
    assert list(podium["skater"]) == ["Jutta Leerdam", "Femke Kok", "Miho Takagi"]
    assert list(podium["time_s"]) == [72.31, 72.59, 73.95]


def test_olympic_fields_hold_what_was_found_since(results):
    """Smeding's 1000 m (11th, 1:15.834, pair 12); pair 2 of the 1500 m start list (Smeding without a result,
    Ilyachshenko 24th in 1:58.43); Morozova 12th in that 1500 m (1:55.76), pair unknown."""
    row = results[(results["race_id"] == "2026-02-09-W1000") & (results["skater"] == "Ellia Smeding")].iloc[0]
    assert (row["rank"], row["time_s"], row["pair"]) == (11, 75.834, 12)
    w1500 = results[results["race_id"] == "2026-02-20-W1500"].set_index("skater")
    pair2 = w1500[w1500["pair"] == 2]
    assert dict(pair2["lane"]) == {"Ellia Smeding": "inner", "Arina Ilyachshenko": "outer"}
    assert pd.isna(pair2.loc["Ellia Smeding", "rank"]) and pd.isna(pair2.loc["Ellia Smeding", "time_s"])
    assert (pair2.loc["Arina Ilyachshenko", "rank"], pair2.loc["Arina Ilyachshenko", "time_s"]) == (24, 118.43)
    morozova = w1500.loc["Nadezhda Morozova"]
    assert (morozova["rank"], morozova["time_s"]) == (12, 115.76) and pd.isna(morozova["pair"])


def test_every_result_venue_is_in_the_venue_table(results):
    venues = set(load_venues()["venue"])
    assert set(results["venue"]) <= venues
    assert set(load_records()["venue"].dropna()) <= venues


def test_every_pre_olympic_world_cup_race_has_a_podium(results):
    wc = results[(results["competition_type"] == "WC") & (results["date"] >= "2025-11-01")]
    for key, race in wc.groupby(["competition", "date", "distance_m"]):
        assert {1, 2, 3} <= set(race["rank"].dropna().astype(int)), key


def test_olympic_record_progressions_start_in_1960():
    records = load_records().query("gender == 'W'")  # women's Olympic events began in 1960
    for distance in (500, 1000, 1500):
        prog = records[(records["record"] == "OR") & (records["distance_m"] == distance)]
        assert prog["date"].min().year == 1960
        assert prog["time_s"].is_monotonic_decreasing


def test_or_flags_agree_with_records(results):
    records = load_records()
    flagged = results[results["note"].fillna("").str.contains(r"\bOR\b")]
    keys = set(zip(records["date"], records["skater"], records["time_s"]))
    assert len(flagged) >= 3
    for row in flagged.itertuples():
        assert (row.date, row.skater, row.time_s) in keys


def test_splits_and_entries_load():
    splits = load_splits()
    assert (splits["elapsed_s"] > 0).all()
    entries = load_entries()
    entered = entries[entries["entry_status"] == "entered"]
    assert entered.groupby(["date", "distance_m", "nation"]).size().max() <= 3


def test_data_error_message_names_file_line_column():
    error = DataError("data/results/x.csv", 7, "time", "'1:72.00' is not a time")
    assert str(error) == "data/results/x.csv, line 7, column 'time': '1:72.00' is not a time"
    assert isinstance(error, ValueError)


def test_data_dir_from_environment(monkeypatch, data_copy):
    (data_copy / "results" / "2026-olympics-1000m.csv").write_text("", encoding="utf-8")
    monkeypatch.setenv("SKATING_DATA_DIR", str(data_copy))
    with pytest.raises(DataError, match="empty"):
        load_results()


def test_readme_generated_blocks_match_the_data(results):
    from analysis.coverage import END, START, coverage_markdown, generated_readme
    from analysis.data import data_path

    readme = (data_path() / "README.md").read_text(encoding="utf-8")
    shown = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert shown == coverage_markdown(results), "run: python -m analysis.coverage --write"
    assert generated_readme(readme, results=results) == readme, "run: python -m analysis.coverage --write"


def test_load_all_reads_each_file_once(monkeypatch, results):
    from collections import Counter

    import analysis.data as data_module

    reads = Counter()
    original = data_module._read_rows

    def counting(path, columns):
        reads[path.name if path.parent.name in ("data", "isu") else f"{path.parent.name}/{path.name}"] += 1
        return original(path, columns)

    monkeypatch.setattr(data_module, "_read_rows", counting)
    dataset = data_module.load_all(cache=False)  # the cache would read no file at all
    assert reads and max(reads.values()) == 1, reads
    assert reads["venues.csv"] == reads["skaters.csv"] == reads["records.csv"] == 1
    assert len(dataset.results) == len(results)  # the same tables as the single loaders give


def test_men_olympic_records_include_2026():
    records = load_records().query("gender == 'M' and record == 'OR'")
    for distance in (500, 1000, 1500):
        prog = records[records["distance_m"] == distance]
        assert prog["date"].max().year == 2026 and prog["time_s"].is_monotonic_decreasing


def test_a_tie_leaves_no_missing_place(results):
    """Wójcik and Chen Ying-chu tied for 11th in the Olympic 500 m: 12th is not a gap in the data."""
    from analysis.coverage import coverage_table
    from analysis.outcome import race_coverage

    race = results[results["race_id"] == "2026-02-15-W500"]
    assert sorted(race.loc[race["rank"] == 11, "skater"]) == ["Andżelika Wójcik", "Chen Ying-chu"]
    missing = race_coverage(race, 29)["missing_ranks"]
    assert 12 not in missing and 7 in missing
    row = coverage_table(results).set_index("race").loc["2026-02-15-W500"]
    assert "12" not in row["ranks missing (up to the last rank found)"].split(", ")


def test_load_all_from_the_cache_equals_a_fresh_read():
    from analysis.data import load_all

    cached, fresh = load_all(), load_all(cache=False)
    for name in ("results", "records", "venues", "skaters", "conditions", "entries", "splits"):
        pd.testing.assert_frame_equal(getattr(cached, name), getattr(fresh, name))


def test_the_column_checks_give_the_table_of_the_row_checks(data_copy):
    """load_results checks whole columns and reads values from them; the row checks (make data's path, and the
    path of every row a column check flags) must give the same table."""
    from analysis.data import RESULT_COLUMNS, _check_results, _frame, _read_result_rows

    rows = _read_result_rows(data_copy, "results", RESULT_COLUMNS)
    _check_results(rows, data_copy)
    by_rows = _frame([rec for _, rec in rows], RESULT_DTYPES)
    order = ["date", "gender", "distance_m", "race_id", "rank", "skater"]
    by_rows = by_rows.sort_values(order, kind="stable", na_position="last").reset_index(drop=True)
    pd.testing.assert_frame_equal(load_results(data_copy), by_rows, check_exact=True)
