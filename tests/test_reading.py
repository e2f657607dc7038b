"""Opening files: formats, encodings, delimiters, header detection, sheet choice, refusals."""
import zipfile

import pytest

from compliance.errors import Term, UnusableInput
from compliance.ingest.files import read_file, read_workbook_openpyxl
from tests.conftest import HEADER, RULES, SAMPLES, read_payroll, worker, write_csv, write_xlsx


def rows_ok(payroll, n):
    assert payroll.source.rows_read == n
    assert payroll.rows_usable + payroll.rows_with_issues == n


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    rows = [["DAFTAR GAJI PT CONTOH BULAN JUNI 2025"], [], HEADER]
    rows += [worker(i, Nama=f"Andr\u00e9 {i}") for i in range(1, 4)]
    if delimiter == ",":   # money with thousands commas would split: quote like Excel does
        rows = [[f'"{v}"' if isinstance(v, str) and "," in v else v for v in r] for r in rows]
    path = write_csv(tmp_path / "gaji.csv", rows, delimiter, encoding)
    p = read_payroll(path, engine="pandas")
    rows_ok(p, 3)
    assert p.source.header_row == 3
    assert p.source.delimiter == delimiter
    assert p.table["name"].tolist() == ["Andr\u00e9 1", "Andr\u00e9 2", "Andr\u00e9 3"]
    assert p.table.index.tolist() == [4, 5, 6]          # CSV line numbers
    assert p.company.period is not None and str(p.company.period) == "2025-06"


def test_xlsx_and_xlsm(tmp_path):
    for ext in ("xlsx", "xlsm"):
        path = write_xlsx(tmp_path / f"gaji.{ext}", {"Gaji": [HEADER] + [worker(i) for i in range(1, 6)]})
        p = read_payroll(path, engine="pandas")
        rows_ok(p, 5)
        assert p.table.index.tolist() == [2, 3, 4, 5, 6]
        assert p.table["base_wage"].eq(4_000_000).all()


def test_fast_reader_sees_the_same_cells_as_openpyxl():
    for path in SAMPLES.glob("*.xlsx"):
        fast, ref = read_file(path), read_workbook_openpyxl(path)
        assert [s.name for s in fast.sheets] == [s.name for s in ref.sheets]
        for a, b in zip(fast.sheets, ref.sheets):
            for r in range(min(len(a.grid), len(b.grid))):
                left = ["" if v is None else v for v in a.grid.iloc[r].tolist()]
                right = ["" if v is None else v for v in b.grid.iloc[r].tolist()]
                width = max(len(left), len(right))
                left += [""] * (width - len(left))
                right += [""] * (width - len(right))
                for x, y in zip(left, right):
                    if hasattr(y, "date") and hasattr(x, "year"):
                        assert (x.year, x.month, x.day) == (y.year, y.month, y.day)
                    else:
                        assert x == y, (path.name, a.name, r + 1)


def test_formulas_are_never_evaluated(tmp_path):
    """A formula cell yields its cached value (none when never calculated), not a computation."""
    rows = [HEADER, worker(1, **{"Gaji Pokok": "=1+1"}), worker(2)]
    path = write_xlsx(tmp_path / "f.xlsx", {"Gaji": rows})
    p = read_payroll(path, engine="pandas")
    rows_ok(p, 2)
    assert p.table["base_wage"].isna().iloc[0]       # openpyxl saved no cached value
    assert p.table["base_wage"].iloc[1] == 4_000_000


