"""`compliance validate` output: the JSON contract (docs/schemas/validate.schema.json) and text.
Every word comes from the rule set's texts (rules/texts.yaml: `validate:`, notices, issues)."""
from __future__ import annotations

from compliance.model import Payroll, plain
from compliance.outputs.report import IGNORED_LISTED, IGNORED_RANGES, dumps, issue_records, notice_records
from compliance.texts import bundled, source_words, term

SCHEMA_VERSION = 1
TEXT_RANGES = 40         # the text output's line of ignored rows stays a line


def unmapped_words(u: dict, lang: str, texts: dict | None = None) -> str:
    """A header not used, with why: "Tunjangan Transport (tebakan terbaik: Tunjangan tetap, 0.33)"."""
    V = (texts or bundled())[lang]["validate"]
    if u.get("second_for"):
        return V["second_for"].format(header=u["header"], field=term(f"field:{u['second_for']}", lang, texts))
    if u.get("not_for"):
        return V["not_for"].format(header=u["header"], field=term(f"field:{u['not_for']}", lang, texts),
                                   reason=term(f"unused:{u['reason']}", lang, texts))
    if u.get("guess"):
        return V["guess"].format(header=u["header"], field=term(f"field:{u['guess']}", lang, texts),
                                 score=f"{u['score']:.2f}")
    return str(u["header"])


def to_dict(payroll: Payroll, lang: str = "id", texts: dict | None = None) -> dict:
    company = payroll.company.to_dict()
    return {
        "schema_version": SCHEMA_VERSION,
        "source": payroll.source.to_dict(),
        "columns": dict(payroll.columns),
        "unmapped_columns": [unmapped_words(u, lang, texts) for u in payroll.unmapped_columns],
        "unmapped": [dict(u) for u in payroll.unmapped_columns],
        "rows_usable": payroll.rows_usable,
        "rows_with_issues": payroll.rows_with_issues,
        "ignored_rows": [{"row": r["row"], "reason": r["reason"], "text": plain(r["text"])}
                         for r in payroll.ignored_rows.first(IGNORED_LISTED)],
        "ignored_row_ranges": payroll.ignored_rows.ranges(IGNORED_RANGES),
        "assumptions": [n["message"] for n in notice_records(payroll.assumptions, lang, texts)],
        "notes": [n["message"] for n in notice_records(payroll.notes, lang, texts)],
        "notices": notice_records(payroll.assumptions + payroll.notes, lang, texts),
        "needs": list(payroll.needs),
        "company": company,
        "data_issues": issue_records(payroll.issues, payroll.source.sheet, lang, texts),
    }


def to_json(payroll: Payroll, lang: str = "id", texts: dict | None = None) -> str:
    return dumps(to_dict(payroll, lang, texts))


def to_text(payroll: Payroll, lang: str = "id", limit: int | None = None, texts: dict | None = None) -> str:
    T = (texts or bundled())[lang]
    V = T["validate"]
    d = to_dict(payroll, lang, texts)
    src = d["source"]
    where = (V["sheet"].format(sheet=src["sheet"]) if src["sheet"] else
             V["csv"].format(encoding=src.get("encoding"), delimiter=repr(src.get("delimiter"))))
    lines = [f"{src['path']}: {where}, " + V["header_row"].format(row=src["header_row"]), V["columns"]]
    # the field's label, and its name for --map in brackets
    named = {k: f"{term(f'field:{k}', lang, texts)} [{k}]" for k in d["columns"]}
    width = max((len(v) for v in named.values()), default=0)
    for canonical, header in d["columns"].items():
        lines.append(f"  {named[canonical]:<{width}}  <- {header!r}")
    if d["unmapped_columns"]:
        lines.append(V["not_used"] + " " + ", ".join(repr(u) for u in d["unmapped_columns"]))
    company = {k: v for k, v in d["company"].items() if v and k not in ("sources", "unread")}
    if company:
        lines.append(V["company"] + " " + ", ".join(
            f"{term('company:' + k, lang, texts)}={_value(k, v, lang, texts)} "
            f"({source_words(d['company']['sources'].get(k), lang, texts)})"
            for k, v in company.items()))
    for a in d["assumptions"]:
        lines.append(f"{V['assumed']}: {a}")
    for n in d["notes"]:
        lines.append(f"{V['note']}: {n}")
    lines.append(V["rows"].format(read=src["rows_read"], usable=d["rows_usable"], issues=d["rows_with_issues"],
                                  ignored=len(payroll.ignored_rows)))
    if len(payroll.ignored_rows):
        by_reason: dict[str, list[dict]] = {}
        for r in payroll.ignored_rows.ranges(TEXT_RANGES):
            by_reason.setdefault(r["reason"], []).append(r)
        lines.append(V["ignored"] + " " + "; ".join(
            V["ignored_reason"].format(reason=term("ignored:" + reason, lang, texts), rows=ranges(runs))
            for reason, runs in by_reason.items()))
    issues = d["data_issues"]
    if issues:
        lines.append(V["issues"].format(n=len(issues)))
        shown = issues if limit is None else issues[:limit]
        for i in shown:
            at = f"{V['row']} {i['row']}" if i["row"] is not None else V["file"]
            header = d["columns"].get(i["column"]) if i["column"] else None
            column = repr(header) if header else term(f"field:{i['column']}", lang, texts) if i["column"] else ""
            lines.append(f"  {at:>9}  {column[:18]:<18} {term(i['severity'], lang, texts):<10} {i['message']}")
        if limit is not None and len(issues) > limit:
            lines.append(V["more"].format(n=len(issues) - limit))
    else:
        lines.append(V["no_issues"])
    return "\n".join(lines)


def ranges(runs: list[dict]) -> str:
    """Ranges of rows (IgnoredRows.ranges) as text: 3-7, 9, 12-14; a range that joins runs says
    how many of its rows it holds: 20-9000 (4500)."""
    return ", ".join(str(r["from"]) if r["from"] == r["to"] else
                     f"{r['from']}-{r['to']}" + ("" if r["count"] == r["to"] - r["from"] + 1 else f" ({r['count']})")
                     for r in runs)


def _value(field: str, value, lang: str, texts: dict) -> str:
    """A company value as the user reads it: a size or a risk class in words."""
    prefix = {"size": "size:", "jkk_risk": "risk:"}.get(field)
    return term(prefix + str(value), lang, texts).lower() if prefix else str(value)
