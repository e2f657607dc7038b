"""Every row accounted for; every data-issue code; GX and pandas engines agree."""
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.catalogue import SEVERITY as CATALOGUE
from compliance.errors import Term, UnusableInput
from tests.conftest import HEADER, RULES, SAMPLES, read_payroll, read_registry, worker, write_csv, write_xlsx

SAMPLE_FILES = sorted(SAMPLES.glob("*.xlsx")) + sorted(SAMPLES.glob("*.csv"))


def accounted(p):
    assert p.source.rows_read == len(p.table)
    assert p.rows_usable + p.rows_with_issues == p.source.rows_read
    rows = set(p.table.index)
    ignored = {r["row"] for r in p.ignored_rows}
    assert not rows & ignored
    assert set(p.issues["row"].dropna().astype(int)) <= rows


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_samples_account_for_every_row(path):
    accounted(read_payroll(path, engine="pandas"))


def test_rows_under_the_table_are_listed_not_counted(tmp_path):
    rows = [["DAFTAR GAJI PT CONTOH"], ["BULAN JUNI 2025"], [], HEADER, worker(1), [], ["DIVISI GUDANG"],
            worker(2), worker(3), HEADER, worker(4), [], [None, None, "JUMLAH", None, None, 16_000_000],
            [], ["Bengkulu, 30 Juni 2025"], ["Mengetahui,"], ["HRD"], [], ["Ratna"]]
    p = read_payroll(write_xlsx(tmp_path / "g.xlsx", {"Gaji": rows}), engine="pandas")
    accounted(p)
    assert p.table.index.tolist() == [5, 8, 9, 11]
    reasons = {r["row"]: r["reason"] for r in p.ignored_rows}
    assert reasons == {1: "title", 2: "title", 3: "blank", 6: "blank", 7: "section-heading", 10: "repeated-header", 12: "blank", 13: "total",
                       14: "blank", 15: "footer", 16: "footer", 17: "footer", 18: "blank", 19: "footer"}


def test_a_worker_row_without_nik_inside_the_table_is_an_issue_not_ignored(tmp_path):
    rows = [HEADER, worker(1), worker(2, NIK="", **{"No KPJ": ""}), worker(3), worker(4, NIK="")]
    p = read_payroll(write_xlsx(tmp_path / "g.xlsx", {"Gaji": rows}), engine="pandas")
    accounted(p)
    assert p.source.rows_read == 4
    assert p.issues[["row", "code"]].values.tolist() == [[3, "nik-missing"]]
    # a blank NIK beside a KPJ: the worker is known by the KPJ (issue 20), and the output says so
    assert {"code": "blank-nik-identified-by", "data": {"rows": [5], "n": 1, "by": [Term("identity:kpj")]}} \
        in p.assumptions


def messy_file(tmp_path: Path) -> Path:
    rows = [HEADER + ["Tgl Keluar", "Tgl Lahir", "JP", "Hari Kerja"]]
    extra = ["", "12/03/1990", "Ya", 22]          # the birth date the worker() NIKs encode
    cases = {
        "nik-missing": {"NIK": "", "No KPJ": ""},
        "nik-length": {"NIK": "17710112"},
        "nik-precision-lost": {"NIK": "3.27106E+15"},
        "nik-province": {"NIK": "9971011203850001"},
        "nik-birth-date": {"NIK": "1771019913850001"},
        "name-missing": {"Nama": ""},
        "kpj-format": {"No KPJ": "123"},
        "wage-not-a-number": {"Gaji Pokok": "empat juta"},
        "negative-wage": {"Gaji Pokok": "-4.000.000"},
        "wage-missing": {"Gaji Pokok": ""},
        "date-unparseable": {"Tgl Masuk": "30/02/2024"},
        "start-after-period": {"Tgl Masuk": "01/08/2025"},
        "unknown-employment-type": {"Status": "Freelance"},
        "date-out-of-range": {"Tgl Masuk": "01/01/2999"},
        "implausible-amount": {"Gaji Pokok": "2.000.000.000.000"},
    }
    for i, (code, over) in enumerate(cases.items(), start=1):
        # the worker without a NIK has no KPJ or birth date to be known by either
        rows.append(worker(i, **over) + (["", "", "Ya", 22] if code == "nik-missing" else extra))
    n = len(cases)
    rows.append(worker(n + 1) + ["01/01/2019", "12/03/1990", "Ya", 22])                 # end before start
    rows.append(worker(n + 2) + ["", "01/01/2030", "Ya", 22])                           # born after period
    rows.append(worker(n + 3) + ["", "12/03/1990", "mungkin", 22])                      # program value
    rows.append(worker(n + 4) + ["", "12/03/1990", "Ya", "banyak"])                     # count
    rows.append(worker(n + 5) + ["", "12/03/1990", "Ya", 40])                           # days range
    rows.append(worker(n + 6, NIK="1771011203800001") + extra)
    rows.append(worker(n + 7, NIK="1771011203800001") + extra)                          # duplicate
    rows.append(worker(n + 8) + extra)                                                  # clean
    return write_csv(tmp_path / "messy.csv", [["Periode: Juni 2025"]] + rows, ";")


