"""The employer's page and API: the framework's test client for the API (good, bad, hostile,
oversized), the annotated workbook and the template, and the page driven in headless Chromium
against a real `compliance serve`."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import ARTIFACTS, SAMPLES, read_payroll, start_server, worker, write_csv

MAJU = (SAMPLES / "pt-maju-bersama-juni-2025.xlsx").read_bytes()


def unknown_column_payroll(tmp: Path) -> Path:
    """A payroll whose base wage sits under a header nobody could guess ("Besaran A")."""
    rows = [["Periode: Juni 2025"], ["No", "NIK", "Nama", "Status", "Tgl Masuk", "Besaran A", "No KPJ", "Upah BPJS"]]
    for i in range(1, 6):
        w = worker(i)
        rows.append([w[0], w[1], w[2], w[3], w[4], "Rp 5.000.000", w[7], "4.500.000"])
    return write_csv(tmp / "gaji-besaran.csv", rows, ";")


# -- the API --------------------------------------------------------------------------------------
def test_api_returns_the_report_contract(client, validate_schema):
    r = client.post("/api/check", files={"file": ("gaji.xlsx", MAJU)}, data={"lang": "en"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    d = r.json()
    validate_schema(d, "check-report.schema.json")
    assert d["company"]["npp"] == "17010234" and d["totals"]["violations"] == 3
    assert d["findings"][0]["message"].isascii()                      # English, as asked


def test_api_fields_win_over_the_file(client):
    r = client.post("/api/check", files={"file": ("gaji.xlsx", MAJU)},
                    data={"company_size": "Kecil", "jkk_risk": "Tinggi", "npp": "17000001", "period": "07/2025"})
    d = r.json()
    assert (d["company"]["size"], d["company"]["jkk_risk"], d["company"]["npp"], d["period"]) == \
        ("small", "high", "17000001", "2025-07")


@pytest.mark.parametrize("name,data,status,code,words", [
    ("gaji.pdf", b"%PDF-1.4 not a payroll", 415, "not-a-payroll", "PDF"),
    ("gaji.xlsx", b"", 400, "file-empty", "kosong"),
    ("gaji.xlsx", b"PK\x03\x04 broken", 415, "not-a-payroll", "rusak"),
    ("gaji.csv", "Nama;Alamat\nA;B\n".encode(), 400, "no-header-row", "judul kolom"),
])
def test_api_bad_files_get_a_json_error(client, name, data, status, code, words):
    r = client.post("/api/check", files={"file": (name, data)})
    assert r.status_code == status
    assert r.json()["status"] == status and r.json()["code"] == code and words.lower() in r.json()["error"].lower()
    english = client.post("/api/check", files={"file": (name, data)}, data={"lang": "en"}).json()
    assert english["code"] == code and english["error"] != r.json()["error"]


def test_api_needs_the_period_when_the_file_has_none(client, tmp_path):
    path = write_csv(tmp_path / "g.csv", [["NIK", "Nama", "Gaji Pokok"], [worker(1)[1], "A", "4000000"]])
    r = client.post("/api/check", files={"file": ("g.csv", path.read_bytes())})
    assert r.status_code == 400 and r.json()["needs"] == ["period"]
    assert client.post("/api/check", files={"file": ("g.csv", path.read_bytes())},
                       data={"period": "Juni 2025"}).status_code == 200


def test_api_refuses_what_it_should(client, tmp_path):
    assert client.post("/api/check", data={"period": "2025-06"}).status_code == 400          # not multipart
    assert client.post("/api/check", files={"other": ("a.txt", b"x")}).status_code == 400     # no `file`
    big = b"0" * (1024 * 1024 + 200_000)
    r = client.post("/api/check", files={"file": ("big.csv", big)})
    assert r.status_code == 413 and r.json()["status"] == 413
    def streamed():                                       # no Content-Length: counted as it arrives
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        for _ in range(30):
            yield b"0" * 65536
        yield b"\r\n--b--\r\n"

    r = client.post("/api/check", content=streamed(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413 and r.json()["status"] == 413
    r = client.post("/api/check", files={"file": ("gaji.xlsx", MAJU)}, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    assert client.post("/api/check", files={"file": ("gaji.xlsx", MAJU)},
                       data={"company_size": "raksasa"}).status_code == 400


def test_hostile_uploads_are_read_as_data_and_never_written(client, tmp_path, monkeypatch):
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * 60_000_000 + b"</a>")
    r = client.post("/api/check", files={"file": ("../../bomb.xlsx", bomb.getvalue())})
    assert r.status_code in (400, 415) and r.json()["code"] == "zip-bomb"
    formula = write_csv(tmp_path / "f.csv", [["Periode: Juni 2025"], ["NIK", "Nama", "Gaji Pokok"],
                                             [worker(1)[1], "=HYPERLINK(\"http://x\")", "4000000"]])
    r = client.post("/api/check", files={"file": ("../../../etc/f.csv", formula.read_bytes())})
    assert r.status_code == 200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv"]        # nothing written anywhere near


def test_every_response_has_the_security_headers(client):
    for r in (client.get("/"), client.get("/static/app.js"), client.get("/static/nope"),
              client.post("/api/check", data={})):
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"] == "no-referrer"
    page = client.get("/").text
    assert "<script>" not in page and "style=" not in page and "http" not in page.replace("http-equiv", "")


def test_forms_need_the_pages_token(client):
    client.get("/")
    token = client.cookies.get("compliance_csrf")
    assert token and len(token) > 30
    r = client.post("/check", files={"file": ("gaji.xlsx", MAJU)})
    assert r.status_code == 403 and "kedaluwarsa" in r.text         # the page's own words, in Indonesian
    r = client.post("/check", files={"file": ("gaji.xlsx", MAJU)}, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403
    r = client.post("/check", files={"file": ("gaji.xlsx", MAJU)}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and 'id="verdict"' in r.text and "TIDAK PATUH" in r.text
    r = client.post("/download/findings.xlsx", files={"file": ("gaji.xlsx", MAJU)}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and openpyxl.load_workbook(io.BytesIO(r.content)).sheetnames[0] == "Ringkasan"


# -- the annotated workbook and the template -----------------------------------------------------
def test_annotate_keeps_their_workbook_and_marks_the_cells(tmp_path):
    wb = openpyxl.load_workbook(SAMPLES / "pt-maju-bersama-juni-2025.xlsx")
    ws = wb["Gaji Juni 2025"]
    ws["T1"] = "=SUM(H6:H9)"                      # a formula of their own
    src = tmp_path / "gaji.xlsx"
    wb.save(src)
    out = tmp_path / "diperiksa.xlsx"
    proc = subprocess.run([sys.executable, "-m", "compliance", "annotate", src, "--out", out], capture_output=True,
                          text=True)
    assert proc.returncode == 1, proc.stderr
    marked = openpyxl.load_workbook(out)
    assert marked.sheetnames == ["Hasil Pemeriksaan", "Ringkasan", "Perusahaan", "Gaji Juni 2025"]
    sheet = marked["Gaji Juni 2025"]
    assert sheet["T1"].value == "=SUM(H6:H9)"     # kept as a formula, never computed
    original = openpyxl.load_workbook(src)["Gaji Juni 2025"]
    assert all(sheet.cell(r, c).value == original.cell(r, c).value
               for r in range(1, original.max_row + 1) for c in range(1, original.max_column + 1))
    comments = {c.coordinate: c.comment.text for row in sheet.iter_rows() for c in row if c.comment}
    d = json.loads(subprocess.run([sys.executable, "-m", "compliance", "check", src, "--format", "json"],
                                  capture_output=True, text=True).stdout)
    assert len(comments) >= len({f["row"] for f in d["findings"]})
    assert any("Daftarkan pekerja ini" in t for t in comments.values())          # what to do
    summary = marked["Hasil Pemeriksaan"]
    links = [c.hyperlink.location for row in summary.iter_rows() for c in row if c.hyperlink]
    assert len(links) == len(comments) and all(link.startswith("'Gaji Juni 2025'!") for link in links)


def test_annotate_a_csv_gives_an_xlsx_with_text_cells(tmp_path):
    src = write_csv(tmp_path / "g.csv", [["Periode: Juni 2025"], ["NIK", "Nama", "Gaji Pokok", "No KPJ"],
                                         [worker(1)[1], "=1+1", "4000000", ""], ["123", "B", "4000000", ""]], ";")
    out = tmp_path / "g.xlsx"
    proc = subprocess.run([sys.executable, "-m", "compliance", "annotate", src, "--out", out, "--lang", "en"],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Check Results"
    data = wb.worksheets[1]
    assert data["B3"].value == "=1+1" and data["B3"].data_type == "s"          # text, not a formula
    assert data["A4"].comment is not None and "NIK" in data["A4"].comment.text  # the short NIK, marked
    assert data["D3"].comment is not None                                      # unregistered: the KPJ cell


def test_a_template_filled_in_by_hand_reads_with_no_assumption(tmp_path):
    import datetime as dt

    out = tmp_path / "t.xlsx"
    subprocess.run([sys.executable, "-m", "compliance", "template", "--out", out], check=True, capture_output=True)
    wb = openpyxl.load_workbook(out)
    ws = wb["Gaji"]
    assert ws["B2"].number_format == "@" and ws["A2"].value == "CONTOH"
    assert any(dv.type == "list" for dv in ws.data_validations.dataValidation)
    assert {dv.type for dv in ws.data_validations.dataValidation} >= {"list", "textLength", "date", "decimal"}
    assert all(ws.cell(1, c).comment for c in range(1, ws.max_column + 1))
    assert any(dv.type == "list" for dv in wb["Perusahaan"].data_validations.dataValidation)
    for r, (nik, name, kind) in enumerate([("1771011203850011", "Budi Santoso", "Kontrak"),
                                            ("1771015507900012", "Sari Dewi", "Tetap")], start=3):
        values = [str(r - 2), nik, name, kind, dt.datetime(2020, 1, 6), None, dt.datetime(1985, 3, 12), 4_000_000,
                  500_000, 4_500_000, "", "Tidak", "Tidak", "Tidak", "Tidak", "Tidak", "WNI"]
        for c, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(r, c, v)
    company = wb["Perusahaan"]
    for row in company.iter_rows(max_row=8):
        row[1].value = {"Nama Perusahaan": "PT Uji", "NPP": "17099001", "Alamat": "Jl. Uji 1",
                        "Skala Usaha": "Menengah", "Tingkat Risiko JKK": "Rendah",
                        "Kabupaten/Kota": "Kota Bengkulu", "Periode": "06/2025"}.get(row[0].value, row[1].value)
    wb.save(tmp_path / "filled.xlsx")
    p = read_payroll(tmp_path / "filled.xlsx")
    assert p.assumptions == [] and p.needs == [] and p.rows_with_issues == 0
    assert p.source.rows_read == 2 and [i["reason"] for i in p.ignored_rows] == ["example"]
    assert (p.company.size, p.company.jkk_risk, p.company.regency) == ("medium", "low", "Kota Bengkulu")


# -- the page in a real browser against a real server ----------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url, proc = start_server(tmp_path_factory.mktemp("serve") / "serve.log")
    yield url
    proc.terminate()
    proc.wait(10)


def test_the_page_in_headless_chromium(server, chromium, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    chromium.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    wait = WebDriverWait(chromium, 30)
    chromium.get(server)
    assert chromium.find_element(By.TAG_NAME, "h1").text == "Periksa Daftar Upah BPJS Ketenagakerjaan"
    payroll = unknown_column_payroll(tmp_path)
    chromium.find_element(By.ID, "file").send_keys(str(payroll))
    Select(chromium.find_element(By.ID, "company_size")).select_by_visible_text("Menengah")
    chromium.find_element(By.ID, "check-button").click()
    wait.until(EC.presence_of_element_located((By.ID, "verdict")))
    # the base wage's header was not understood: say which it is, and check again
    select = chromium.find_element(By.CSS_SELECTOR, 'select.map-select[data-header="Besaran A"]')
    Select(select).select_by_value("base_wage=Besaran A")
    chromium.find_element(By.ID, "apply-map").click()
    wait.until(EC.presence_of_element_located((By.ID, "family-PDS-UPAH")))
    upah = chromium.find_element(By.ID, "family-PDS-UPAH").text
    assert upah.startswith("PDS Upah (5)") and "Laporkan upah yang sebenarnya" in upah
    assert chromium.find_element(By.ID, "verdict").text == "TIDAK PATUH"
    chromium.save_screenshot(str(ARTIFACTS / "web-page.png"))
    chromium.find_element(By.ID, "download-annotated").click()
    target = downloads / "hasil-pemeriksaan.xlsx"
    for _ in range(100):
        if target.exists() and target.stat().st_size:
            break
        time.sleep(0.1)
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[0] == "Hasil Pemeriksaan"
    marks = [c for row in wb.worksheets[1].iter_rows() for c in row if c.comment]
    assert len(marks) >= 5 and any("Laporkan upah yang sebenarnya" in c.comment.text for c in marks)
    # English, by the switch
    chromium.find_element(By.ID, "lang-switch").click()
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Check a BPJS Ketenagakerjaan Payroll"))
