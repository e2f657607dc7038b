"""Letters: rendered for every sample in both languages, read back from the PDF; escaping,
strictness; numbers from the office's register (tests/test_register.py has the register itself)."""
import datetime as dt
import re
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from compliance.cli import main
from compliance.outputs import letters
from compliance.outputs.letters import issue as issue_letter
from compliance.resources import templates_dir
from tests.conftest import HEADER, RULES, SAMPLES, check, read_payroll, report_dict, worker, write_xlsx

PAYROLLS = sorted(p for p in list(SAMPLES.glob("*.xlsx")) + list(SAMPLES.glob("*.csv"))
                  if not p.name.startswith("registry"))
DATE = dt.date(2025, 7, 14)


def report_of(path, lang="id", **company):
    from compliance.model import Company

    options = Company(**company) if company else None
    return report_dict(check(read_payroll(path, engine="pandas", options=options)), lang)


def issue(report, out, branch, settings, register=None):
    """A letter numbered by a register in the test's folder (as `check --letter --register` does)."""
    from compliance.register import Register

    reg = Register.open(register or Path(out) / "register.sqlite")
    return issue_letter(reg, report, Path(out), branch, settings, RULES)


def office(**values):
    """The bundled office file with a real signer (the placeholder is refused outside drafts)."""
    return letters.load_office(overrides={"signer_name": "Budi Hartono, S.E.", "phone": "(0736) 123456", **values})


def pdf_text(path):
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def flat(text):
    """The PDF's text on one line; older pypdf versions put a space around inline elements
    ("( Rp", "Nusantara :"), which is the extractor, not the letter."""
    text = " ".join(text.split())
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([,.:;)])", r"\1", text))


def rp(n):
    return "Rp " + f"{n:,}".replace(",", ".")


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("path", PAYROLLS, ids=lambda p: p.name)
def test_letter_for_every_sample(path, lang, tmp_path):
    report = report_of(path, lang)
    settings = letters.Settings(lang=lang, date=DATE, all_letters=True)
    issued = issue(report, tmp_path, office(), settings)
    text = flat(pdf_text(tmp_path / "letter.pdf"))
    assert issued.number == ("001/PDS/BKL/VII/2025")
    assert report["company"]["name"] in text and f"NPP {report['company']['npp']}" in text
    assert text.count(issued.number) >= len(PdfReader(tmp_path / "letter.pdf").pages)   # on every page
    if report["compliant"]:
        assert ("Konfirmasi" if lang == "id" else "Confirmation") in text
        return
    assert ("Teguran Tertulis Pertama" if lang == "id" else "First Written Warning") in text
    assert rp(report["totals"]["monthly_shortfall_idr"]) in text
    for fam, counts in report["by_family"].items():
        if counts["violation"]:
            assert rp(counts["shortfall_idr"]) in text
    appendix = [f for f in report["findings"] if f["severity"] in ("violation", "warning")
                and f["responsible"]["party"] == "employer"]
    for f in appendix:
        assert f["name"].split()[0] in text
        assert "*" * 12 + f["nik"][-4:] in text and f["nik"] not in text       # masked NIK
    issue_rows = [i for i in report["data_issues"] if i["severity"] == "error"]
    assert bool(issue_rows) == (("harus diperbaiki" if lang == "id" else "Data to correct") in text)
    # sanctions as domain 6.4-6.5 state them: the services listed in full, no "antara lain"
    assert "0,1%" in text if lang == "id" else "0.1%" in text
    assert ("Izin Mendirikan Bangunan" if lang == "id" else "building permits") in text
    assert "antara lain" not in text and "pidana" not in text and "criminal" not in text
    assert "ini.Dengan" not in text and "below.We" not in text and "memperkerjakan" not in text   # issue 18
    # Pasal 19 only where contributions of registered workers are concerned: the duty to collect
    # and pay (issue 18), with no criminal article
    contributions = any(c["violation"] for fam, c in report["by_family"].items() if fam in ("PDS-UPAH", "PDS-PROGRAM"))
    assert contributions == ("Pasal 19 ayat (1) dan ayat (2)" in text or "Article 19(1) and (2)" in text)
    assert ("memungut" in text or "collect" in text) == contributions and "Pasal 55" not in text
    # the basis first, no software version in the body (only in the enclosure's footer)
    body = text.split("Lampiran Surat" if lang == "id" else "Enclosure to letter")[0]
    assert "86/2013" in body.split("Teguran Tertulis" if lang == "id" else "Written Warning")[1][:400] \
        or "86 Tahun 2013" in body or "86/2013" in body
    assert report["ruleset_version"] not in body