def test_header_below_titles_with_merged_group_header(tmp_path):
    top = ["No", "NIK KTP", "Nama Karyawan", "Komponen Upah", None, "No KPJ"]
    sub = [None, None, None, "Gaji Pokok", "Tunjangan Tetap", None]
    data = [[1, "1771011203850001", "Ani", 4_000_000, 500_000, "17000000001"]]
    path = write_xlsx(tmp_path / "m.xlsx", {"Gaji": [["DAFTAR GAJI KARYAWAN PT X"], ["BULAN JUNI 2025"], [],
                                                     top, sub] + data})
    p = read_payroll(path, engine="pandas")
    assert p.source.header_row == 5
    assert p.columns == {"nik": "NIK KTP", "name": "Nama Karyawan", "base_wage": "Gaji Pokok",
                         "fixed_allowance": "Tunjangan Tetap", "kpj": "No KPJ"}
    assert p.table.index.tolist() == [6]
    assert p.table.loc[6, "fixed_allowance"] == 500_000


def test_english_headers(tmp_path):
    rows = [["Employee ID", "National ID", "Full Name", "Employment Type", "Join Date", "Basic Salary",
             "BPJS Wage"], ["E-1", "1771011203850001", "Ani", "Permanent", "2020-02-01", 5_000_000, 5_000_000]]
    p = read_payroll(write_xlsx(tmp_path / "en.xlsx", {"Sheet1": rows}), engine="pandas")
    assert set(p.columns) == {"employee_id", "nik", "name", "employment_type", "start_date", "base_wage",
                              "reported_wage"}
    assert p.table.loc[2, "employment_type"] == "permanent"


def test_nik_header_holding_employee_numbers_is_decided_from_values(tmp_path):
    rows = [["NIK", "No. KTP", "Nama"], ["K-001", "1771011203850001", "Ani"], ["K-002", "1771011203850002", "Budi"]]
    p = read_payroll(write_xlsx(tmp_path / "k.xlsx", {"Gaji": rows}), engine="pandas")
    assert p.columns["nik"] == "No. KTP" and p.columns["employee_id"] == "NIK"
    assert p.table["nik"].tolist() == ["1771011203850001", "1771011203850002"]
    assert [n["code"] for n in p.notes] == ["employee-numbers"] and p.notes[0]["data"]["header"] == "NIK"


def test_nik_header_holding_national_ids(tmp_path):
    rows = [["NIK", "Nama"], [1771011203850001, "Ani"]]
    p = read_payroll(write_xlsx(tmp_path / "n.xlsx", {"Gaji": rows}), engine="pandas")
    assert p.columns["nik"] == "NIK"
    assert p.table["nik"].tolist() == ["1771011203850001"]


def test_a_file_keyed_only_by_employee_numbers_is_read(tmp_path):
    """Issue 20: no NIK column is no refusal when each worker can be identified otherwise."""
    rows = [["NIK", "Nama"], ["K-001", "Ani"], ["K-002", "Budi"]]
    p = read_payroll(write_xlsx(tmp_path / "e.xlsx", {"Gaji": rows}), engine="pandas")
    assert p.columns == {"employee_id": "NIK", "name": "Nama"} and p.table["employee_id"].tolist() == ["K-001", "K-002"]
    assert {"code": "workers-identified-by", "data": {"by": [Term("identity:employee_id")]}} in p.assumptions
    assert p.issues.empty and p.source.rows_read == 2


def test_without_a_nik_the_same_kpj_twice_is_located(tmp_path):
    rows = [["No KPJ", "Nama"], ["17000000001", "Ani"], ["17000000002", "Budi"], ["17000000001", "Ani W."]]
    p = read_payroll(write_xlsx(tmp_path / "d.xlsx", {"Gaji": rows}), engine="pandas")
    assert p.issues[["row", "column", "code", "detail"]].values.tolist() == [[2, "kpj", "duplicate-id", "2"],
                                                                             [4, "kpj", "duplicate-id", "2"]]


def test_a_file_keyed_by_name_and_birth_date_is_read_and_a_worker_without_either_is_located(tmp_path):
    rows = [["Nama Karyawan", "Tanggal Lahir", "Gaji Pokok"], ["Ani", "12/03/1990", 4_000_000],
            ["Budi", None, 4_000_000], ["Citra", "01/02/1991", 4_000_000]]
    p = read_payroll(write_xlsx(tmp_path / "nb.xlsx", {"Gaji": rows}), engine="pandas")
    assert set(p.columns) == {"name", "birth_date", "base_wage"} and p.source.rows_read == 3
    assert {"code": "workers-identified-by", "data": {"by": [Term("identity:birth_date")]}} in p.assumptions
    assert p.issues[["row", "column", "code", "severity"]].values.tolist() == [[3, "nik", "identity-missing", "warning"]]


