"""`check`: parameter dates, the shortfall arithmetic by hand, totals, the report contract, the CLI."""
import json
import os

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from compliance.cli import main
from compliance.rulecases import table_from_rows
from compliance.model import Company, Payroll, Period, Source, empty_issues
from tests.conftest import (HEADER, RULES, SAMPLES, check, findings_of, read_payroll, read_registry, report_dict,
                            worker, write_csv, write_xlsx)

PAYROLLS = sorted(SAMPLES.glob("pt-*.xlsx")) + sorted(SAMPLES.glob("ud-*.xlsx")) + sorted(SAMPLES.glob("cv-*.csv"))


def payroll_of(rows, **company):
    period = Period.parse(company.pop("period", "2025-06"))
    table = table_from_rows(rows, "test")
    issues = empty_issues()
    return Payroll(Source("t.xlsx", "Gaji", 1, len(table)), table, {}, [], [], issues, [],
                   Company(period=period, **company))


def findings(report, rule_id=None):
    return [f for f in findings_of(report) if rule_id in (None, f["rule_id"])]


# -- parameters by date ---------------------------------------------------------------------------

@pytest.mark.parametrize("period,cap,age", [
    ("2024-06", 10_042_300, 58), ("2025-02", 10_042_300, 59), ("2025-03", 10_547_400, 59),
    ("2025-06", 10_547_400, 59), ("2026-03", 11_086_300, 59), ("2019-01", 8_094_000, 57),
])
def test_parameter_in_force_is_the_latest_on_or_before_the_period_end(period, cap, age):
    p = Period.parse(period)
    assert RULES.parameters.at("jp_wage_cap", p).value == cap
    assert RULES.parameters.at("jp_pension_age", p).value == age


def test_a_period_before_the_first_value_is_an_error():
    from compliance.errors import RuleFileError

    with pytest.raises(RuleFileError, match="no value in force for 2015-06"):
        RULES.parameters.at("rate.jkm.employer", Period(2015, 6))


def test_2024_and_2025_checks_use_their_own_jp_cap_and_pension_age():
    def jp_shortfall(period, born):
        row = {"nik": "1771010106660001", "name": "Hadi", "kpj": "17000000001", "base_wage": 20_000_000,
               "jkk": True, "jkm": True, "jht": True, "jp": False, "birth_date": born}
        d = report_dict(check(payroll_of([row], period=period, size="large", jkk_risk="low"), RULES), "en")
        found = [f for f in d["findings"] if f["rule_id"] == "missing-program"]
        return {**found[0], "report": d} if found else None

    # 58 on the period's first day: at the 2024 pension age (58), under the 2025 one (59)
    assert jp_shortfall("2024-06", "1966-01-01") is None
    f = jp_shortfall("2025-06", "1967-01-01")
    assert f["monthly_shortfall_idr"] == 316_422            # 10,547,400 (2025 cap) x 3 %
    # a younger worker: JP on each year's cap
    assert jp_shortfall("2024-06", "1980-01-01")["monthly_shortfall_idr"] == 301_269   # 10,042,300 x 3 %
    # the finding's rule names the parameters it rests on; their values and dates are listed once
    names = f["report"]["rules"]["missing-program"]["parameters"]
    params = {n: f["report"]["parameters"][n] for n in names}
    assert params["jp_wage_cap"]["value"] == 10_547_400 and params["jp_wage_cap"]["since"] == "2025-03-01"
    assert params["jp_pension_age"]["value"] == 59 and "Pasal 15" in params["jp_pension_age"]["reference"]


# -- shortfall arithmetic, by hand ----------------------------------------------------------------