def test_every_data_issue_code_is_raised_where_it_belongs(tmp_path):
    p = read_payroll(messy_file(tmp_path), engine="pandas")
    accounted(p)
    codes = set(p.issues["code"])
    # column-missing: a file-level case tested below; registry-*: the registry extract's (test_check);
    # list-value-unknown: a companies list's (test_audit); identity-missing: a file without a NIK
    # column's (test_reading)
    expected = set(CATALOGUE) - {"column-missing", "registry-id-missing", "registry-status-unknown",
                                 "list-value-unknown", "identity-missing", "duplicate-id"}
    assert codes == expected
    by_code = {c: g["row"].astype(int).tolist() for c, g in p.issues.groupby("code")}
    assert by_code["nik-missing"] == [3]
    assert by_code["unknown-employment-type"] == [15]
    assert by_code["date-out-of-range"] == [16]
    assert by_code["implausible-amount"] == [17]
    assert by_code["end-before-start"] == [18]
    assert by_code["duplicate-nik"] == [23, 24]
    assert by_code["birth-date-nik-mismatch"] == [6, 23, 24]    # their NIKs say 1985, 1980; the column 1990
    assert 25 not in set(p.issues["row"].astype(int))
    # warnings do not make a row unusable
    kpj_row = by_code["kpj-format"][0]
    assert kpj_row not in set(p.unusable_rows)
    assert p.rows_with_issues == 20     # 23 rows: 2 carry only warnings, 1 is clean


def test_column_missing_is_a_file_level_issue():
    import pandas as pd

    from compliance.ingest import quality

    table = pd.DataFrame({"nik": ["1771011203850001"]}, index=[5])
    suite = quality.build_suite({"nik"}, {"nik": "nik"}, [], ["nik", "name"], pd.Timestamp("2025-06-30"), "x")
    issues = quality.evaluate(quality.helper_columns(table, {}), suite, engine="pandas")
    missing = issues[issues["code"] == "column-missing"]
    assert missing["column"].tolist() == ["name"] and missing["row"].isna().all()


@pytest.mark.parametrize("path", SAMPLE_FILES[:2] + [None], ids=lambda p: p.name if p else "messy")
def test_great_expectations_and_pandas_engines_agree(path, tmp_path):
    path = path or messy_file(tmp_path)
    a = read_payroll(path, engine="pandas").issues
    b = read_payroll(path, engine="gx").issues
    key = ["row", "column", "code"]
    assert sorted(map(tuple, a[key].astype(str).values)) == sorted(map(tuple, b[key].astype(str).values))