def test_no_column_to_identify_workers_by_is_refused(tmp_path):
    rows = [["Nama", "Gaji Pokok"], ["Ani", 1]]
    with pytest.raises(UnusableInput, match="no NIK column, and no other column to identify") as e:
        read_payroll(write_xlsx(tmp_path / "e.xlsx", {"Gaji": rows}), engine="pandas")
    assert e.value.needs == ["column:nik", "column:kpj", "column:employee_id", "column:birth_date"]


def test_missing_required_column_is_refused(tmp_path):
    rows = [["NIK KTP", "Gaji Pokok", "Status"], ["1771011203850001", 1, "Tetap"]]
    with pytest.raises(UnusableInput, match="no Name column"):
        read_payroll(write_xlsx(tmp_path / "x.xlsx", {"Gaji": rows}), engine="pandas")


def test_payroll_sheet_is_picked_after_a_summary_sheet_and_sheet_option_overrides(tmp_path):
    sheets = {"Ringkasan": [["REKAP"], ["Divisi", "Jumlah"], ["A", 3]],
              "Perusahaan": [["Nama Perusahaan", "PT Contoh"], ["Skala Usaha", "Kecil"], ["Periode", "2025-06"]],
              "Juni": [HEADER] + [worker(i) for i in range(1, 4)],
              "Mei": [HEADER] + [worker(i) for i in range(1, 3)]}
    path = write_xlsx(tmp_path / "multi.xlsx", sheets)
    p = read_payroll(path, engine="pandas")
    assert p.source.sheet == "Juni" and p.source.rows_read == 3
    assert p.company.name == "PT Contoh" and p.company.size == "small" and str(p.company.period) == "2025-06"
    assert read_payroll(path, sheet="mei", engine="pandas").source.rows_read == 2
    with pytest.raises(UnusableInput, match="no sheet named 'Juli'"):
        read_payroll(path, sheet="Juli", engine="pandas")


def test_options_win_over_company_sheet(tmp_path):
    from compliance.model import Company, Period

    sheets = {"Company": [["Company Name", "PT A"], ["Period", "Mei 2025"], ["Size", "Small"]],
              "Gaji": [HEADER, worker(1)]}
    p = read_payroll(write_xlsx(tmp_path / "o.xlsx", sheets),
                     options=Company(period=Period(2025, 6), size="large"), engine="pandas")
    assert str(p.company.period) == "2025-06" and p.company.size == "large" and p.company.name == "PT A"
    assert p.company.sources["period"] == "option"


@pytest.mark.parametrize("name,content,expected", [
    ("empty.xlsx", b"", "empty"),
    ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "PNG image"),
    ("gaji.xlsx", b"NIK,Nama\n1771011203850001,Ani\n", "CSV/text file"),
    ("doc.pdf", b"%PDF-1.4\n", "PDF document"),
    ("broken.xlsx", b"PK\x03\x04garbage", "damaged"),
    ("export.xls", b"<html><table><tr><td>NIK</td></tr></table></html>", "HTML page"),
    ("secret.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptionInfo".encode("utf-16-le"),
     "password-protected"),
])
def test_unusable_files_get_one_line_saying_what_they_seem_to_be(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnusableInput) as err:
        read_payroll(path, engine="pandas")
    message = str(err.value)
    assert expected in message and "\n" not in message
    assert "accepted" in message or "password" in message


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(UnusableInput, match="a ZIP archive"):
        read_payroll(path, engine="pandas")