def test_unregistered_high_wage_large_company_high_risk():
    r = check(payroll_of([{"nik": "1771011203850001", "name": "A", "base_wage": 11_000_000,
                           "fixed_allowance": 1_000_000}], size="large", jkk_risk="high"), RULES)
    [f] = findings(r, "unregistered-worker")
    # JKK 1.27 % + JKM 0.30 % + JHT 5.70 % on 12,000,000 = 872,400
    # JP 3 % on the 2025 cap 10,547,400 = 316,422            total 1,188,822
    assert f["monthly_shortfall_idr"] == 1_188_822
    by = f["shortfall_by_program"]           # [employer, worker] in rupiah, before rounding
    assert by["jp"] == [210_948, 105_474]
    assert by["jht"] == [444_000, 240_000]
    assert by["jkk"] == [152_400, 0]
    assert r.totals.monthly_shortfall_idr == 1_188_822


def test_underreported_wage_with_sen_and_a_cap_on_both_sides():
    r = check(payroll_of([{"nik": "1771011203850002", "name": "B", "kpj": "17000000002",
                           "base_wage": 12_500_000.50, "reported_wage": 11_000_000}],
                         size="medium", jkk_risk="medium"), RULES)
    [f] = findings(r, "underreported-wage")
    # difference 1,500,000.50 x (0.89 + 0.30 + 5.70) % = 103,350.03445
    # JP: both wages above the cap -> difference of the capped wages is 0
    assert f["monthly_shortfall_idr"] == 103_350
    assert "jp" not in f["shortfall_by_program"]


def test_rounding_happens_once_half_up():
    # micro company, risk very low: JKK 0.24 % + JKM 0.30 % = 0.54 % (54 hundredths of a percent)
    sen = next(s for s in range(1, 10**8) if (s * 54) % 1_000_000 == 500_000)
    wage = sen / 100
    r = check(payroll_of([{"nik": "1771011203850003", "name": "C", "base_wage": wage}],
                         size="micro", jkk_risk="very-low"), RULES)
    [f] = findings(r)
    assert f["monthly_shortfall_idr"] == (sen * 54) // 1_000_000 + 1     # exactly x.5 rupiah -> up


def test_missing_several_programs_sums_each_program():
    r = check(payroll_of([{"nik": "1771011203850004", "name": "D", "kpj": "17000000004", "base_wage": 4_000_000,
                           "jkk": True, "jkm": False, "jht": False, "jp": False}], size="large",
                         jkk_risk="low"), RULES)
    [f] = findings(r, "missing-program")
    # JKM 0.30 % + JHT 5.70 % + JP 3 % on 4,000,000 = 360,000
    assert f["monthly_shortfall_idr"] == 360_000
    assert f["programs_missing"] == ["JKM", "JHT", "JP"]


# -- totals, assumptions, purity ------------------------------------------------------------------

def test_unknown_size_charges_only_what_every_size_owes_and_says_so():
    """Issue 18: with the size assumed (large), the letter charged JP 'wajib bagi perusahaan skala
    besar'. Unknown size: only JKK and JKM, which every size owes; JHT and JP are not charged."""
    r = check(payroll_of([{"nik": "1771011203850005", "name": "E", "base_wage": 1_000_000}]), RULES)
    d = report_dict(r, "en")
    assert d["company"]["size"] == "micro" and set(d["company"]["assumed"]) == {"size", "jkk_risk"}
    assert d["totals"] == {**d["totals"], "workers": 1, "participants": 0, "unregistered": 1, "coverage_pct": 0.0}
    # 1,000,000 x (JKK 0.24 % + JKM 0.30 %) = 5,400: no JHT, no JP on a guessed size
    assert d["findings"][0]["monthly_shortfall_idr"] == 5_400
    assert set(d["findings"][0]["shortfall_by_program"]) <= {"jkk", "jkm"}
    assert "unchecked-size" in [u["code"] for u in d["unchecked"]]
    assert "JHT and JP duties" in next(u["message"] for u in d["unchecked"] if u["code"] == "unchecked-size")
    p = payroll_of([{"nik": "1771011203850005", "name": "E", "base_wage": 1_000_000, "kpj": "17000000005",
                     "jkk": True, "jkm": True, "jht": False, "jp": False}])
    r = check(p, RULES)
    assert findings(r, "missing-program") == []       # JHT, JP: size unknown, not charged
    # but said: a warning asking for the size, naming the programs (never a violation)
    warned = findings(r, "program-depends-on-size")
    assert len(warned) == 1 and warned[0]["severity"] == "warning" and "JHT, JP" in warned[0]["message"]
    assert r.compliant


