"""Headers understood by their words, measured on real header strings from public payroll and HR
code (tests/data/header_corpus.yaml, each with its source): recall and false matches are printed
(`pytest -s`) and held to a floor; and the user's own column map."""
from pathlib import Path

import pytest
import yaml

from compliance.errors import UnusableInput
from tests.conftest import RULES, read_payroll, write_csv

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "header_corpus.yaml").read_text(encoding="utf-8"))


def test_the_corpus_is_real_and_large_enough():
    assert len(CORPUS["headers"]) >= 140
    assert {src for src, _, _ in CORPUS["headers"]} == set(CORPUS["sources"]) >= set(CORPUS["layouts"])
    assert all(" " in where for where in CORPUS["sources"].values())          # repository and file


def test_recall_and_false_matches_on_real_headers():
    hits, misses, false = [], [], []
    for source, header, expected in CORPUS["headers"]:
        found = RULES.columns.match(header)
        # an ambiguous header ("NIK": the national ID or the employee number) is decided by its
        # values (test_reading): found when the field is one of its meanings
        got = found[0] if len(found) == 1 else (expected if expected in found else None)
        if expected is None:
            if got is not None:
                false.append((header, got, source))
        elif got == expected:
            hits.append(header)
        else:
            misses.append((header, expected, got, source))
            if got is not None:
                false.append((header, got, source))
    wanted = sum(1 for _, _, e in CORPUS["headers"] if e)
    recall = len(hits) / wanted
    print(f"\nheader corpus: {len(CORPUS['headers'])} headers from {len(CORPUS['sources'])} sources; "
          f"recall {len(hits)}/{wanted} = {recall:.0%}; false matches {len(false)}")
    for header, exp, got, src in misses:
        print(f"  missed {header!r}: expected {exp}, got {got} ({src})")
    for header, got, src in false:
        print(f"  false  {header!r}: taken for {got} ({src})")
    assert recall >= 0.95 and len(false) <= 2


# a plausible cell for each field, to read each source's layout as a whole file
CELLS = {"nik": "1771011203850001", "employee_id": "K-001", "name": "Ani", "employment_type": "Tetap",
         "start_date": "01/02/2020", "end_date": "", "birth_date": "12/03/1985", "base_wage": "4000000",
         "fixed_allowance": "500000", "daily_wage": "150000", "reported_wage": "4000000", "kpj": "17000000001",
         "programs": "JKK, JKM, JHT", "nationality": "WNI", "vendor": "PT A", "days_worked": "22"}


def test_each_whole_layout_is_read_as_a_file(tmp_path):
    """The sources whose whole header row is in the corpus, each as a file with a worker under it,
    read as a user would: the files refused and the fields found (issue 20)."""
    refused, found, wanted = [], 0, 0
    for source in CORPUS["layouts"]:
        rows = [(h, e) for s, h, e in CORPUS["headers"] if s == source]
        path = write_csv(tmp_path / f"{source}.csv", [[h for h, _ in rows], [CELLS.get(e, "x") for _, e in rows]])
        fields = {e for _, e in rows if e}
        wanted += len(fields)
        try:
            p = read_payroll(path, engine="pandas")
        except UnusableInput as exc:
            refused.append((source, exc.code))
            continue
        found += len(fields & set(p.columns))
    print(f"\nwhole layouts read as files: {len(CORPUS['layouts'])}; refused {len(refused)} {refused}; "
          f"fields found {found}/{wanted} = {found / wanted:.0%}")
    # refused only where no column identifies a worker (a name alone: the page offers the headers to map)
    assert refused == [("distro-studio", "no-identity-column")] and found == wanted - 3


def test_words_in_any_order_and_the_best_guess_for_the_rest(tmp_path):
    path = write_csv(tmp_path / "g.csv", [
        ["NIK", "Nama", "Tgl Gabung Kerja Pertama", "Pendapatan Pokok", "Pokok Gaji"],
        ["1771011203850001", "Budi", "01/02/2020", "4000000", "4000000"]])
    p = read_payroll(path, engine="pandas", options=None)
    assert p.columns["start_date"] == "Tgl Gabung Kerja Pertama"      # words, not an alias
    assert p.columns["base_wage"] == "Pokok Gaji"                     # any order
    assert {"header": "Pendapatan Pokok"} in p.unmapped_columns      # listed, never dropped
    guessed = read_payroll(write_csv(tmp_path / "h.csv", [["NIK", "Nama", "Tunjangan Transport"],
                                                           ["1771011203850001", "Budi", "500000"]]), engine="pandas")
    assert guessed.unmapped_columns == [{"header": "Tunjangan Transport", "guess": "fixed_allowance", "score": 0.33}]