def test_inputs_are_not_modified(tmp_path):
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [HEADER, worker(1)]})
    before = path.read_bytes(), path.stat().st_mtime_ns
    read_payroll(path, engine="pandas")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_a_company_value_that_is_not_understood_is_said(tmp_path):
    sheets = {"Perusahaan": [["Skala Usaha", "Sedang-Besar"], ["Periode", "2025-06"]], "Gaji": [HEADER, worker(1)]}
    p = read_payroll(write_xlsx(tmp_path / "c.xlsx", sheets), engine="pandas")
    assert p.company.size is None
    [note] = p.notes
    assert note["code"] == "company-value-not-understood" and note["data"]["value"] == "Sedang-Besar"
    from compliance.texts import notice_words

    assert "'Sedang-Besar'" in notice_words(note, "id", RULES.texts) and "skala usaha" in notice_words(note, "id", RULES.texts)


def test_a_lone_nik_column_with_some_national_ids_is_the_nik(tmp_path):
    rows = [["NIK", "Nama"], ["1771011203850001", "Ani"], ["12345", "Budi"], ["K-1", "Citra"]]
    p = read_payroll(write_xlsx(tmp_path / "n.xlsx", {"Gaji": rows}), engine="pandas")
    assert p.columns["nik"] == "NIK"
    assert p.issues[["row", "code"]].values.tolist() == [[3, "nik-length"], [4, "nik-length"]]


def test_a_payroll_with_a_header_and_no_rows_is_refused_not_called_compliant(tmp_path):
    """Nothing was checked: that is no verdict (exit 2 for validate and check alike)."""
    path = write_xlsx(tmp_path / "e.xlsx", {"Gaji": [["NIK", "Nama", "Gaji Pokok"], [], [None, "JUMLAH", 0]]})
    with pytest.raises(UnusableInput, match=r"e.xlsx: no worker rows under the header \(row 1\) of sheet 'Gaji'"):
        read_payroll(path, engine="gx")
    from click.testing import CliRunner

    from compliance.cli import main

    for command in (["validate", str(path)], ["check", str(path), "--period", "2025-06"]):
        result = CliRunner().invoke(main, command + ["--engine", "pandas"])
        assert result.exit_code == 2 and "tidak ada baris pekerja" in result.output, command


def test_an_impossible_date_is_a_data_issue_of_its_cell_not_the_files_end(tmp_path):
    import datetime as dt

    rows = [HEADER + ["Tgl Lahir"], worker(1) + ["2999-01-01"], worker(2) + [dt.datetime(2999, 1, 1)],
            worker(3) + ["0001-01-01"], worker(4) + ["12/03/1990"]]
    for path in (write_xlsx(tmp_path / "d.xlsx", {"Gaji": rows}), write_csv(tmp_path / "d.csv", rows)):
        p = read_payroll(path, engine="pandas")
        codes = p.issues[p.issues["column"] == "birth_date"][["row", "code"]].values.tolist()
        assert codes == [[2, "date-out-of-range"], [3, "date-out-of-range"], [4, "date-out-of-range"]], path
        assert p.rows_usable == 1 and p.source.rows_read == 4


def test_a_zip_bomb_is_refused_before_any_reader_inflates_it(tmp_path):
    """A 64 MB sheet of zeros compressed to a few tens of KB: refused from the archive's declared
    sizes, with one line, exit 2 (a reader inflating it is what crashed the process)."""
    import zipfile

    good = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [HEADER, worker(1)]})
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[:-len(b"</worksheet>")] + b" " * (64 * 1024 * 1024) + b"</worksheet>"
            dst.writestr(item.filename, data)
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(UnusableInput, match=r"bomb.xlsx: an archive whose member "
                                            r"'xl/worksheets/sheet1.xml' would inflate .* refused unread"):
        read_payroll(bomb, engine="pandas")
    from click.testing import CliRunner

    from compliance.cli import main

    result = CliRunner().invoke(main, ["validate", str(bomb)])
    assert result.exit_code == 2 and "zip bomb" in result.output and "Traceback" not in result.output
    assert read_payroll(good, engine="pandas").source.rows_read == 1      # an honest workbook still reads