def test_check_is_pure():
    p = payroll_of([{"nik": "1771011203850006", "name": "F", "base_wage": 3_000_000}], size="small")
    before = p.table.copy()
    a, b = report_dict(check(p, RULES), "en"), report_dict(check(p, RULES), "en")
    assert a == b
    pd.testing.assert_frame_equal(p.table, before)


def test_a_missing_period_comes_back_as_data_and_the_cli_asks_for_it(tmp_path):
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [HEADER, worker(1)]})
    assert read_payroll(path, engine="pandas").needs == ["period"]
    result = CliRunner().invoke(main, ["check", str(path), "--engine", "pandas"])
    assert result.exit_code == 2 and "--period" in result.output


@pytest.mark.parametrize("path", PAYROLLS, ids=lambda p: p.name)
def test_every_sample_report_follows_the_contract_and_accounts_for_rows(path, validate_schema):
    p = read_payroll(path, engine="pandas")
    report = check(p, RULES)
    d = report_dict(report, "id")
    validate_schema(d, "check-report.schema.json")
    t = d["totals"]
    assert t["rows_checked"] + t["rows_with_issues"] == d["source"]["rows_read"]
    violations = [f for f in d["findings"] if f["severity"] == "violation"]
    by_party = {party: sum(f["monthly_shortfall_idr"] for f in violations if f["responsible"]["party"] == party)
                for party in ("employer", "vendor")}
    assert t["monthly_shortfall_idr"] == by_party["employer"] and t["vendor_shortfall_idr"] == by_party["vendor"]
    assert all(f["monthly_shortfall_idr"] == 0 for f in d["findings"] if f["severity"] != "violation")


def test_samples_cover_every_family_and_the_four_headline_worker_types():
    reports = {p.name: check(read_payroll(p, engine="pandas"), RULES) for p in PAYROLLS}
    assert [n for n, r in reports.items() if r.compliant] == ["pt-rafflesia-digital-juni-2025.xlsx"]
    all_findings = [f for r in reports.values() for f in findings_of(r)]
    assert {f["family"] for f in all_findings if f["severity"] == "violation"} == {"PDS-TK", "PDS-UPAH",
                                                                                    "PDS-PROGRAM"}
    assert {"permanent", "contract", "outsourced", "intern"} <= {f["employment_type"] for f in all_findings}


# -- registry -------------------------------------------------------------------------------------

def test_registry_with_aliases_several_rows_per_person_and_kpj_fallback(tmp_path):
    reg = write_csv(tmp_path / "reg.csv", [
        ["No. NPP", "Nomor KPJ", "NIK KTP", "Nama Peserta", "Tgl Lahir", "Upah Terdaftar", "Program", "Status Peserta"],
        ["17010234", "17000000001", "1771011203850001", "A", "12-03-1985", "4.000.000", "JKK,JKM,JHT,JP", "NONAKTIF"],
        ["17010234", "17000000009", "1771011203850001", "A", "12-03-1985", "5.000.000", "JKK,JKM,JHT,JP", "AKTIF"],
        ["17010234", "17000000002", "", "B", "", "3000000", "JKK/JKM", "aktif"],
    ], ";")
    registry = read_registry(reg)
    assert registry.table["status"].tolist() == ["NONAKTIF", "AKTIF", "AKTIF"]
    assert registry.issues.empty
    p = payroll_of([{"nik": "1771011203850001", "name": "A", "base_wage": 5_000_000},
                    {"nik": "1771011203850002", "name": "B", "kpj": "17000000002", "base_wage": 3_000_000}],
                   npp="17010234", size="small", jkk_risk="low")
    r = check(p, RULES, registry)
    assert r.participation_source == "registry" and r.totals.participants == 2
    # B is in the registry by KPJ, enrolled in JKK and JKM only: a small company also requires JHT
    [f] = findings(r, "missing-program")
    assert f["row"] == 2 and f["programs_missing"] == ["JHT"]