def test_great_expectations_runs_offline_and_writes_nothing(tmp_path, monkeypatch):
    home, work = tmp_path / "gx-home", tmp_path / "gx-work"
    home.mkdir(), work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    src = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [HEADER, worker(1), worker(2, NIK="1")]})
    before = sorted(os.listdir(tmp_path))
    p = read_payroll(src, engine="gx")
    assert p.issues["code"].tolist() == ["nik-length"]
    assert os.environ.get("GX_ANALYTICS_ENABLED") == "False"
    assert sorted(os.listdir(tmp_path)) == before
    assert os.listdir(work) == [] and os.listdir(home) == []


money = st.sampled_from(["Rp 4.500.000", "4.500.000,00", "4500000", "-", "", "abc", "-1.000"]) | \
    st.integers(min_value=-10, max_value=10**8)
dates = st.sampled_from(["05/07/2025", "5 Juli 2025", "2025-07-05", "31/02/2025", "", "x", "1 Agt 2020"]) | \
    st.integers(min_value=20000, max_value=50000)
niks = st.sampled_from(["1771011203850001", "1771011203850002", "123", "", "3.27106E+15"]) | \
    st.integers(min_value=10**15, max_value=10**16 - 1)
types = st.sampled_from(["Tetap", "Kontrak", "Magang", "Freelance", "", "Alih Daya"])
row = st.tuples(niks, st.sampled_from(["Ani", "", "Budi Santoso"]), types, dates, money, money)
layout = st.fixed_dictionaries({
    "titles": st.integers(0, 3), "blank_between": st.booleans(), "total": st.booleans(), "footer": st.booleans(),
})


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 40)), deadline=None, derandomize=bool(os.environ.get("CI")),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, min_size=1, max_size=30), shape=layout, as_csv=st.booleans())
def test_generated_messy_files_reconcile(tmp_path_factory, rows, shape, as_csv):
    tmp = tmp_path_factory.mktemp("gen")
    header = ["NIK KTP", "Nama", "Status", "Tgl Masuk", "Gaji Pokok", "Upah BPJS"]
    grid = [["DAFTAR GAJI PT ACAK BULAN JUNI 2025"]] * shape["titles"] + [header]
    workers = [list(r) for r in rows if any(v not in ("", None) for v in (r[0], r[4], r[5])) or r[1]]
    for i, r in enumerate(workers):
        grid.append(r)
        if shape["blank_between"] and i == 0:
            grid.append([])
    if shape["total"]:
        grid.append(["", "JUMLAH", "", "", 1, 1])
    if shape["footer"]:
        grid += [[], ["Bengkulu, 30 Juni 2025"], ["HRD"]]
    path = write_csv(tmp / "g.csv", grid, ";") if as_csv else write_xlsx(tmp / "g.xlsx", {"Gaji": grid})
    try:
        p = read_payroll(path, engine="pandas")
    except UnusableInput as exc:          # only when no row under the header is a worker's
        assert "no worker rows" in str(exc)
        return
    accounted(p)
    listed = len(p.table) + len(p.ignored_rows)
    # every row is somewhere, above the header too (a workbook keeps no empty rows after its last cell)
    last = len(grid) if as_csv else max(i for i, r in enumerate(grid, 1) if any(v not in ("", None) for v in r))
    assert listed == last - 1


