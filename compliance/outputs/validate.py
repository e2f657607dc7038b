"""`compliance validate` output: the JSON contract (docs/schemas/validate.schema.json) and text."""
from __future__ import annotations

from compliance.model import Payroll, plain
from compliance.outputs.report import dumps, issue_records

SCHEMA_VERSION = 1


def to_dict(payroll: Payroll, lang: str = "id") -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "source": payroll.source.to_dict(),
        "columns": dict(payroll.columns),
        "unmapped_columns": list(payroll.unmapped_columns),
        "rows_usable": payroll.rows_usable,
        "rows_with_issues": payroll.rows_with_issues,
        "ignored_rows": [{"row": int(r["row"]), "reason": r["reason"], "text": plain(r.get("text"))}
                         for r in payroll.ignored_rows],
        "assumptions": list(payroll.assumptions),
        "notes": list(payroll.notes),
        "needs": list(payroll.needs),
        "company": payroll.company.to_dict(),
        "data_issues": issue_records(payroll.issues, payroll.source.sheet, lang),
    }


def to_json(payroll: Payroll, lang: str = "id") -> str:
    return dumps(to_dict(payroll, lang))


def to_text(payroll: Payroll, lang: str = "id", limit: int | None = None) -> str:
    d = to_dict(payroll, lang)
    src = d["source"]
    lines = [f"{src['path']}: " + (f"sheet {src['sheet']!r}, " if src["sheet"] else
                                   f"CSV ({src.get('encoding')}, delimiter {src.get('delimiter')!r}), ")
             + f"header on row {src['header_row']}"]
    lines.append("columns:")
    width = max((len(k) for k in d["columns"]), default=0)
    for canonical, header in d["columns"].items():
        lines.append(f"  {canonical:<{width}}  <- {header!r}")
    if d["unmapped_columns"]:
        lines.append("not used: " + ", ".join(repr(u) for u in d["unmapped_columns"]))
    company = {k: v for k, v in d["company"].items() if v and k != "sources"}
    if company:
        lines.append("company: " + ", ".join(f"{k}={v}" for k, v in company.items()))
    for a in d["assumptions"]:
        lines.append(f"assumed: {a}")
    for n in d["notes"]:
        lines.append(f"note: {n}")
    lines.append(f"rows read: {src['rows_read']}  usable: {d['rows_usable']}  with issues: {d['rows_with_issues']}"
                 f"  ignored (not workers): {len(d['ignored_rows'])}")
    if d["ignored_rows"]:
        by_reason: dict[str, list[int]] = {}
        for r in d["ignored_rows"]:
            by_reason.setdefault(r["reason"], []).append(r["row"])
        lines.append("ignored: " + "; ".join(f"{reason} (rows {_ranges(rows)})" for reason, rows in by_reason.items()))
    issues = d["data_issues"]
    if issues:
        lines.append(f"data issues ({len(issues)}):")
        shown = issues if limit is None else issues[:limit]
        for i in shown:
            where = f"row {i['row']}" if i["row"] is not None else "file"
            lines.append(f"  {where:>9}  {i['column'] or '':<16} {i['severity']:<7} {i['code']:<24} {i['message']}")
        if limit is not None and len(issues) > limit:
            lines.append(f"  ... and {len(issues) - limit} more (use --format json for all)")
    else:
        lines.append("no data issues")
    return "\n".join(lines)


def _ranges(rows: list[int]) -> str:
    rows = sorted(rows)
    parts, start, prev = [], rows[0], rows[0]
    for r in rows[1:] + [None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
        if r is not None:
            start = prev = r
    return ", ".join(parts)