def test_registry_rows_that_cannot_be_read_are_reported_not_dropped(tmp_path, validate_schema):
    reg = write_csv(tmp_path / "reg.csv", [
        ["NPP", "KPJ", "NIK", "NAMA", "TGL_LAHIR", "UPAH", "PROGRAM", "STATUS"],
        ["17010234", "", "", "TANPA ID", "01-01-1990", "3000000", "JKK", "AKTIF"],
        ["17010234", "17000000002", "1771011203850002", "B", "32-01-1990", "tiga juta", "JKK,THR", "PENSIUN"],
    ], ";")
    registry = read_registry(reg)
    got = registry.issues[["row", "code", "severity"]].values.tolist()
    assert got == [[2, "registry-id-missing", "error"], [3, "date-unparseable", "error"],
                   [3, "program-value-unknown", "error"], [3, "registry-status-unknown", "warning"],
                   [3, "wage-not-a-number", "error"]]
    p = payroll_of([{"nik": "1771011203850002", "name": "B", "base_wage": 3_000_000}], size="small",
                   jkk_risk="low")
    d = report_dict(check(p, RULES, registry), "en")
    validate_schema(d, "check-report.schema.json")
    assert d["registry"]["rows"] == 2 and len(d["registry"]["data_issues"]) == 5
    assert d["registry"]["data_issues"][3]["message"].startswith("Registry STATUS 'PENSIUN'")


def test_registry_without_status_is_refused(tmp_path):
    from compliance.errors import UnusableInput

    reg = write_csv(tmp_path / "reg.csv", [["NPP", "KPJ", "NIK", "NAMA"], ["1", "2", "1771011203850001", "A"]])
    with pytest.raises(UnusableInput, match="lacks column"):
        read_registry(reg)


# -- command line ---------------------------------------------------------------------------------

def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def test_cli_exit_codes_and_json(validate_schema):
    code, out = run("check", SAMPLES / "pt-rafflesia-digital-juni-2025.xlsx", "--engine", "pandas",
                    "--format", "json")
    assert code == 0 and json.loads(out)["compliant"] is True
    code, out = run("check", SAMPLES / "pt-maju-bersama-juni-2025.xlsx", "--engine", "pandas", "--format", "json",
                    "--registry", SAMPLES / "registry-maju-bersama-juni-2025.csv", "--lang", "en")
    doc = json.loads(out)
    validate_schema(doc, "check-report.schema.json")
    assert code == 1 and doc["participation_source"] == "registry"
    assert any(f["rule_id"] == "registered-elsewhere" and "17055555" in f["message"] for f in doc["findings"])


def test_cli_text_summary_and_assumptions(tmp_path):
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [HEADER, worker(1), worker(2, **{"No KPJ": ""})]})
    code, out = run("check", path, "--engine", "pandas", "--period", "2025-06", "--lang", "en")
    assert code == 1
    assert "not checked: business size unknown: the JHT and JP duties, which depend on the size, were not checked" in out
    assert "not checked: participation not matched against the BPJS participant data" in out
    assert "workers 2  participants 1  coverage 50.0 %  unregistered 1" in out
    code, out = run("check", path, "--engine", "pandas", "--period", "2025-06")          # Indonesian by default
    assert "pekerja 2  peserta 1  cakupan 50.0 %  belum terdaftar 1" in out and "TIDAK PATUH" in out
    assert "tidak diperiksa: skala usaha tidak diketahui" in out


def test_cli_usage_and_unusable_input_exit_2(tmp_path):
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [HEADER, worker(1)]})
    assert run("check", path, "--engine", "pandas")[0] == 2                     # no period
    assert run("check", path, "--company-size", "huge")[0] == 2
    assert run("check", path, "--period", "2025-06", "--rules", tmp_path / "nope")[0] == 2


