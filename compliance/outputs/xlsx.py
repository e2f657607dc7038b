"""findings.xlsx, the file an officer opens first: a summary sheet (Ringkasan), the findings
and the data issues, with frozen headers, filters, rupiah formats, NIK and KPJ as text and
sensible widths. Written with XlsxWriter in constant-memory mode; every string is written as a
string (never a formula, URL or number) and formula-like text is neutralised."""
from __future__ import annotations

import io
from pathlib import Path

from compliance.outputs.files import neutralise, write_atomic
from compliance.outputs.report import rupiah

# column kinds of the findings and data-issue rows (see outputs.check.finding_rows)
FINDING_KINDS = ["text", "int", "wide", "text", "text", "text", "text", "text", "money", "wide", "wide", "text",
                 "text"]
ISSUE_KINDS = ["text", "int", "text", "text", "text", "wide"]
# widest a column grows (longer text is cut by the next cell, or wraps in a "wide" column)
CAPS = {"text": 40, "int": 14, "money": 22, "wide": 70, "date": 14}
MIN_WIDTH = 8
MONEY, DATE = '"Rp" #,##0', "dd/mm/yyyy"
KIND_FORMAT = {"money": "money", "date": "date", "wide": "wrap"}


def findings_xlsx(d: dict, finding_rows: list[list], texts: dict, families: dict, lang: str) -> bytes:
    """findings.xlsx as bytes (an audit worker returns its files to the parent, which writes them).
    `texts` are the rule set's texts in the report's language (rules/texts.yaml)."""
    T = texts["xlsx"]
    terms = texts.get("terms") or {}

    def w(code) -> str:
        return terms.get(code, code) if code else ""

    buf, wb, fmt = workbook()
    _summary(wb.add_worksheet(T["summary_sheet"]), d, texts, families, fmt, lang)
    headers = d["columns"] if "columns" in d else {}
    # the user's words: a rule's title (not its id), severities, worker types and parties as terms
    worded = [[r[0], r[1], d["rules"][r[2]]["title"][lang] if r[2] in d["rules"] else r[2], r[3], w(r[4]), r[5],
               r[6], w(f"type:{r[7]}" if r[7] else None), *r[8:11], w(f"party:{r[11]}"), r[12]]
              for r in finding_rows]
    issues = [[i["sheet"], i["row"], headers.get(i["column"]) or w(f"field:{i['column']}" if i["column"] else None),
               _cell(i["value"]), w(i["severity"]), i["message"]] for i in d["data_issues"]]
    table(wb.add_worksheet(T["findings_sheet"]), T["findings_header"], worded, FINDING_KINDS, fmt)
    table(wb.add_worksheet(T["issues_sheet"]), T["issues_header"], issues, ISSUE_KINDS, fmt)
    wb.close()
    return buf.getvalue()