def test_maju_bersama_letter_counts_vendor_and_amounts(tmp_path):
    report = report_of(SAMPLES / "pt-maju-bersama-juni-2025.xlsx", "en")
    issue(report, tmp_path, office(), letters.Settings(lang="en", date=DATE, full_nik=True))
    text = flat(pdf_text(tmp_path / "letter.pdf"))
    # the client's own: Budi (Rizky started on 2 June: not yet a violation); Joko is the vendor's,
    # listed apart and not in the total
    assert "1 (one) workers are not registered with BPJS Ketenagakerjaan by PT Maju Bersama Sejahtera" in text
    assert "Rp 306.590 a month" in text
    # the legal basis of the finding types present only: no foreigner or outsourcing citation here
    # (the outsourcing basis is stated once, in the paragraph on the vendor's workers)
    assert "PP 44/2015 Pasal 5" not in text and text.count("UU 13/2003 Pasal 66 ayat (2) jo. UU 6/2023") == 1
    assert "PT Garda Nusantara: 1 (one) workers (Joko Susilo), estimated contributions Rp 296.700 a month" in text
    assert "not part of this warning" in text
    assert "The wages of 1 (one) workers were reported below" in text
    assert "by 28 July 2025 (10 (ten) working days" in text
    assert report["totals"]["monthly_shortfall_idr"] == 919_440 - 296_700 - 17_850
    assert report["totals"]["vendor_shortfall_idr"] == 296_700
    joko = next(f for f in report["findings"] if f["name"] == "Joko Susilo")
    assert joko["nik"] not in text            # the vendor's worker is not in the client's appendix
    budi = next(f for f in report["findings"] if f["responsible"]["party"] == "employer"
                and f["severity"] == "violation")
    assert budi["nik"] in text                                                 # --full-nik


def test_the_appendix_holds_the_addressees_findings_and_adds_up_to_the_total():
    """Issue 18: the appendix listed the vendor's worker too (Rp 1.272.465 against Rp 975.765)."""
    report = report_of(SAMPLES / "pt-maju-bersama-juni-2025.xlsx")
    context = letters.build_context(report, office(), letters.Settings(date=DATE), "001/X", "warning", RULES)
    rows = context["appendix"]
    assert rows and all(r["responsible"]["party"] == "employer" for r in rows)
    assert sum(r["monthly_shortfall_idr"] for r in rows if r["severity"] == "violation") == \
        report["totals"]["monthly_shortfall_idr"] == 604_890


def test_compliant_company_gets_no_warning_letter(tmp_path):
    report = report_of(SAMPLES / "pt-rafflesia-digital-juni-2025.xlsx")
    issued = issue(report, tmp_path, office(), letters.Settings(date=DATE))
    assert issued.number is None and "compliant" in issued.skipped
    assert not (tmp_path / "letter.pdf").exists()