def test_out_files_are_written_atomically_and_neutralised(tmp_path):
    hostile = "=HYPERLINK(\"http://x\";\"klik\")"
    path = write_csv(tmp_path / "g.csv", [HEADER, worker(1, Nama=hostile, **{"No KPJ": ""}), worker(2, NIK="12")],
                     ",")
    before = path.read_bytes()
    out = tmp_path / "hasil"
    code, _ = run("check", path, "--engine", "pandas", "--period", "2025-06", "--out", out)
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == ["annotated.xlsx", "findings.csv", "findings.xlsx",
                                                     "report.json"]
    marked = openpyxl.load_workbook(out / "annotated.xlsx").worksheets[1]     # the CSV's cells, as text
    assert marked["C2"].value == hostile and marked["C2"].data_type == "s" and marked["B3"].comment is not None
    csv_text = (out / "findings.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ";=HYPERLINK" not in csv_text
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    assert wb.sheetnames == ["Ringkasan", "Temuan", "Masalah Data"]     # Indonesian by default, summary first
    found = wb["Temuan"]
    assert [c.value for c in found[1]][:7] == ["Sheet", "Baris", "Aturan", "Kelompok", "Tingkat", "NIK", "Nama"]
    assert found["G"][1].value.startswith("'=") and found["B"][1].value == 2
    assert found["A"][1].value is None                           # CSV input: no sheet
    assert found["F"][1].data_type == "s" and found["F"][1].value == "1771011203900001"   # NIK as text
    assert found.freeze_panes == "A2" and found.auto_filter.ref.startswith("A1:")
    assert "Rp" in found["I"][1].number_format and isinstance(found["I"][1].value, int)
    assert wb["Masalah Data"]["E"][1].value == "kesalahan" and "16 digit" in wb["Masalah Data"]["F"][1].value
    summary = {r[0].value: r[1].value for r in wb["Ringkasan"].iter_rows() if r[0].value}
    assert summary["Pekerja pada periode"] == 1 and summary["Status"] == "TIDAK PATUH"
    assert json.loads((out / "report.json").read_text())["findings"][0]["name"] == hostile
    assert path.read_bytes() == before
    umask = os.umask(0o022)
    os.umask(umask)
    assert {oct(p.stat().st_mode & 0o777) for p in out.iterdir()} == {oct(0o666 & ~umask)}   # not 0600


def test_findings_csv_opens_right_in_indonesian_excel(tmp_path):
    """UTF-8 with a BOM, `;` between fields (Indonesian Excel's list separator), CRLF; a NIK as the
    text constant ="..." so that Excel keeps its 16 digits; a formula-like name neutralised."""
    import csv

    path = write_csv(tmp_path / "g.csv", [HEADER, worker(1, Nama="=1+1", **{"No KPJ": ""}),
                                          worker(2, Nama="Siti; Aminah", **{"No KPJ": ""})])
    out = tmp_path / "hasil"
    assert run("check", path, "--engine", "pandas", "--period", "2025-06", "--out", out)[0] == 1
    data = (out / "findings.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfsheet;row;rule_id;") and b"\r\n" in data
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines(), delimiter=";"))
    by_name = {r["name"]: r for r in rows}
    assert by_name["'=1+1"]["nik"] == '="1771011203900001"'
    assert by_name["Siti; Aminah"]["nik"] == '="1771011203900002"'     # a ; inside a field is quoted
    assert by_name["'=1+1"]["monthly_shortfall_idr"].isdigit()


def test_findings_xlsx_in_english(tmp_path):
    out = tmp_path / "out"
    run("check", SAMPLES / "pt-maju-bersama-juni-2025.xlsx", "--engine", "pandas", "--out", out, "--lang", "en")
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    assert wb.sheetnames == ["Summary", "Findings", "Data issues"]
    rows = list(wb["Findings"].iter_rows(values_only=True))
    d = json.loads((out / "report.json").read_text())
    assert len(rows) - 1 == len(d["findings"]) == d["totals"]["findings"]
    assert sum(r[8] for r in rows[1:]) >= d["totals"]["monthly_shortfall_idr"]


