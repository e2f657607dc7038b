"""A payroll workbook that prevents the common errors (`compliance template`): a `Perusahaan`
sheet with dropdowns (size, JKK risk class, regency), the payroll sheet with NIK and KPJ stored as
text and checked for 16 and 11 digits, dropdowns for worker type and programs, date and rupiah
formats, an example row (CONTOH, which the reader skips) and a note on each header. Headers and
choices are words the reader knows (rules/columns.yaml, rules/employment_types.yaml), so a template
filled in by hand reads with no assumption."""
from __future__ import annotations

import io

from compliance.model import RuleSet
from compliance.outputs.xlsx import DATE, MONEY, fit

# (header, field, kind, note key); the kind chooses the format and the check
COLUMNS = [
    ("No", None, "int", "no"), ("NIK KTP", "nik", "nik", "nik"), ("Nama", "name", "text", "name"),
    ("Status", "employment_type", "type", "type"), ("Tgl Masuk", "start_date", "date", "start"),
    ("Tgl Keluar", "end_date", "date", "end"), ("Tgl Lahir", "birth_date", "date", "birth"),
    ("Gaji Pokok", "base_wage", "money", "base"), ("Tunjangan Tetap", "fixed_allowance", "money", "allowance"),
    ("Upah Dilaporkan", "reported_wage", "money", "reported"), ("No KPJ", "kpj", "kpj", "kpj"),
    ("JKK", "jkk", "yesno", "program"), ("JKM", "jkm", "yesno", "program"), ("JHT", "jht", "yesno", "program"),
    ("JP", "jp", "yesno", "program"), ("JKP", "jkp", "yesno", "program"),
    ("Kewarganegaraan", "nationality", "citizen", "citizen"), ("Perusahaan Alih Daya", "vendor", "text", "vendor"),
]
SIZES = ["Mikro", "Kecil", "Menengah", "Besar"]
RISKS = ["Sangat Rendah", "Rendah", "Sedang", "Tinggi", "Sangat Tinggi"]
ROWS = 500          # rows prepared with formats and checks
# what a column of each kind holds at its widest, to size it (a name: 30 characters)
WIDEST = {"nik": "1771011203850001", "kpj": "17023456781", "date": "00/00/0000", "money": "Rp 99.999.999",
          "text": "x" * 28, "type": "Harian Lepas", "yesno": "Tidak", "citizen": "WNI", "int": "CONTOH"}


def regencies(rule_set: RuleSet) -> list[str]:
    """Regencies and cities with a UMK in the parameter files, as people write them."""
    names = {n.split(".", 2)[2] for n in rule_set.parameters.names() if n.startswith("umk.") and n.count(".") >= 2}
    return sorted(n.replace("-", " ").title() for n in names)


TYPES = ["Tetap", "Kontrak", "Harian Lepas", "Borongan", "Paruh Waktu", "Magang", "Outsourcing"]


def type_choices(rule_set: RuleSet) -> list[str]:
    """The worker types as HR staff write them; each must be a word the reader knows."""
    from compliance.model import normalize

    for word in TYPES:
        if normalize(word) not in rule_set.employment_types.aliases:
            raise AssertionError(f"template worker type {word!r} is not in employment_types.yaml")
    return TYPES