def test_hostile_company_name_is_text(tmp_path):
    hostile = "<script>alert(1)</script> {{ 7*7 }} {% raw %}"
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [HEADER, worker(1, **{"No KPJ": ""})]})
    report = report_of(path, name=hostile, npp="17000001", address="<b>Jl. Mawar</b>",
                       period=__import__("compliance.model", fromlist=["Period"]).Period(2025, 6))
    out = tmp_path / "out"
    issue(report, out, office(), letters.Settings(date=DATE))
    html = (out / "letter.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Jl. Mawar&lt;/b&gt;" in html
    text = flat(pdf_text(out / "letter.pdf"))
    assert "<script>alert(1)</script> {{ 7*7 }} {% raw %}" in text             # shown as text, not run


def test_a_missing_field_fails_loudly(tmp_path):
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [HEADER, worker(1, **{"No KPJ": ""})]})
    from compliance.model import Period

    report = report_of(path, name="PT Tanpa Alamat", npp="17000002", period=Period(2025, 6))
    with pytest.raises(letters.LetterError, match="company's address"):
        issue(report, tmp_path / "o", office(), letters.Settings(date=DATE))
    assert not (tmp_path / "o" / "letter.pdf").exists()
    context = letters.build_context(report_of(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv"), office(),
                                    letters.Settings(date=DATE), "1/X", "warning", RULES)
    del context["office"]["signer_name"]
    with pytest.raises(letters.LetterError, match="signer_name"):
        letters.render_html(context, "id")


def test_templates_run_in_a_sandbox():
    from jinja2.exceptions import SecurityError

    env = letters.environment(templates_dir())
    with pytest.raises(SecurityError):
        env.from_string("{{ x.__class__.__mro__[1].__subclasses__() }}").render(x=1)
    with pytest.raises(SecurityError):
        env.from_string("{% set _ = d.update(a=1) %}").render(d={})


def test_numbers_reuse_reissue_and_the_second_warning(tmp_path):
    from compliance.register import Register

    report = report_of(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv")
    branch = office()
    reg = Register.open(tmp_path / "register.sqlite")
    reg.record_check(report, "check", DATE)
    first = issue(report, tmp_path, branch, letters.Settings(date=DATE))
    again = issue(report, tmp_path, branch, letters.Settings(date=dt.date(2025, 8, 1)))
    assert again.number == first.number and again.reused                   # same company and period
    new = issue(report, tmp_path, branch, letters.Settings(date=DATE, reissue=True))
    assert new.number == "002/PDS/BKL/VII/2025"
    reg.record_check(report, "check", dt.date(2025, 8, 4))                 # a re-check, still not compliant
    second = issue(report, tmp_path, branch, letters.Settings(date=dt.date(2025, 8, 4), stage=2))
    assert second.number == "003/PDS/BKL/VIII/2025"
    text = flat(pdf_text(tmp_path / "letter.pdf"))
    assert "Teguran Tertulis Kedua" in text and "Nomor 002/PDS/BKL/VII/2025 tanggal 14 Juli 2025" in text
    history = reg.history("17030456")
    assert [(x["number"], x["status"]) for x in history["letters"]] == [
        (first.number, "superseded"), (new.number, "issued"), (second.number, "issued")]
    assert all(len(x["sha256_pdf"]) == 64 for x in history["letters"])


def test_second_warning_needs_the_first(tmp_path):
    report = report_of(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv")
    from compliance.register import RegisterError

    with pytest.raises(RegisterError, match="no first warning"):
        issue(report, tmp_path, office(), letters.Settings(date=DATE, stage=2))


@pytest.mark.parametrize("pattern,style,expected", [
    ("{seq:03d}/PDS/{office}/{month}/{year}", "roman", "007/PDS/BKL/XI/2025"),
    ("B-{seq}/{office}/{month}/{year}", "arabic", "B-7/BKL/11/2025"),
])
def test_number_pattern(pattern, style, expected):
    branch = letters.office_from_dict({**office().to_dict(), "pattern": pattern, "month_style": style})
    assert letters.letter_number(branch, 7, dt.date(2025, 11, 3), 1) == expected


@pytest.mark.parametrize("pattern", ["{office}/{year}", "{seq}/{seq.__class__}", "{seq}/{npp}"])
def test_bad_number_patterns_are_refused(pattern):
    with pytest.raises(letters.LetterError, match="number pattern"):
        letters.office_from_dict({**office().to_dict(), "pattern": pattern})


def test_pdf_loads_nothing_from_outside_templates():
    with pytest.raises(ValueError, match="blocked"):
        letters.allowed_resource("http://example.com/x.png", templates_dir())
    with pytest.raises(ValueError, match="blocked"):
        letters.allowed_resource("file:///etc/passwd", templates_dir())
    inside = (templates_dir() / "letter.css").resolve().as_uri()
    assert letters.allowed_resource(inside, templates_dir()) == inside
    html = '<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname"><p>ok</p>'
    assert letters.render_pdf(html).startswith(b"%PDF")                    # rendered, nothing fetched


def test_cli_check_letter_and_letter_from_an_edited_report(tmp_path):
    out = tmp_path / "hasil"
    command = ["check", str(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv"), "--engine", "pandas", "--out", str(out),
               "--letter", "--letter-date", "2025-07-14"]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 2 and "isian contoh" in result.output     # no real signer yet
    result = CliRunner().invoke(main, command + ["--signer-name", "Budi Hartono, S.E."])
    assert result.exit_code == 2 and "telepon" in result.output         # nor a real telephone (issue 18)
    result = CliRunner().invoke(main, command + ["--signer-name", "Budi Hartono, S.E.", "--office-phone", "(0736) 123456"])
    assert result.exit_code == 1, result.output
    assert "surat 001/PDS/BKL/VII/2025 diterbitkan" in result.output
    saved = json.loads((out / "report.json").read_text())
    assert saved["office"]["name"] == "BPJS Ketenagakerjaan Kantor Cabang Bengkulu"
    saved["office"]["name"] = "BPJS Ketenagakerjaan Kantor Cabang Curup"
    (out / "report.json").write_text(json.dumps(saved))
    result = CliRunner().invoke(main, ["letter", str(out / "report.json"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "already issued, rendered again" in result.output
    text = flat(pdf_text(out / "letter.pdf"))
    assert "Kantor Cabang Curup" in text and "001/PDS/BKL/VII/2025" in text and "First Written Warning" in text


def test_a_draft_may_keep_the_placeholder_and_says_draft(tmp_path):
    report = report_of(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv")
    issue(report, tmp_path, letters.load_office(), letters.Settings(date=DATE, draft=True))
    pages = PdfReader(tmp_path / "letter.pdf").pages
    assert all("DRAF" in page.extract_text() and "DRAFT" not in page.extract_text() for page in pages)
    english = report_of(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv", "en")
    issue(english, tmp_path / "en", letters.load_office(), letters.Settings(lang="en", date=DATE, draft=True,
                                                                             reissue=True))
    assert all("DRAFT" in page.extract_text() for page in PdfReader(tmp_path / "en" / "letter.pdf").pages)


def test_deadlines_skip_indonesian_holidays_and_cuti_bersama(tmp_path):
    # 28 March 2025: cuti bersama Nyepi; 31 March-1 April: Idul Fitri; 2-7 April: cuti bersama
    assert letters.add_working_days(dt.date(2025, 3, 27), 1) == dt.date(2025, 4, 8)
    assert letters.add_working_days(dt.date(2025, 7, 14), 10) == dt.date(2025, 7, 28)
    report = report_of(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv")
    with pytest.raises(letters.LetterError, match="at most 10 working days"):
        issue(report, tmp_path, office(deadline_working_days=14), letters.Settings(date=DATE))
    with pytest.raises(letters.LetterError, match="at most 10 working days"):
        issue(report, tmp_path, office(), letters.Settings(date=DATE, deadline_days=11))
    assert not (tmp_path / "letter.pdf").exists()
    with pytest.raises(letters.LetterError, match="copies_to must be a list"):
        letters.office_from_dict({**office().to_dict(), "copies_to": "Disnaker"})


def test_a_client_whose_only_problem_is_its_vendor_gets_no_warning(tmp_path):
    report = report_of(SAMPLES / "cv-mitra-jasa-juni-2025.xlsx")
    assert report["compliant"] and report["totals"]["vendor_violations"] >= 1
    issued = issue(report, tmp_path, office(), letters.Settings(date=DATE))
    assert issued.number is None
    issue(report, tmp_path, office(), letters.Settings(date=DATE, all_letters=True))
    text = flat(pdf_text(tmp_path / "letter.pdf"))
    assert "Konfirmasi" in text and "Teguran" not in text
    vendor = next(f["responsible"]["name"] for f in report["findings"] if f["responsible"]["party"] == "vendor")
    assert vendor in text and "bukan pada Saudara" in text


def test_cli_letter_errors_exit_2(tmp_path):
    bad = tmp_path / "report.json"
    bad.write_text('{"hello": 1}')
    result = CliRunner().invoke(main, ["letter", str(bad)])
    assert result.exit_code == 2 and "bukan laporan pemeriksaan (tidak ada: company," in result.output
    result = CliRunner().invoke(main, ["letter", str(bad), "--lang", "en"])
    assert result.exit_code == 2 and "not a check report (missing: company," in result.output
    result = CliRunner().invoke(main, ["check", str(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv"), "--letter"])
    assert result.exit_code == 2 and "--out" in result.output


def test_appendix_header_repeats_on_every_page(tmp_path):
    from compliance.model import Period

    rows = [HEADER] + [worker(i, **{"No KPJ": ""}) for i in range(1, 81)]
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": rows})
    report = report_of(path, name="PT Banyak Pekerja", npp="17000003", address="Jl. Panjang", period=Period(2025, 6))
    issue(report, tmp_path / "o", office(), letters.Settings(date=DATE))
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(tmp_path / "o" / "letter.pdf").pages]
    table_pages = [p for p in pages if re.search(r"\*{12}\d{4}", p)]
    assert len(table_pages) >= 2
    assert all("Baris Nama NIK Status Temuan" in p for p in table_pages)
    assert all("Nomor 001/PDS/BKL/VII/2025" in p for p in pages)


def test_a_damaged_register_is_a_one_line_error(tmp_path):
    (tmp_path / "register.sqlite").write_text("not a database\n")
    report = report_of(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv")
    from compliance.errors import UnusableInput

    with pytest.raises(UnusableInput, match=r"register.sqlite: the register cannot be opened"):
        issue(report, tmp_path, office(), letters.Settings(date=DATE))


def test_a_letter_dated_before_its_period_has_ended_is_refused(tmp_path):
    """Issue 18: a June letter dated 30 June judges a month that has not ended."""
    report = report_of(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv")
    with pytest.raises(letters.LetterError) as refused:
        issue(report, tmp_path, office(), letters.Settings(date=dt.date(2025, 6, 30)))
    assert refused.value.code == "letter-before-period-end"
    assert "setelah periodenya berakhir (2025-06-30)" in refused.value.words("id", RULES.texts)
    assert issue(report, tmp_path, office(), letters.Settings(date=dt.date(2025, 7, 1))).number
