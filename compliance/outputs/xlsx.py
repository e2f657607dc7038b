"""findings.xlsx, the file an officer opens first: a summary sheet (Ringkasan), the findings
and the data issues, with frozen headers, filters, rupiah formats, NIK and KPJ as text and
sensible widths. Written with XlsxWriter in constant-memory mode; every string is written as a
string (never a formula, URL or number) and formula-like text is neutralised."""
from __future__ import annotations

import io
from pathlib import Path

from compliance.outputs.files import neutralise, write_atomic

# column kinds of the findings and data-issue rows (see outputs.check.finding_rows)
FINDING_KINDS = ["text", "int", "text", "text", "text", "text", "text", "text", "money", "wide", "wide", "text",
                 "text"]
ISSUE_KINDS = ["text", "int", "text", "text", "text", "wide"]
WIDTHS = {"text": 16, "int": 8, "money": 18, "wide": 70, "date": 12}


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
        "money": wb.add_format({"num_format": '"Rp" #,##0'}),
        "bad": wb.add_format({"bold": True, "font_color": "#C00000"}),
        "good": wb.add_format({"bold": True, "font_color": "#007A33"}),
    }
    return buf, wb, fmt


def _summary(ws, d: dict, texts: dict, families: dict, fmt: dict, lang: str) -> None:
    T = texts["xlsx"]
    R = T["summary_rows"]
    t, c = d["totals"], d["company"]
    ws.set_column(0, 0, 44)
    ws.set_column(1, 4, 18)
    ws.write_string(0, 0, T["summary_title"], fmt["title"])
    rows = [
        (R["company"], c["name"]), (R["npp"], c["npp"]), (R["period"], d["period"]),
        (R["source"], d["source"]["path"]), (R["ruleset"], d["ruleset_version"]),
        (R["size"], texts.get("terms", {}).get(f"size:{c['size']}", c["size"])),
        (R["jkk_risk"], texts.get("terms", {}).get(f"risk:{c['jkk_risk']}", c["jkk_risk"])), (R["workers"], t["workers"]), (R["participants"], t["participants"]),
        (R["coverage"], t["coverage_pct"]), (R["unregistered"], t["unregistered"]),
        (R["violations"], t["violations"]), (R["shortfall"], t["monthly_shortfall_idr"]),
        (R["rows_with_issues"], t["rows_with_issues"]),
    ]
    r = 2
    for label, value in rows:
        ws.write_string(r, 0, label, fmt["bold"])
        _write(ws, r, 1, value, fmt["money"] if label == R["shortfall"] else None)
        r += 1
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
    for col, label in enumerate(T["family_header"]):
        ws.write_string(r, col, label, fmt["header"])
    r += 1
    for code in families:
        counts = d["by_family"].get(code)
        if counts is None:
            continue
        ws.write_string(r, 0, families[code]["title"][lang])
        for col, key in enumerate(("violation", "warning", "info"), start=1):
            ws.write_number(r, col, counts[key])
        ws.write_number(r, 4, counts["shortfall_idr"], fmt["money"])
        r += 1


def table(ws, header: list[str], rows: list[list], kinds: list[str], fmt: dict) -> None:
    for col, kind in enumerate(kinds):
        ws.set_column(col, col, WIDTHS[kind], fmt["money"] if kind == "money" else None)
    ws.set_row(0, 30)
    for col, label in enumerate(header):
        ws.write_string(0, col, label, fmt["header"])
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            _write(ws, r, col, value, fmt["money"] if kinds[col] == "money" else None)


def _write(ws, r: int, c: int, value, cell_format=None) -> None:
    """Numbers as numbers, everything else (NIK and KPJ included) as text, never a formula."""
    if value is None or value != value:      # unknown (None, NaN): left empty
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, cell_format)
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