def test_excel_unicode_text_and_overrides_and_standard_input(tmp_path):
    """Excel's "Unicode Text" export is UTF-16 with a BOM and tabs: read, not refused as binary."""
    import subprocess
    import sys

    rows = [HEADER, worker(1), worker(2, Nama="Ma’ruf Hasan")]
    text = "\r\n".join("\t".join("" if v is None else str(v) for v in r) for r in rows) + "\r\n"
    path = tmp_path / "unicode-text.txt"
    path.write_bytes(text.encode("utf-16"))          # with its BOM
    p = read_payroll(path, engine="pandas")
    assert (p.source.encoding, p.source.delimiter, p.source.rows_read) == ("utf-16", "\t", 2)
    assert p.table["name"].tolist() == ["Pekerja 1", "Ma’ruf Hasan"]
    # overrides: a pipe file in cp1252 whose sniffing would be ambiguous
    odd = tmp_path / "odd.csv"
    odd.write_bytes("\r\n".join("|".join(str(v) for v in r) for r in rows).encode("cp1252"))
    p = read_payroll(odd, engine="pandas", encoding="cp1252", delimiter="|")
    assert p.table["name"].tolist()[1] == "Ma’ruf Hasan"
    with pytest.raises(UnusableInput, match="cannot be read as utf-16"):
        read_payroll(odd, engine="pandas", encoding="utf-16")
    # `-`: standard input, its type from its bytes
    for data in (path.read_bytes(), (SAMPLES / "pt-maju-bersama-juni-2025.xlsx").read_bytes()):
        proc = subprocess.run([sys.executable, "-m", "compliance", "validate", "-", "--engine", "pandas",
                               "--period", "06/2025"], input=data, capture_output=True, cwd=tmp_path)
        assert proc.returncode in (0, 1) and proc.stdout.startswith(b"-: "), proc.stderr


def test_options_accept_what_users_type(tmp_path):
    from click.testing import CliRunner

    from compliance.cli import main

    sample = str(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv")
    for period in ("2025-07", "07/2025", "Juli 2025", "JULI 2025"):
        result = CliRunner().invoke(main, ["check", sample, "--engine", "pandas", "--period", period,
                                           "--company-size", "Menengah", "--jkk-risk", "Sangat Tinggi"])
        assert "periode 2025-07" in result.output and "skala menengah, risiko JKK sangat tinggi" in result.output
    result = CliRunner().invoke(main, ["check", sample, "--period", "pekan depan", "--lang", "en"])
    assert result.exit_code == 2 and "accepted: 2025-06, 06/2025, Juni 2025" in result.output


def test_the_size_limits_refuse_with_one_line(tmp_path, monkeypatch):
    from compliance.ingest import files

    path = write_csv(tmp_path / "g.csv", [HEADER] + [worker(i) for i in range(1, 50)])
    monkeypatch.setattr(files, "MAX_TEXT_BYTES", 1000)
    with pytest.raises(UnusableInput, match=r"g.csv: a text file of .* is more than the"):
        read_payroll(path, engine="pandas")
    book = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [HEADER] + [worker(i) for i in range(1, 50)]})
    monkeypatch.setattr(files, "READ_LIMIT", 20_000)
    with pytest.raises(UnusableInput, match=r"g.xlsx: sheet 'Gaji' has 50 rows x 9 columns: reading it would take "
                                            r"about 1 MB, more than the 0 MB a file may use; split it"):
        read_payroll(book, engine="pandas")


# -- the header row, weighed (issue 20) -----------------------------------------------------------