def test_rules_commands():
    code, out = run("rules", "list")
    assert code == 0 and "unregistered-worker" in out and "UU 24/2011 Pasal 15 ayat (1)" in out
    code, out = run("rules", "show", "missing-program")
    assert code == 0 and "family: PDS-PROGRAM" in out
    assert run("rules", "show", "nope")[0] == 2
    code, out = run("rules", "test")
    assert code == 0 and " 0 gagal" in out


def test_a_finding_cites_only_what_was_in_force_and_its_own_type():
    rows = [{"nik": "1771011203850001", "name": "John", "is_foreign": True, "base_wage": 10_000_000,
             "start_date": "2019-01-01"}]
    for period, amended in (("2021-06", False), ("2025-06", True)):
        d = report_dict(check(payroll_of(rows, period=period, size="small", jkk_risk="low"), RULES), "en")
        cited = [c["citation"] for c in d["rules"]["unregistered-worker"]["legal_basis"]]
        assert ("PP 49/2023 (perubahan kedua PP 44/2015)" in cited) == amended
        assert "UU 24/2011 Pasal 14; PP 44/2015 Pasal 5 ayat (2) huruf c" in cited      # a foreigner: 1.2
        assert not any("66" in c for c in cited) and not any("lanjutan" in c for c in cited)   # not those types
    # the minimum-wage rule rests on the 2022 Perdir: it is not applied to a 2021 period at all
    d = report_dict(check(payroll_of(rows, period="2021-06", size="small", jkk_risk="low"), RULES), "en")
    assert "wage-below-minimum" not in d["rules"]


def test_birth_dates_from_the_nik_when_there_is_no_birth_date_column(tmp_path):
    header = ["NIK", "Nama", "Gaji Pokok", "No KPJ", "JKK", "JKM", "JHT", "JP"]
    rows = [header,
            ["1771010106600001", "Pak Tua", 9_000_000, "17000000001", "Ya", "Ya", "Ya", "Tidak"],    # 1 Jun 1960
            ["1771014106950002", "Bu Muda", 9_000_000, "17000000002", "Ya", "Ya", "Ya", "Tidak"]]    # 1 Jun 1995, +40
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [["Periode: Juni 2025"], *rows]})
    p = read_payroll(path, engine="pandas")
    assert p.table["birth_date"].dt.strftime("%Y-%m-%d").tolist() == ["1960-06-01", "1995-06-01"]
    assert {"code": "birth-dates-from-nik", "data": {}} in p.assumptions
    p = Payroll(p.source, p.table, p.columns, [], [], p.issues, p.assumptions,
                Company(size="large", jkk_risk="low", period=Period(2025, 6)))
    found = findings(check(p, RULES), "missing-program")
    assert [f["name"] for f in found] == ["Bu Muda"]          # Pak Tua is past the pension age: no JP
    assert any("birth dates taken from the NIK" in a for a in report_dict(check(p, RULES), "en")["assumptions"])
    assert any("tanggal lahir diambil dari NIK" in a for a in report_dict(check(p, RULES), "id")["assumptions"])


def _checked_csv(tmp_path, rows, **company):
    path = write_csv(tmp_path / "b.csv", rows)
    options = Company(period=Period(2025, 6), size="large", jkk_risk="low", npp="17000001", name="PT X", **company)
    return report_dict(check(read_payroll(path, engine="pandas", options=options), RULES), "en")


@pytest.mark.parametrize("header,cells", [
    (["Program"], [""]), (["Program"], ["-"]),
    (["JKK", "JKM", "JHT", "JP"], ["", "", "", ""]), (["JKK", "JKM", "JHT", "JP"], ["-", "-", "-", "-"])])
