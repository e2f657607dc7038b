"""Every sheet the tool writes, read back with openpyxl as Excel would show it: each column is wide
enough for its labels and values (a label is never cut by the cell on its right), every amount is
in rupiah and every date a date (issue 21)."""
import datetime as dt
import io
import re

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from compliance.cli import main
from compliance.outputs.report import rupiah
from tests.conftest import SAMPLES

BRANCH = SAMPLES / "branch"
# a number under a header, or right of a label, that names an amount
AMOUNT = re.compile(r"kekurangan|shortfall|total upah|wage total|gaji pokok|tunjangan|upah dilaporkan|\(rp\)",
                    re.I)
DEFAULT_WIDTH = 8.43


def width(ws, col: int) -> float:
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max and dim.min <= col <= dim.max and dim.width:
            return dim.width
    return DEFAULT_WIDTH


def is_header(cell) -> bool:
    return isinstance(cell.value, str) and cell.font.b and cell.fill.fill_type == "solid"


def is_label(cell) -> bool:
    return cell.column == 1 and isinstance(cell.value, str) and cell.font.b and cell.fill.fill_type != "solid"


def shown(cell) -> str:
    v = cell.value
    if isinstance(v, (dt.date, dt.datetime)):
        return "00/00/0000"
    if isinstance(v, (int, float)) and "Rp" in cell.number_format:
        return rupiah(v)
    return str(v)


def problems(ws) -> list[str]:
    """What Excel would show wrongly: cut labels and values, amounts and dates without their format."""
    out = []
    headers: dict[int, str] = {}              # the nearest header above, by column
    rows = list(ws.iter_rows())
    for row in rows:
        label = row[0].value if row and is_label(row[0]) else None
        for i, cell in enumerate(row):
            v = cell.value
            if v is None or v == "":
                continue
            w = width(ws, cell.column)
            right = row[i + 1].value if i + 1 < len(row) else None
            where = f"{ws.title}!{cell.coordinate} {str(v)[:40]!r} (width {w})"
            if is_header(cell):
                headers[cell.column] = v
            if isinstance(v, str) and not v.startswith("="):
                # wrapped text breaks between words (and inside a word longer than the column, a path)
                need = min(60, max(map(len, v.split()), default=0)) if cell.alignment.wrap_text else len(v)
                if (cell.alignment.wrap_text or right not in (None, "")) and need * (1.1 if cell.font.b else 1) > w:
                    out.append(f"cut: {where}")
                continue
            if isinstance(v, (dt.date, dt.datetime)):
                if "yy" not in cell.number_format.lower():
                    out.append(f"date without a date format: {where} {cell.number_format!r}")
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                named = label if label is not None and cell.column == 2 else headers.get(cell.column)
                money = bool(named and AMOUNT.search(str(named)))
                if money != ("Rp" in cell.number_format):
                    out.append(f"{'amount without' if money else 'count with'} a rupiah format: {where} "
                               f"{cell.number_format!r} ({named})")
            if len(shown(cell)) > w:
                out.append(f"cut: {where} shows {shown(cell)!r}")
    return out


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in (0, 1), result.output
    return result


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("sheets")
    out = {}
    for lang in ("id", "en"):
        run("check", SAMPLES / "pt-maju-bersama-juni-2025.xlsx", "--engine", "pandas", "--lang", lang,
            "--out", tmp / f"check-{lang}", "--letter", "--draft", "--letter-date", "2025-07-14", "--register",
            tmp / f"cases-{lang}.sqlite")
        run("cases", "list", "--register", tmp / f"cases-{lang}.sqlite", "--as-of", "2025-07-15", "--format", "xlsx",
            "--out", tmp / f"cases-{lang}.xlsx", "--lang", lang)
        out[("cases.xlsx", lang)] = (tmp / f"cases-{lang}.xlsx", None)
        out[("findings.xlsx", lang)] = (tmp / f"check-{lang}" / "findings.xlsx", None)
        out[("annotated.xlsx", lang)] = (tmp / f"check-{lang}" / "annotated.xlsx", 1)
        run("audit", BRANCH / "kiriman", "--registry", BRANCH / "registry-cabang-bengkulu-juni-2025.csv",
            "--companies", BRANCH / "perusahaan.csv", "--licences", BRANCH / "izin-usaha.csv", "--out",
            tmp / f"audit-{lang}", "--no-letters", "--register", tmp / "r.sqlite", "--letter-date", "2025-07-14",
            "--lang", lang, "--jobs", "1", "--quiet")
        out[("summary.xlsx", lang)] = (tmp / f"audit-{lang}" / "summary.xlsx", None)
        run("template", "--out", tmp / f"template-{lang}.xlsx", "--lang", lang)
        out[("template", lang)] = (tmp / f"template-{lang}.xlsx", None)
    return out


@pytest.mark.parametrize("name", ["findings.xlsx", "annotated.xlsx", "summary.xlsx", "template", "cases.xlsx"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_sheet_fits_its_labels_with_rupiah_and_dates(workbooks, name, lang):
    path, ours = workbooks[(name, lang)]
    wb = load_workbook(io.BytesIO(path.read_bytes()))
    sheets = [ws for ws in wb.worksheets if ws.sheet_state == "visible"][:ours]
    found = [p for ws in sheets for p in problems(ws)]
    assert found == [], "\n".join(found)


def test_the_branch_summary_names_branch_period_and_date(workbooks):
    wb = load_workbook(workbooks[("summary.xlsx", "id")][0])
    ws = wb.worksheets[0]
    pairs = {r[0].value: r[1] for r in ws.iter_rows(min_row=3) if r[0].value}
    assert pairs["Kantor cabang"].value == "BPJS Ketenagakerjaan Kantor Cabang Bengkulu"
    assert pairs["Periode"].value == "2025-06"
    assert pairs["Tanggal audit"].value == dt.datetime(2025, 7, 14)
    assert pairs["Kekurangan iuran per bulan"].number_format == '"Rp" #,##0'
    assert pairs["Registri peserta"].value.endswith("registry-cabang-bengkulu-juni-2025.csv")


def test_the_checker_finds_a_cut_label_and_a_bare_amount():
    """The test above is real: a narrow column A and a shortfall in General format are found."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    ws = Workbook().active
    ws["A1"], ws["B1"] = "Perkiraan kekurangan iuran per bulan", 975765
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 10
    found = problems(ws)
    assert any(p.startswith("cut: ") for p in found) and any(p.startswith("amount without") for p in found)


def test_cases_list_says_each_deadline_once(workbooks, tmp_path):
    """`cases list` words an open case's deadline once, in the line under the case."""
    db = next(iter(workbooks.values()))[0].parent / "cases-id.sqlite"
    text = run("cases", "list", "--register", db, "--as-of", "2025-07-15").output
    assert text.count("2025-07-28") == 1 and "batas waktu 2025-07-28" in text, text


def test_cases_xlsx_dates_are_dates(workbooks):
    ws = load_workbook(workbooks[("cases.xlsx", "en")][0]).worksheets[0]
    header = [c.value for c in ws[1]]
    deadline = ws.cell(row=2, column=header.index("Deadline") + 1)
    assert deadline.value == dt.datetime(2025, 7, 28) and deadline.number_format == "dd/mm/yyyy"