def test_ignored_rows_are_ranges_however_many_and_however_they_fall():
    """A million blank rows are one range; rows that alternate reasons are joined beyond the
    limit, and the counts still add up to every row (the report stays small for any file)."""
    import numpy as np

    from compliance.model import IgnoredRows

    blank = IgnoredRows(np.arange(4, 1_000_004), np.full(1_000_000, "blank", dtype=object))
    assert blank.ranges() == [{"from": 4, "to": 1_000_003, "count": 1_000_000, "reason": "blank"}]
    rows = np.arange(10, 200_010)
    mixed = IgnoredRows(rows[rows % 3 != 0], np.where(rows[rows % 3 != 0] % 3 == 1, "blank", "total").astype(object))
    ranges = mixed.ranges(limit=100)
    assert len(ranges) <= 102 and [r["from"] for r in ranges] == sorted(r["from"] for r in ranges)
    assert mixed.counts() == {"total": len(mixed) // 2, "blank": len(mixed) // 2}
    for reason, n in mixed.counts().items():
        assert sum(r["count"] for r in ranges if r["reason"] == reason) == n
    assert all(r["count"] <= r["to"] - r["from"] + 1 for r in ranges)
    small = IgnoredRows.of([{"row": 9, "reason": "footer"}, {"row": 7, "reason": "blank"}, {"row": 8, "reason": "blank"}])
    assert small.ranges() == [{"from": 7, "to": 8, "count": 2, "reason": "blank"},
                              {"from": 9, "to": 9, "count": 1, "reason": "footer"}]
    assert [r["row"] for r in small] == [7, 8, 9] and small.first(2)[1]["row"] == 8


# -- the lists read by their words (issue 20) ------------------------------------------------------

def test_lists_are_read_by_their_words_and_unused_columns_are_listed(tmp_path):
    from click.testing import CliRunner

    from compliance.audit import BranchOptions, audit_branch
    from compliance.cli import main
    from compliance.ingest.lists import read_companies, read_licences

    companies = write_csv(tmp_path / "companies.csv", [
        ["No NPP", "Nama Badan Usaha", "Kab.", "Skala Perusahaan", "Kelas Risiko JKK", "Berkas Gaji", "Catatan Pembina"],
        ["17030555", "CV Mitra Jasa Bengkulu", "Kota Bengkulu", "Kecil", "Sedang", "cv-mitra-jasa-juni-2025.xlsx", "-"]])
    listing = read_companies(companies, RULES)
    row = listing.table.iloc[0]
    # a risk class headed in other words is read, never silently the lowest rate
    assert (row["npp"], row["size"], row["jkk_risk"], row["regency"]) == ("17030555", "small", "medium", "Kota Bengkulu")
    assert listing.unused == [{"header": "Catatan Pembina"}]
    registry = write_csv(tmp_path / "reg.csv", [
        ["NPP", "No. Peserta", "NIK", "Nama Tenaga Kerja", "Tanggal Lahir", "Upah Terdaftar BPJS", "Program",
         "Status Aktif", "Alamat Peserta"],
        ["17030555", "17000000001", "1771011203850001", "Ani", "1985-03-12", "4000000", "JKK,JKM,JHT", "AKTIF", "x"]],
        ";")
    reg = read_registry(registry)
    assert reg.table.loc[2, "kpj"] == "17000000001" and reg.table.loc[2, "status"] == "AKTIF"
    assert reg.table.loc[2, "wage"] == 4_000_000 and reg.unused_columns == [{"header": "Alamat Peserta"}]
    licences = write_csv(tmp_path / "izin.csv", [["No. NIB", "Nama Usaha", "Jml Tenaga Kerja", "Sektor"],
                                                 ["912", "CV Mitra Jasa Bengkulu", "12", "Jasa"]])
    lic = read_licences(licences, RULES)
    assert lic.table.loc[2, "workers"] == 12 and lic.unused[0]["header"] == "Sektor"
    # on stderr with the best guess, and in summary.json
    payroll = write_csv(tmp_path / "g.csv", [["NIK", "Nama", "Gaji Pokok"], ["1771011203850001", "Ani", "4000000"]])
    result = CliRunner().invoke(main, ["check", str(payroll), "--registry", str(registry), "--period", "2025-06",
                                       "--engine", "pandas", "--lang", "en"])
    assert f"{registry}: columns not used: Alamat Peserta" in result.output, result.output
    options = BranchOptions(out=tmp_path / "out", rule_set=RULES, letters=False, engine="pandas", jobs=1,
                            register=tmp_path / "r.sqlite", lang="en")
    done = audit_branch([SAMPLES / "branch" / "kiriman" / "cv-mitra-jasa-juni-2025.xlsx"], registry=registry,
                        companies=companies, licences=licences, options=options)
    unused = done.summary["list_issues"]["unused_columns"]
    assert unused["companies"] == [{"header": "Catatan Pembina"}] and unused["registry"] == [{"header": "Alamat Peserta"}]
    assert unused["licences"][0]["header"] == "Sektor"