def test_blank_program_cells_are_unknown_not_no(tmp_path, header, cells):
    """Issue 18: a KPJ holder with blank program cells was charged Rp 477.000-class amounts for
    JKK, JKM, JHT and JP. Blank is unknown: no finding, and the report says whose programs are unknown."""
    d = _checked_csv(tmp_path, [["NIK", "Nama", "Gaji Pokok", "No KPJ", *header],
                                ["1771011203850001", "Budi", "4000000", "17000000001", *cells]])
    assert d["findings"] == [] and d["totals"]["violations"] == 0
    assert any(n["code"] == "programs-unknown" and n["data"]["rows"] == [2] for n in d["notices"])


def test_a_blank_birth_date_cell_is_taken_from_the_nik(tmp_path):
    """Issue 18: a 65-year-old woman with an empty birth cell was charged JP."""
    d = _checked_csv(tmp_path, [["NIK", "Nama", "Tgl Lahir", "Gaji Pokok", "No KPJ", "JKK", "JKM", "JHT", "JP"],
                                ["1771014106600001", "Ibu Tua", "", "4000000", "17000000001", "Ya", "Ya", "Ya", "Tidak"],
                                ["1771010106950002", "Muda", "01/06/1995", "4000000", "17000000002", "Ya", "Ya", "Ya",
                                 "Tidak"]])
    assert [f["name"] for f in d["findings"]] == ["Muda"]          # 4,000,000 x 3 % = 120,000: JP for Muda only
    assert d["findings"][0]["monthly_shortfall_idr"] == 120_000
    assert {"code": "blank-birth-dates-from-nik", "data": {"rows": [2], "n": 1}} in \
        [{k: n[k] for k in ("code", "data")} for n in d["notices"]]


def test_without_its_npp_no_registry_entry_is_the_companys(tmp_path):
    """Issue 18: with the NPP missing, every AKTIF entry was counted as this company's participant,
    even one under another employer's NPP."""
    reg = write_csv(tmp_path / "r.csv", [["NPP", "KPJ", "NIK", "NAMA", "UPAH", "PROGRAM", "STATUS"],
                                         ["17099999", "17000000001", "1771011203850001", "Budi", "4000000",
                                          "JKK, JKM, JHT, JP", "AKTIF"]], ";")
    path = write_csv(tmp_path / "g.csv", [["NIK", "Nama", "Gaji Pokok"], ["1771011203850001", "Budi", "4000000"]])
    for npp, participants in ((None, 0), ("17099999", 1)):
        options = Company(period=Period(2025, 6), size="large", jkk_risk="low", npp=npp, name="PT X")
        d = report_dict(check(read_payroll(path, engine="pandas", options=options), RULES,
                              registry=read_registry(reg)), "en")
        assert d["totals"]["participants"] == participants
        assert any(n["code"] == "registry-without-npp" for n in d["notices"]) == (npp is None)


def test_not_compliant_with_no_violation_says_why(tmp_path):
    """Issue 18: a verdict of not compliant with zero violations (rows that could not be checked)
    says so in one sentence wherever the verdict is shown."""
    path = write_csv(tmp_path / "u.csv", [["NIK", "Nama", "Gaji Pokok", "No KPJ"],
                                          ["123", "Budi", "4000000", "17000000001"],
                                          ["1771011203850002", "Ani", "4000000", "17000000002"]])
    code, out = run("check", path, "--engine", "pandas", "--period", "2025-06", "--npp", "17000001",
                    "--company-size", "kecil", "--jkk-risk", "rendah")
    assert code == 1 and "TIDAK PATUH\nTidak ada pelanggaran yang ditemukan, tetapi 1 baris tidak dapat diperiksa" in out


