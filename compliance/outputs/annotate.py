"""The employer's own workbook, annotated: every cell with a data issue or a finding filled and
commented (what is wrong, what to do), and a first sheet `Hasil Pemeriksaan` with the summary
and a link to each marked cell. Their sheets, layout and values are untouched; formulas stay
formulas and nothing is recalculated (openpyxl never computes). A CSV (or .xls/.ods, which
openpyxl cannot open) becomes an xlsx of its cells as read, every cell text, with the same marks."""
from __future__ import annotations

import io
from collections import defaultdict

from compliance.model import Payroll, RuleSet

FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "violation": "F8CBAD", "info": "DDEBF7"}
RANK = {"error": 0, "violation": 1, "warning": 2, "info": 3}
SUMMARY = {"id": "Hasil Pemeriksaan", "en": "Check Results"}


def annotate(data: bytes, payroll: Payroll, d: dict, rule_set: RuleSet, lang: str = "id", grid=None) -> bytes:
    """`d` is the report as the contract (compliance.outputs.report.to_dict). `grid`: the payroll
    sheet's cells as read (compliance.pipeline.sheet_grid), for a file that is not an xlsx."""
    import openpyxl

    T = rule_set.texts[lang]["annotate"]
    kind = payroll.source.file_type
    if kind in ("xlsx", "xlsm"):
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False, keep_vba=False, keep_links=False,
                                    rich_text=True)
        ws = wb[payroll.source.sheet] if payroll.source.sheet in wb.sheetnames else wb.worksheets[0]
    else:
        wb, ws = _from_grid(grid, payroll)
    marks = _marks(payroll, d, rule_set, lang, T)
    _mark(ws, marks, T)
    _summary(wb, ws, marks, payroll, d, T, lang)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _from_grid(grid, payroll: Payroll):
    """An xlsx of a text file's cells (every cell a string, never a formula)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = (payroll.source.sheet or "Data")[:31]
    for r, row in enumerate(grid.itertuples(index=False), start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value != value or value == "":
                continue
            cell = ws.cell(row=r, column=c, value=str(value))
            cell.data_type = "s"
    return wb, ws


def _marks(payroll: Payroll, d: dict, rule_set: RuleSet, lang: str, T: dict) -> dict:
    """(row, column) -> [(severity, text)], for every issue and finding that has a row."""
    cols = payroll.column_index
    fallback = cols.get("name", cols.get("nik", 0))
    marks: dict = defaultdict(list)
    for i in d["data_issues"]:
        if i["row"] is None:
            continue
        marks[(i["row"], cols.get(i["column"], fallback))].append(
            (i["severity"], f"{T['issue']}: {i['message']}"))
    rules = {r.id: r for r in rule_set.rules}
    for f in d["findings"]:
        rule = rules.get(f["rule_id"])
        col = next((cols[c] for c in (rule.cells if rule else ()) if c in cols), fallback)
        todo = rule.todo.get(lang) if rule and rule.todo else None
        who = f["responsible"]
        text = f"{d['rules'][f['rule_id']]['title'][lang]}: {f['message']}"
        if who["party"] == "vendor":
            text += f" ({T['vendor_duty'].format(vendor=who.get('name') or '-')})"
        if todo:
            text += f"\n{T['todo']}: {todo}"
        marks[(f["row"], col)].append((f["severity"], text))
    return marks


def _mark(ws, marks: dict, T: dict) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    for (row, col), items in marks.items():
        items.sort(key=lambda i: RANK.get(i[0], 9))
        cell = ws.cell(row=row, column=col + 1)
        colour = FILLS.get(items[0][0], FILLS["info"])
        cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
        text = "\n\n".join(t for _, t in items)[:30000]
        comment = Comment(text, T["author"])
        comment.width, comment.height = 420, min(600, 60 + 18 * (text.count("\n") + len(text) // 60))
        cell.comment = comment


def _summary(wb, ws, marks: dict, payroll: Payroll, d: dict, T: dict, lang: str) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    from compliance.outputs.xlsx import MONEY, fit, shown

    title = SUMMARY[lang]
    while title in wb.sheetnames:
        title += " (2)" if len(title) < 28 else ""
    out = wb.create_sheet(title[:31], 0)
    wb.active = 0
    for sheet in wb.worksheets[1:]:
        sheet.sheet_view.tabSelected = False
    t, c = d["totals"], d["company"]
    bold = Font(bold=True)
    out["A1"] = T["title"]
    out["A1"].font = Font(bold=True, size=14)
    rows = [(T["company"], c.get("name")), ("NPP", c.get("npp")), (T["period"], d["period"]),
            (T["file"], d["source"]["path"]), (T["workers"], t["workers"]), (T["participants"], t["participants"]),
            (T["violations"], t["violations"]), (T["shortfall"], t["monthly_shortfall_idr"]),
            (T["rows_with_issues"], t["rows_with_issues"]),
            (T["verdict"], T["compliant"] if d["compliant"] else T["not_compliant"])]
    for r, (label, value) in enumerate(rows, start=3):
        out.cell(row=r, column=1, value=label).font = bold
        cell = out.cell(row=r, column=2, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        if label == T["shortfall"]:
            cell.number_format = MONEY
    r = len(rows) + 4
    for col, head in enumerate((T["cell"], T["row"], T["kind"], T["what"]), start=1):
        h = out.cell(row=r, column=col, value=head)
        h.font = bold
        h.fill = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
    out.freeze_panes = out.cell(row=r + 1, column=1)
    sheet_ref = "'" + ws.title.replace("'", "''") + "'"
    for (row, col), items in sorted(marks.items()):
        r += 1
        where = f"{get_column_letter(col + 1)}{row}"
        link = out.cell(row=r, column=1, value=where)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{sheet_ref}!{where}")
        link.font = Font(color="0563C1", underline="single")
        out.cell(row=r, column=2, value=row)
        out.cell(row=r, column=3, value=", ".join(sorted({T["kinds"][s] for s, _ in items})))
        what = out.cell(row=r, column=4, value=" | ".join(t.split("\n")[0] for _, t in items)[:32000])
        what.data_type = "s"
    # widths that fit: the labels (bold) and the cell references in A, the values and row numbers
    # in B (names and paths run on into the empty cells on their right), the kinds in C
    kinds = [", ".join(sorted({T["kinds"][s] for s, _ in items})) for items in marks.values()]
    widths = (fit([label for label, _ in rows] + [T["cell"]], "wide", bold=True),
              fit([shown(v, "money" if label == T["shortfall"] else "int") for label, v in rows
                   if not isinstance(v, str)] + [T["row"], T["not_compliant"], str(max([r for r, _ in marks] or [0]))],
                  "money", bold=True),
              fit(kinds + [T["kind"]], bold=True), 120)
    for i, w in enumerate(widths, start=1):
        out.column_dimensions[get_column_letter(i)].width = w