def workbook():
    """(buffer, workbook, formats): constant memory, every string a string (never a formula, URL
    or number)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    fmt = {
        "bold": wb.add_format({"bold": True}),
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "header": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                 "valign": "top"}),
        "money": wb.add_format({"num_format": MONEY}),
        "date": wb.add_format({"num_format": DATE, "align": "left"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "bad": wb.add_format({"bold": True, "font_color": "#C00000"}),
        "good": wb.add_format({"bold": True, "font_color": "#007A33"}),
    }
    return buf, wb, fmt


def _summary(ws, d: dict, texts: dict, families: dict, fmt: dict, lang: str) -> None:
    T = texts["xlsx"]
    R = T["summary_rows"]
    t, c = d["totals"], d["company"]
    terms = texts.get("terms", {})
    ws.write_string(0, 0, T["summary_title"], fmt["title"])
    rows = [
        (R["company"], c["name"], "text"), (R["npp"], c["npp"], "text"), (R["period"], d["period"], "text"),
        (R["source"], d["source"]["path"], "text"), (R["ruleset"], d["ruleset_version"], "text"),
        (R["size"], terms.get(f"size:{c['size']}", c["size"]), "text"),
        (R["jkk_risk"], terms.get(f"risk:{c['jkk_risk']}", c["jkk_risk"]), "text"),
        (R["workers"], t["workers"], "int"), (R["participants"], t["participants"], "int"),
        (R["coverage"], t["coverage_pct"], "int"), (R["unregistered"], t["unregistered"], "int"),
        (R["violations"], t["violations"], "int"), (R["shortfall"], t["monthly_shortfall_idr"], "money"),
        (R["rows_with_issues"], t["rows_with_issues"], "int"),
    ]
    fam_rows = [(families[code]["title"][lang], d["by_family"][code]) for code in families if code in d["by_family"]]
    labels = [label for label, _, _ in rows] + [R["status"], texts["summary"]["not_checked"].capitalize()]
    ws.set_column(0, 0, fit(labels + [title for title, _ in fam_rows], "wide", T["family_header"][0], bold=True))
    ws.set_column(1, 1, fit([shown(v, k) for _, v, k in rows if k != "text"] + [texts["summary"]["not_compliant"]],
                            "money", T["family_header"][1], bold=True))
    for col in range(2, 5):
        ws.set_column(col, col, fit([rupiah(n["shortfall_idr"]) for _, n in fam_rows] if col == 4 else [],
                                    "money", T["family_header"][col]))
    r = pairs(ws, 2, rows, fmt)
    ws.write_string(r, 0, R["status"], fmt["bold"])
    status = "compliant" if d["compliant"] else "not_compliant"
    ws.write_string(r, 1, texts["summary"][status], fmt["good" if d["compliant"] else "bad"])
    if not d["compliant"] and t["violations"] == 0:
        ws.write_string(r, 2, texts["summary"]["unchecked_verdict"].format(n=t["rows_with_issues"]))
    r += 1
    if t.get("shortfall_unknown"):
        ws.write_string(r, 1, texts["summary"]["shortfall_unknown"].format(n=t["shortfall_unknown"]))
        r += 1
    for u in d.get("unchecked", []):     # what could not be checked, and why (issue 18)
        ws.write_string(r, 0, texts["summary"]["not_checked"].capitalize(), fmt["bold"])
        ws.write_string(r, 1, u["message"])
        r += 1
    r += 1
    ws.set_row(r, 30)
    for col, label in enumerate(T["family_header"]):
        ws.write_string(r, col, label, fmt["header"])
    r += 1
    for title, counts in fam_rows:
        ws.write_string(r, 0, title)
        for col, key in enumerate(("violation", "warning", "info"), start=1):
            ws.write_number(r, col, counts[key])
        ws.write_number(r, 4, counts["shortfall_idr"], fmt["money"])
        r += 1


def table(ws, header: list[str], rows: list[list], kinds: list[str], fmt: dict) -> None:
    """A sheet of rows under a bold, wrapped, frozen header with filters. Each column is as wide as
    its header (on two lines) and its longest value as shown (up to a cap; longer text wraps)."""
    kinds = list(kinds)
    for col, kind in enumerate(kinds):
        values = widest([row[col] for row in rows], kind)
        if kind == "text" and max(map(len, values), default=0) > CAPS["text"]:
            kinds[col] = kind = "wide"                # long text wraps rather than being cut
        ws.set_column(col, col, fit(values, kind, header[col]), fmt.get(KIND_FORMAT.get(kind)))
    ws.set_row(0, 30)
    for col, label in enumerate(header):
        ws.write_string(0, col, label, fmt["header"])
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            _write(ws, r, col, value, fmt.get(KIND_FORMAT.get(kinds[col])))


def pairs(ws, first_row: int, rows: list[tuple], fmt: dict) -> int:
    """Label and value rows (column A bold labels, column B values in their kind's format: money
    in rupiah, dates as dates); returns the next free row. Column A fits the labels."""
    r = first_row
    for label, value, kind in rows:
        ws.write_string(r, 0, label, fmt["bold"])
        _write(ws, r, 1, value, fmt.get(KIND_FORMAT.get(kind)))
        r += 1
    return r


def fit(values: list[str], kind: str = "text", header: str | None = None, bold: bool = False) -> float:
    """A column's width in characters: its longest value as shown, its header on at most two lines
    (the header row wraps), bounded by the kind's cap (longer text is cut or wraps)."""
    need = max((len(v) for v in values), default=0) * (1.1 if bold else 1)
    if header:
        words = max(len(w) for w in header.split()) if header.split() else 0
        need = max(need, 1.1 * max(words, -(-len(header) // 2)))
    return round(min(CAPS[kind], max(MIN_WIDTH, need + 2)), 1)


def widest(column: list, kind: str) -> list[str]:
    """The texts of a column as shown, numbers by their largest and smallest alone (the longest
    shown), so that sizing 100,000 rows stays cheap."""
    if kind == "date":
        return [shown(v, kind) for v in column]
    strings = [v for v in column if type(v) is str]
    numbers = [v for v in column if type(v) in (int, float) and v == v]
    others = [shown(v, kind) for v in column if v is not None and type(v) not in (str, int, float)]
    return ([max(strings, key=len)] if strings else []) + others + \
        ([shown(max(numbers), kind), shown(min(numbers), kind)] if numbers else [])


def shown(value, kind: str = "text") -> str:
    """A value as a cell shows it (money in rupiah, dates dd/mm/yyyy), to size its column."""
    import datetime as dt

    if isinstance(value, str) and kind != "date":     # most cells: as they are
        return value
    if value is None or value != value:
        return ""
    if isinstance(value, (dt.date, dt.datetime)) or (kind == "date" and _date(value) is not None):
        return "00/00/0000"
    if kind == "money" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return rupiah(value)
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _date(value):
    """An ISO date (a string from the register or a summary) as a date, else None."""
    import datetime as dt

    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if isinstance(value, str) and len(value) >= 10 else None
    except ValueError:
        return None


def _write(ws, r: int, c: int, value, cell_format=None) -> None:
    """Numbers as numbers, dates as dates, everything else (NIK and KPJ included) as text, never a
    formula."""
    import datetime as dt

    if value is None or value != value:      # unknown (None, NaN): left empty
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, cell_format)
    elif cell_format is not None and cell_format.num_format == DATE and _date(value) is not None:
        day = _date(value)
        ws.write_datetime(r, c, dt.datetime(day.year, day.month, day.day), cell_format)
    else:
        ws.write_string(r, c, neutralise(str(value)), cell_format)


def _cell(v):
    return v if isinstance(v, (int, float, str)) or v is None else str(v)


def write_table(path: Path, sheet: str, header: list[str], rows: list[list]) -> None:
    """One plain sheet: a bold frozen header with filters, then the rows (strings never formulas)."""
    buf, wb, fmt = workbook()
    table(wb.add_worksheet(sheet), header, rows, ["text"] * len(header), fmt)
    wb.close()
    write_atomic(path, buf.getvalue())