def test_an_unknown_regency_is_said_with_the_closest_known_ones():
    """Issue 18: a misspelt --regency fell back to the UMP silently."""
    rows = [{"nik": "1771011203850005", "name": "E", "base_wage": 2_000_000, "kpj": "17000000005"}]
    d = report_dict(check(payroll_of(rows, size="small", jkk_risk="low", province="Bengkulu",
                                     regency="Kota Bengkuluu"), RULES), "en")
    [note] = [n for n in d["notices"] if n["code"] == "regency-unknown"]
    assert note["data"]["closest"][0] == "Kota Bengkulu" and "the province's UMP was used" in note["message"]
    assert "ump.bengkulu" in d["parameters"]
    d = report_dict(check(payroll_of(rows, size="small", jkk_risk="low", regency="Kota Bengkulu"), RULES), "en")
    assert "umk.bengkulu.kota-bengkulu" in d["parameters"]            # a regency implies its province
    assert not any(n["code"] == "regency-unknown" for n in d["notices"])


# -- a payroll without a NIK column (issue 20) ----------------------------------------------------

def test_a_payroll_without_nik_is_checked_against_the_registry_by_kpj(tmp_path):
    reg = write_csv(tmp_path / "r.csv", [["NPP", "KPJ", "NIK", "NAMA", "TGL_LAHIR", "UPAH", "PROGRAM", "STATUS"],
                                         ["17010234", "17000000001", "1771011203850001", "Ani", "1985-03-12",
                                          "5000000", "JKK, JKM, JHT, JP", "AKTIF"],
                                         ["17010234", "17000000002", "1771011203850002", "Budi", "1985-03-12",
                                          "4000000", "JKK, JKM, JHT, JP", "NONAKTIF"],
                                         ["17010234", "17000000003", "1771011203850003", "Citra Dewi", "1990-01-02",
                                          "4000000", "JKK, JKM, JHT, JP", "AKTIF"]], ";")
    path = write_csv(tmp_path / "g.csv", [["No KPJ", "Nama", "Tgl Lahir", "Gaji Pokok"],
                                          ["17000000001", "Ani", "", "5000000"],
                                          ["17000000002", "Budi", "", "4000000"],
                                          ["", "CITRA DEWI", "02/01/1990", "4000000"],
                                          ["", "Dodi", "", "4000000"]], ";")
    options = Company(period=Period(2025, 6), size="large", jkk_risk="low", npp="17010234", name="PT X")
    p = read_payroll(path, engine="pandas", options=options)
    assert "nik" not in p.columns and p.source.rows_read == 4
    identified = next(n for n in p.assumptions if n["code"] == "workers-identified-by")
    assert [str(t) for t in identified["data"]["by"]] == ["identity:kpj", "identity:birth_date"]
    assert p.issues[["row", "code"]].values.tolist() == [[5, "identity-missing"]]      # a warning: still checked
    d = report_dict(check(p, RULES, registry=read_registry(reg)), "en")
    unregistered = sorted(f["row"] for f in d["findings"] if f["rule_id"] == "unregistered-worker")
    assert unregistered == [3, 5]              # Budi's KPJ is NONAKTIF; Dodi has no identity to match
    weak = next(n for n in d["notices"] if n["code"] == "registry-matched-by-name")
    assert weak["data"]["rows"] == [4]         # Citra: by name and birth date, stated as a weaker match
    assert "weaker match" in weak["message"]
    result = CliRunner().invoke(main, ["check", str(path), "--registry", str(reg), "--period", "2025-06",
                                       "--npp", "17010234", "--company-size", "large", "--jkk-risk", "low",
                                       "--engine", "pandas", "--lang", "en"])
    assert result.exit_code == 1 and "workers are identified by KPJ number, name and birth date" in result.output, \
        result.output


def test_only_a_nik_of_digits_alone_becomes_a_text_constant():
    from compliance.outputs.files import csv_bytes

    data = csv_bytes(["nik", "name", "amount"], [["=1+2", "-x", 1234.5], ["0012", "=y", 975765.0],
                                                 ["1771\"+\"1", "a;b", 3]], ("nik",))
    assert data.decode("utf-8-sig").splitlines() == [
        "nik;name;amount", "'=1+2;'-x;1234,5", '"=""0012""";\'=y;975765', '"1771""+""1";"a;b";3']