def template_xlsx(rule_set: RuleSet, lang: str = "id") -> bytes:
    import xlsxwriter

    T = rule_set.texts[lang]["template"]
    catalog = rule_set.columns
    for header, field, _, _ in COLUMNS:            # the headers must be what the reader understands
        if field is not None and field not in catalog.match(header):
            raise AssertionError(f"template header {header!r} does not read as {field}")
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": DATE})
    money = wb.add_format({"num_format": MONEY})
    example = wb.add_format({"italic": True, "font_color": "#7F7F7F", "num_format": "@"})
    example_date = wb.add_format({"italic": True, "font_color": "#7F7F7F", "num_format": DATE})
    example_money = wb.add_format({"italic": True, "font_color": "#7F7F7F", "num_format": MONEY})

    ws = wb.add_worksheet(T["payroll_sheet"])
    lists = wb.add_worksheet("Pilihan")            # the dropdowns' choices, hidden
    choices = {"type": type_choices(rule_set), "yesno": ["Ya", "Tidak"], "citizen": ["WNI", "WNA"],
               "size": SIZES, "risk": RISKS, "regency": regencies(rule_set)}
    refs = {}
    for c, (key, values) in enumerate(choices.items()):
        lists.write_column(0, c, values)
        lists.set_column(c, c, fit(values))
        col = xlsxwriter.utility.xl_col_to_name(c)
        refs[key] = f"=Pilihan!${col}$1:${col}${len(values)}"
    lists.hide()

    last = ROWS + 1
    for c, (header, field, kind, note) in enumerate(COLUMNS):
        ws.write_string(0, c, header, head)
        ws.write_comment(0, c, T["notes"][note], {"x_scale": 2.2, "y_scale": 1.6})
        fmt = {"nik": text, "kpj": text, "date": date, "money": money, "text": text, "type": text,
               "yesno": text, "citizen": text}.get(kind)
        ws.set_column(c, c, fit([WIDEST.get(kind, "")], "wide", header, bold=True), fmt)
        where = (2, c, last, c)                    # the rows under the example row
        if kind in ("nik", "kpj"):
            digits = 16 if kind == "nik" else 11
            ws.data_validation(*where, {"validate": "length", "criteria": "==", "value": digits,
                                        "error_title": header, "error_message": T["digits"].format(n=digits)})
        elif kind == "date":
            ws.data_validation(*where, {"validate": "date", "criteria": "between", "minimum": _day(1950),
                                        "maximum": _day(2100), "error_title": header, "error_message": T["date"]})
        elif kind == "money":
            ws.data_validation(*where, {"validate": "decimal", "criteria": ">=", "value": 0,
                                        "error_title": header, "error_message": T["money"]})
        elif kind in choices:
            ws.data_validation(*where, {"validate": "list", "source": refs[kind], "error_title": header,
                                        "error_message": T["choose"]})
    ws.freeze_panes(1, 2)
    ws.set_row(0, 30)
    # the example row: "CONTOH" in the No column, which the reader skips
    sample = {"No": "CONTOH", "NIK KTP": "1771011203850001", "Nama": "Ahmad Fauzi", "Status": choices["type"][0],
              "Tgl Masuk": _day(2018, 3, 15), "Tgl Lahir": _day(1985, 3, 12), "Gaji Pokok": 4_000_000,
              "Tunjangan Tetap": 500_000, "Upah Dilaporkan": 4_500_000, "No KPJ": "17023456781", "JKK": "Ya",
              "JKM": "Ya", "JHT": "Ya", "JP": "Ya", "JKP": "Ya", "Kewarganegaraan": "WNI"}
    for c, (header, _, kind, _) in enumerate(COLUMNS):
        value = sample.get(header)
        if value is None:
            continue
        if kind == "date":
            ws.write_datetime(1, c, value, example_date)
        elif kind == "money":
            ws.write_number(1, c, value, example_money)
        else:
            ws.write_string(1, c, str(value), example)

    comp = wb.add_worksheet("Perusahaan")
    rows = [("Nama Perusahaan", None, "company_name"), ("NPP", None, "npp"), ("Alamat", None, "address"),
            ("Skala Usaha", "size", "size"), ("Tingkat Risiko JKK", "risk", "risk"), ("Provinsi", None, "province"),
            ("Kabupaten/Kota", "regency", "regency"), ("Periode", None, "period")]
    comp.set_column(0, 0, fit([label for label, _, _ in rows], "wide", bold=True))
    comp.set_column(1, 1, 44, text)
    for r, (label, choice, note) in enumerate(rows):
        comp.write_string(r, 0, label, bold)
        comp.write_comment(r, 0, T["notes"][note], {"x_scale": 2.2, "y_scale": 1.4})
        if choice:
            comp.data_validation(r, 1, r, 1, {"validate": "list", "source": refs[choice], "error_title": label,
                                              "error_message": T["choose"]})
    comp.write_string(5, 1, "Bengkulu")
    comp.write_string(len(rows) + 1, 0, T["period_hint"])
    wb.close()
    return buf.getvalue()


def _day(year: int, month: int = 1, day: int = 1):
    import datetime as dt

    return dt.datetime(year, month, day)