def test_the_users_map_wins_and_is_checked(tmp_path):
    path = write_csv(tmp_path / "g.csv", [["NIK", "Nama", "Tgl Gabung", "Take Home"],
                                          ["1771011203850001", "Budi", "01/02/2020", "4000000"]])
    p = read_payroll(path, engine="pandas", columns_map={"base_wage": "Take Home"})
    assert p.columns["base_wage"] == "Take Home" and p.table["base_wage"].tolist() == [4_000_000]
    with pytest.raises(UnusableInput, match=r"column map: no header 'Gaji' for base_wage"):
        read_payroll(path, engine="pandas", columns_map={"base_wage": "Gaji"})
    with pytest.raises(UnusableInput, match=r"column map: unknown field\(s\) gajii"):
        read_payroll(path, engine="pandas", columns_map={"gajii": "Take Home"})
    from click.testing import CliRunner

    from compliance.cli import main

    (tmp_path / "map.yaml").write_text('base_wage: "Take Home"\n')
    for extra in (["--map", 'base_wage="Take Home"'], ["--map-file", str(tmp_path / "map.yaml")]):
        result = CliRunner().invoke(main, ["validate", str(path), "--engine", "pandas", "--period", "2025-06", *extra])
        assert result.exit_code == 0 and "Upah pokok [base_wage]            <- 'Take Home'" in result.output, result.output


# -- headers and values agree (issue 20) ----------------------------------------------------------

def test_a_hint_in_brackets_does_not_spoil_the_match():
    for header, field in (("Tgl Masuk (dd-mm-yyyy)", "start_date"), ("Gaji (Rp)", "base_wage"),
                          ("Tanggal Lahir [dd/mm/yyyy]", "birth_date"), ("Jenis Karyawan (ID)", "employment_type")):
        assert RULES.columns.match(header) == (field,), header


@pytest.mark.parametrize("header,field", [
    ("NIP", "employee_id"), ("NRP", "employee_id"), ("NPK", "employee_id"), ("No. Induk", "employee_id"),
    ("ID Karyawan", "employee_id"), ("TMT", "start_date"), ("Jumlah HK", "days_worked"),
    ("Dasar Upah", "reported_wage"), ("Upah yang dilaporkan", "reported_wage"), ("Upah BPJS TK", "reported_wage"),
    ("Upah Jamsostek", "reported_wage"), ("No BPJS Kesehatan", None), ("Tunjangan Tidak Tetap", None)])
def test_indonesian_abbreviations_and_synonyms(header, field):
    assert RULES.columns.match(header) == ((field,) if field else ())


def test_values_that_contradict_the_header_are_not_used_and_the_next_best_is_tried(tmp_path):
    path = write_csv(tmp_path / "v.csv", [
        ["NIK", "Nama", "Status", "Status Karyawan", "Tgl Masuk", "Tanggal Mulai", "No BPJS", "No KPJ"],
        ["1771011203850001", "Ani", "K/1", "Tetap", "Jakarta", "01/02/2020", "0001234567890", "17000000001"],
        ["1771011203850002", "Budi", "TK/0", "Kontrak", "Bandung", "01/03/2021", "0001234567891", "17000000002"]])
    p = read_payroll(path, engine="pandas")
    assert p.columns["employment_type"] == "Status Karyawan" and p.table["employment_type"].tolist() == \
        ["permanent", "contract"]
    assert p.columns["start_date"] == "Tanggal Mulai" and p.columns["kpj"] == "No KPJ"
    assert {"header": "Status", "not_for": "employment_type", "reason": "marital-status"} in p.unmapped_columns
    assert {"header": "Tgl Masuk", "not_for": "start_date", "reason": "not-dates"} in p.unmapped_columns
    assert {"header": "No BPJS", "not_for": "kpj", "reason": "health-insurance-numbers"} in p.unmapped_columns
    from compliance.outputs.validate import unmapped_words
    assert unmapped_words(p.unmapped_columns[0], "en", RULES.texts).startswith("Status (not used as Worker type: "
                                                                              "its values are marital status")


def test_an_active_flag_is_no_worker_type(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["NIK", "Nama", "Status"], ["1771011203850001", "Ani", "Aktif"],
                                          ["1771011203850002", "Budi", "Non Aktif"]])
    p = read_payroll(path, engine="pandas")
    assert "employment_type" not in p.columns
    assert p.unmapped_columns == [{"header": "Status", "not_for": "employment_type", "reason": "active-flag"}]


def test_a_month_first_hint_reads_the_dates_month_first(tmp_path):
    path = write_csv(tmp_path / "m.csv", [["NIK", "Nama", "Tgl Masuk (mm/dd/yyyy)", "Tgl Lahir (dd-mm-yyyy)"],
                                          ["1771011203850001", "Ani", "02/13/2020", "12-03-1985"],
                                          ["1771011203850002", "Budi", "5 Juli 2021", "12-03-1985"]])
    p = read_payroll(path, engine="pandas")
    assert p.table["start_date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-02-13", "2021-07-05"]
    assert p.table["birth_date"].dt.strftime("%Y-%m-%d").tolist() == ["1985-03-12", "1985-03-12"]


def test_a_worker_type_column_of_other_words_is_not_used(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["NIK", "Nama", "Status"], ["1771011203850001", "Ani", "Shift A"],
                                          ["1771011203850002", "Budi", "Shift B"], ["1771011203850003", "Cici", "Tetap"]])
    p = read_payroll(path, engine="pandas")
    assert "employment_type" not in p.columns and p.issues.empty       # no row made unusable by a wrong column
    assert p.unmapped_columns == [{"header": "Status", "not_for": "employment_type", "reason": "not-worker-types"}]