def test_a_worker_holding_header_words_is_never_taken_for_the_header(tmp_path):
    """'WNI' and 'Outsourcing' are header words, but a row of 16-digit numbers and amounts is data:
    the worker is never lost to the header with exit 0."""
    rows = [["No", "Nomor Kartu Keluarga", "Nama", "Asal", "Penyalur", "Gaji"],
            [1, "1771011203850001", "Budi", "WNI", "Outsourcing", 5_000_000],
            [2, "1771011203850002", "Ani", "WNI", "PT A", 5_000_000]]
    path = write_xlsx(tmp_path / "w.xlsx", {"Gaji": rows})
    with pytest.raises(UnusableInput) as e:             # the header is found, the ID column is not
        read_payroll(path, engine="pandas")
    assert e.value.code == "no-identity-column" and "Nomor Kartu Keluarga" in e.value.data["headers"]
    p = read_payroll(path, engine="pandas", columns_map={"nik": "Nomor Kartu Keluarga"})
    assert p.source.header_row == 1 and p.table["name"].tolist() == ["Budi", "Ani"]


def test_a_two_row_header_is_read_as_one_and_every_row_above_is_listed(tmp_path):
    rows = [["DAFTAR GAJI JUNI 2025"], [],
            ["No", "NIK", "Nama", "Tunjangan", None, "BPJS Ketenagakerjaan", None, None, None],
            [None, None, None, "Tetap", "Tidak Tetap", "JHT", "JKK", "JKM", "JP"],
            [1, "1771011203850001", "Ani", 500_000, 200_000, "Ya", "Ya", "Ya", "Tidak"],
            [2, "1771011203850002", "Budi", 500_000, 200_000, "Ya", "Ya", "Ya", "Ya"]]
    p = read_payroll(write_xlsx(tmp_path / "two.xlsx", {"Gaji": rows}), engine="pandas")
    assert p.source.header_row == 4 and p.table.index.tolist() == [5, 6]     # the second row is no worker
    assert p.columns["fixed_allowance"] == "Tunjangan Tetap"                 # the group's words and the cell's
    assert {"jht", "jkk", "jkm", "jp"} <= set(p.columns)
    assert {"header": "Tunjangan Tidak Tetap"} in p.unmapped_columns         # "tidak" turns the words around
    assert p.table["jp"].tolist() == [False, True]
    reasons = {r["row"]: r["reason"] for r in p.ignored_rows}
    assert reasons == {1: "title", 2: "blank", 3: "header-group"}
    # every row is accounted for: rows read + ignored rows + the header row
    assert p.source.rows_read + len(p.ignored_rows) + 1 == len(rows)


def test_a_row_of_data_above_the_header_is_listed_with_its_reason(tmp_path):
    rows = [["DAFTAR GAJI"], [1, "1771011203850009", "Dodi", 4_000_000], ["No", "NIK", "Nama", "Gaji Pokok"],
            [1, "1771011203850001", "Ani", 4_000_000]]
    p = read_payroll(write_xlsx(tmp_path / "a.xlsx", {"Gaji": rows}), engine="pandas")
    assert p.source.header_row == 3
    assert [(r["row"], r["reason"]) for r in p.ignored_rows] == [(1, "title"), (2, "above-header")]


def test_no_header_row_offers_the_likely_headers_to_map(tmp_path):
    """Issue 20: a NIK and a name headed in unexpected words are a choice on the page or --map,
    not a dead end."""
    rows = [["DAFTAR GAJI"], ["Identitas", "Pekerja", "Take Home"], ["1771011203850001", "Ani", 4_000_000]]
    path = write_xlsx(tmp_path / "x.xlsx", {"Gaji": rows})
    with pytest.raises(UnusableInput) as e:
        read_payroll(path, engine="pandas")
    assert e.value.code == "no-header-row" and e.value.data["headers"] == ["Identitas", "Pekerja", "Take Home"]
    assert e.value.needs == ["column:nik", "column:name"]
    p = read_payroll(path, engine="pandas", columns_map={"nik": "Identitas", "name": "Pekerja"})
    assert p.table["nik"].tolist() == ["1771011203850001"] and p.source.header_row == 2
