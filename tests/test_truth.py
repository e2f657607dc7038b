"""Issue 18: findings, totals and letters state only what is true, and say what was not checked.

Each test here failed before its change (the closing note of issue 18 says which)."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from compliance.cli import main
from compliance.office import Settings, letter_date_notice, load_office
from compliance.outputs.letters import build_context, render_html
from tests.conftest import RULES, SAMPLES

BRANCH = SAMPLES / "branch"
OFFICE = dict(signer_name="Budi Hartono, S.E.", phone="(0736) 123456")
COMPANY = ["--company-name", "PT Uji", "--npp", "17010999", "--company-address", "Jl. Uji 1, Bengkulu"]


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def check_json(path, *args):
    code, out = run("check", path, "--engine", "pandas", "--format", "json", *args)
    assert code in (0, 1), out
    return json.loads(out)


def csv_file(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def letter_html(document: dict, **settings) -> str:
    office = load_office(overrides=OFFICE)
    context = build_context(document, office, Settings(date=dt.date(2025, 7, 14), **settings), "001/PDS/BKL/VII/2025",
                            "confirmation" if document["compliant"] else "warning", RULES)
    return " ".join(render_html(context, settings.get("lang", "id")).split())


# -- no wage: unknown, never Rp 0 -------------------------------------------------------------------

def test_no_wage_column_is_an_unknown_amount_in_report_text_page_and_letter(tmp_path, validate_schema):
    path = csv_file(tmp_path / "g.csv", ["NIK,Nama,Status", "1771011203850001,Budi,Kontrak",
                                         "1771011203850002,Ani,Tetap"])
    d = check_json(path, "--period", "2025-06", "--company-size", "medium", *COMPANY)
    validate_schema(d, "check-report.schema.json")
    assert [f["monthly_shortfall_idr"] for f in d["findings"]] == [None, None]
    assert d["totals"]["shortfall_unknown"] == 2 and d["totals"]["monthly_shortfall_idr"] == 0
    assert "unchecked-wages" in [u["code"] for u in d["unchecked"]]
    assert all("tidak dapat diperkirakan" in f["message"] and "Rp 0" not in f["message"] for f in d["findings"])
    code, text = run("check", path, "--engine", "pandas", "--period", "2025-06")
    assert "ditambah 2 pelanggaran yang iurannya tidak dapat diperkirakan" in text
    html = letter_html(d)
    assert "belum termasuk iuran untuk 2 (dua) temuan yang tidak dapat diperkirakan" in html
    assert "tidak diketahui" in html and "Rp 0</td>" not in html


# -- implausible amounts: a located issue, the same for every format ----------------------------------

def test_an_implausible_wage_is_a_data_issue_in_xlsx_and_csv(tmp_path):
    header = ["NIK", "Nama", "Gaji Pokok", "Status"]
    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append(["1771011203850001", "Budi", 1e30, "Tetap"])
    book.active.append(["1771011203850002", "Ani", 2e12, "Tetap"])
    book.save(tmp_path / "g.xlsx")
    csv = csv_file(tmp_path / "g.csv", [",".join(header), "1771011203850002,Ani,2000000000000,Tetap"])
    for path, rows in ((tmp_path / "g.xlsx", {2, 3}), (csv, {2})):
        d = check_json(path, "--period", "2025-06")
        flagged = {i["row"] for i in d["data_issues"] if i["code"] == "implausible-amount"}
        assert flagged == rows, (path, d["data_issues"])
        assert not [f for f in d["findings"] if f["row"] in rows]        # never a finding's base


# -- a daily rate is not a monthly wage -----------------------------------------------------------

def test_a_daily_rate_is_never_charged_as_a_month(tmp_path):
    path = csv_file(tmp_path / "g.csv", ["NIK,Nama,Status,Gaji Pokok", "1771011203850071,Udin,Harian Lepas,120000"])
    d = check_json(path, "--period", "2025-06", "--company-size", "medium", "--province", "Bengkulu")
    by_rule = {f["rule_id"]: f for f in d["findings"]}
    # was: Rp 11.448 = 120.000 x 9,54 % as if 120.000 were a month's wage
    assert by_rule["unregistered-worker"]["monthly_shortfall_idr"] is None
    warning = by_rule["daily-wage-converted"]
    assert warning["severity"] == "warning" and "Rp 3.000.000" in warning["message"]
    assert "belum terkonfirmasi" in warning["message"] and d["rules"]["daily-wage-converted"]["unconfirmed"]


# -- parameters past their last known value ----------------------------------------------------------

def test_a_period_past_the_last_jp_cap_says_which_year_is_used(tmp_path):
    path = csv_file(tmp_path / "g.csv", ["NIK,Nama,Gaji Pokok,KPJ,JP", "1771011203850001,Budi,20000000,17000000001,Tidak"])
    later = check_json(path, "--period", "2027-04", "--company-size", "medium", "--lang", "en")
    [stale] = [n for n in later["notices"] if n["code"] == "parameter-from-earlier-year"]
    assert stale["data"]["since"] == "2026-03-01" and "JP wage cap" in stale["message"] and "2026" in stale["message"]
    # January 2027 still uses the 2026 cap as the law does (a new cap from March): nothing to say
    early = check_json(path, "--period", "2027-01", "--company-size", "medium")
    assert "parameter-from-earlier-year" not in [n["code"] for n in early["notices"]]


# -- an outsourced worker under an NPP that is not the vendor's ---------------------------------------

def test_an_outsourced_worker_under_another_npp_is_a_warning_naming_both(tmp_path):
    payroll = csv_file(tmp_path / "g.csv", ["NIK,Nama,Status,Vendor,Gaji Pokok",
                                            "1771011203850014,Hana,Outsourcing,PT Garda Nusantara,4000000"])
    registry = csv_file(tmp_path / "r.csv", ["NPP,KPJ,NIK,Nama,Upah,Program,Status",
                                             '17099999,17000000014,1771011203850014,Hana,4000000,"JKK,JKM,JHT,JP",AKTIF'])
    args = [sys.executable, "-m", "compliance", "check", str(payroll), "--period", "2025-06", "--npp", "17010234",
            "--registry", str(registry), "--format", "json"]
    proc = subprocess.run(args + ["--vendor-npp", "PT Garda Nusantara=17055555"], capture_output=True, text=True)
    [f] = json.loads(proc.stdout)["findings"]
    assert f["rule_id"] == "registered-not-with-vendor" and f["severity"] == "warning"
    assert "17099999" in f["message"] and "17055555" in f["message"] and f["responsible"]["party"] == "vendor"
    # without the vendor's NPP it stays the info that the worker is registered elsewhere
    proc = subprocess.run(args, capture_output=True, text=True)
    assert [f["rule_id"] for f in json.loads(proc.stdout)["findings"]] == ["registered-elsewhere"]
    proc = subprocess.run(args + ["--vendor-npp", "PT Garda"], capture_output=True, text=True)
    assert proc.returncode == 2 and "NAMA=NPP" in proc.stderr and "Traceback" not in proc.stderr


# -- with a registry, no line contradicts its program findings -----------------------------------------

def test_with_a_registry_no_payroll_program_assumption_is_said():
    payroll = SAMPLES / "pt-maju-bersama-juni-2025.xlsx"
    without = check_json(payroll)
    with_registry = check_json(payroll, "--registry", SAMPLES / "registry-maju-bersama-juni-2025.csv")
    codes = [n["code"] for n in with_registry["notices"]]
    assert not {"no-program-columns", "no-program-column"} & set(codes)
    assert "unchecked-participation" in [u["code"] for u in without["unchecked"]]
    assert "unchecked-participation" not in [u["code"] for u in with_registry["unchecked"]]


# -- letters: what they may state ------------------------------------------------------------------

def test_a_confirmation_certifies_only_what_was_checked(tmp_path):
    path = csv_file(tmp_path / "g.csv", ["NIK,Nama,Status,Gaji Pokok,KPJ",
                                         "1771011203850001,Budi,Tetap,4000000,17000000001"])
    d = check_json(path, "--period", "2025-06", "--company-size", "small", "--jkk-risk", "low", *COMPANY)
    assert d["compliant"]
    html = letter_html(d, all_letters=True)
    assert "Surat ini tidak menyatakan hal berikut" in html
    assert "dalam program yang diwajibkan" not in html and "dengan upah yang dilaporkan sesuai" not in html
    assert "program yang diikuti pekerja tidak diketahui" in html
    english = letter_html(check_json(path, "--period", "2025-06", "--company-size", "small", "--jkk-risk", "low",
                                     "--lang", "en", *COMPANY), lang="en", all_letters=True)
    assert "This letter does not state the following" in english and "in the required programs" not in english


def test_a_letter_dated_on_a_weekend_or_holiday_warns_and_is_made(tmp_path):
    assert letter_date_notice(dt.date(2025, 7, 12)) is not None          # a Saturday
    assert letter_date_notice(dt.date(2025, 8, 17)) is not None          # Independence Day (a Sunday too)
    assert letter_date_notice(dt.date(2025, 12, 25)) is not None         # Christmas, a Thursday
    assert letter_date_notice(dt.date(2025, 7, 14)) is None              # a Monday
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "compliance", "check", str(SAMPLES / "pt-maju-bersama-juni-2025.xlsx"),
                           "--out", str(out), "--letter", "--draft", "--letter-date", "2025-07-12",
                           "--register", str(tmp_path / "r.sqlite")], capture_output=True, text=True)
    assert proc.returncode == 1 and (out / "letter.pdf").exists()
    assert "peringatan: tanggal surat 2025-07-12 jatuh pada hari Sabtu, Minggu atau hari libur" in proc.stderr


def test_the_office_files_copies_appear_and_a_placeholder_phone_is_refused(tmp_path):
    from compliance.office import LetterError

    d = check_json(SAMPLES / "pt-maju-bersama-juni-2025.xlsx")
    office = load_office(overrides={**OFFICE, "copies_to": ["Kepala Dinas Tenaga Kerja Kota Bengkulu"]})
    context = build_context(d, office, Settings(date=dt.date(2025, 7, 14)), "001", "warning", RULES)
    html = render_html(context, "id")
    assert "Tembusan" in html and "Kepala Dinas Tenaga Kerja Kota Bengkulu" in html
    placeholder = load_office(overrides={"signer_name": "Budi Hartono, S.E."})
    try:
        placeholder.check_ready(Settings())
    except LetterError as exc:
        assert exc.code == "phone-placeholder"
    else:
        raise AssertionError("the example telephone was accepted")
    placeholder.check_ready(Settings(draft=True))                       # a draft may keep it


def test_the_warning_letter_states_the_duty_to_collect_and_pay_and_interns_only_when_in_force(tmp_path):
    d = check_json(SAMPLES / "pt-maju-bersama-juni-2025.xlsx", "--registry",
                   SAMPLES / "registry-maju-bersama-juni-2025.csv")
    html = letter_html(d)
    assert "wajib memungut iuran yang menjadi beban peserta" in html
    assert "PP 45/2015 Pasal 15" not in html                            # an exemption, not a basis
    assert "serta setiap peserta magang" in html and "termasuk pekerja kontrak" in html
    assert "pekerja, termasuk peserta magang" not in html


def test_an_unnamed_vendor_is_never_a_dash(tmp_path):
    path = csv_file(tmp_path / "g.csv", ["NIK,Nama,Status,Vendor,Gaji Pokok",
                                         "1771011203850014,Hana,Outsourcing,,4000000"])
    d = check_json(path, "--period", "2025-06", *COMPANY)
    [f] = d["findings"]
    assert " dari - " not in f["message"] and "data upah tidak menyebut perusahaan alih dayanya" in f["message"]
    assert "perusahaan alih daya perusahaan" not in f["message"]


def test_interns_before_their_basis_was_in_force_are_no_violation(tmp_path):
    path = csv_file(tmp_path / "g.csv", ["NIK,Nama,Status,Gaji Pokok", "1771011203850006,Rudi,Magang,1500000"])
    assert check_json(path, "--period", "2020-06", "--company-size", "large")["findings"] == []
    d = check_json(path, "--period", "2025-06", "--company-size", "large", *COMPANY)
    [f] = d["findings"]
    assert f["rule_id"] == "unregistered-worker"
    assert "Permenaker 5/2021" in [c["citation"] for c in d["rules"]["unregistered-worker"]["legal_basis"]]
    assert "Permenaker 5/2021" in letter_html(d)           # the PDS-TK section cites the interns' basis


def test_the_vendors_letter_says_whose_payroll_and_cites_the_outsourcing_basis(tmp_path):
    from compliance.audit import BranchOptions, audit_branch

    options = BranchOptions(out=tmp_path / "out", rule_set=RULES, letters=True, engine="pandas", jobs=1,
                            register=tmp_path / "r.sqlite", office=load_office(overrides=OFFICE),
                            letter_settings=Settings(date=dt.date(2025, 7, 14)))
    audit_branch([BRANCH / "kiriman" / "cv-mitra-jasa-juni-2025.xlsx"], companies=BRANCH / "perusahaan.csv",
                 options=options)
    letters = [p for p in (tmp_path / "out").rglob("letter.html") if "satria" in str(p).lower()]
    assert letters, sorted(str(p) for p in (tmp_path / "out").rglob("letter.html"))
    html = " ".join(letters[0].read_text(encoding="utf-8").split())
    assert "berkas cv-mitra-jasa-juni-2025.xlsx" in html
    assert "data upah yang Saudara berikan" not in html and "data upah perusahaan pengguna jasa tersebut" in html
    assert "UU 13/2003 Pasal 66 ayat (2) jo. UU 6/2023" in html


def test_a_daily_rate_is_found_without_a_province_and_with_a_zero_allowance(tmp_path):
    """The review of issue 18: with no minimum wage known, or an allowance of 0, a daily worker's
    Rp 120.000 was still charged as a month (Rp 11.448)."""
    path = csv_file(tmp_path / "g.csv", ["NIK,Nama,Status,Gaji Pokok,Tunjangan Tetap",
                                         "1771011203850071,Udin,Harian Lepas,120000,",
                                         "1771011203850072,Vina,Harian Lepas,120000,0"])
    d = check_json(path, "--period", "2025-06", "--company-size", "medium", "--jkk-risk", "low")
    charged = [f for f in d["findings"] if f["rule_id"] == "unregistered-worker"]
    assert [f["monthly_shortfall_idr"] for f in charged] == [None, None]
    assert d["totals"]["monthly_shortfall_idr"] == 0 and d["totals"]["shortfall_unknown"] == 2


def test_a_family_whose_amounts_are_all_unknown_never_says_rp_0(tmp_path):
    path = csv_file(tmp_path / "g.csv", ["NIK,Nama,Status,Gaji Pokok,KPJ,JHT,JP,JKK,JKM",
                                         "1771011203850001,Putra,Tetap,3000000,,,,,",
                                         "1771011203850002,Qori,Harian Lepas,120000,17000000002,Ya,Tidak,Ya,Ya"])
    d = check_json(path, "--period", "2025-06", "--company-size", "medium", "--jkk-risk", "low",
                   "--province", "Bengkulu", *COMPANY)
    html = letter_html(d)
    # PDS-TK: Putra's amount is known and nothing is added to it; PDS-PROGRAM: Qori's is unknown
    assert "Rp 286.200</span> per bulan." in html
    assert "tidak dapat diperkirakan karena upahnya tidak diketahui" in html and "Rp 0</span>" not in html


def test_a_confirmation_speaks_only_of_the_participants(tmp_path):
    path = csv_file(tmp_path / "g.csv", ["NIK,Nama,Status,Gaji Pokok,KPJ,Tgl Masuk",
                                         "1771011203850001,Budi,Tetap,4000000,17000000001,01/01/2020",
                                         "1771011203850002,Gita,Tetap,4000000,,20/06/2025"])
    d = check_json(path, "--period", "2025-06", "--company-size", "small", "--jkk-risk", "low", *COMPANY)
    assert d["compliant"]
    html = letter_html(d, all_letters=True)
    assert "1 (satu) dari 2 (dua) pekerja yang tercantum" in html and "seluruh 2" not in html
    assert "Untuk 1 (satu) pekerja lainnya surat ini tidak menyatakan kepesertaannya" in html
