"""`compliance check` outputs: text summary, the JSON report, findings.csv and findings.xlsx."""
from __future__ import annotations

import json
from pathlib import Path

from compliance.outputs.files import write_csv, write_json, write_xlsx
from compliance.report import Report, rupiah

FINDING_COLUMNS = ["sheet", "row", "rule_id", "rule_version", "family", "severity", "nik", "name",
                   "employment_type", "monthly_shortfall_idr", "message", "legal_basis", "responsible_party"]
ISSUE_COLUMNS = ["sheet", "row", "column", "value", "code", "severity", "message"]


def to_json(report: Report, lang: str = "id") -> str:
    return json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2)


def to_text(report: Report, lang: str = "id", limit: int | None = 100) -> str:
    d = report.to_dict(lang, limit)
    n_findings = sum(len(b.rows) for b in report.blocks)
    t, c = d["totals"], d["company"]
    lines = [f"{c['name'] or '(company name unknown)'}" + (f"  NPP {c['npp']}" if c["npp"] else "")
             + f"  period {d['period']}  rule set {d['ruleset_version']}",
             f"size {c['size']}, JKK risk {c['jkk_risk']}" + (f", province {c['province']}" if c["province"] else "")]
    for a in c["assumed"]:
        what = {"size": "company size unknown: the strictest (large) assumed",
                "jkk_risk": "JKK risk class unknown: the lowest rate (very-low) assumed, amounts are a minimum"}[a]
        lines.append(f"assumed: {what}")
    for a in d["assumptions"]:
        lines.append(f"assumed: {a}")
    if d["participation_source"] == "payroll":
        lines.append("participation taken from the payroll (a KPJ number means registered); "
                     "give --registry for the agency's extract")
    cov = "-" if t["coverage_pct"] is None else f"{t['coverage_pct']:.1f} %"
    lines.append(f"workers {t['workers']}  participants {t['participants']}  coverage {cov}  "
                 f"unregistered {t['unregistered']}  rows not checked {t['rows_with_issues']}")
    for fam, counts in sorted(d["by_family"].items()):
        if counts["violation"] or counts["warning"] or counts["info"]:
            lines.append(f"  {fam:<12} violations {counts['violation']:>4}  warnings {counts['warning']:>3}  "
                         f"info {counts['info']:>3}  shortfall {rupiah(counts['shortfall_idr'])}")
    lines.append(f"estimated monthly shortfall: {rupiah(t['monthly_shortfall_idr'])}")
    lines.append("COMPLIANT" if d["compliant"] else "NOT COMPLIANT")
    findings = d["findings"]
    if findings:
        lines.append("")
        lines.append(f"{'row':>5}  {'severity':<9} {'rule':<28} {'name':<22} {'type':<11} {'shortfall':>14}")
        for f in findings:
            lines.append(f"{f['row']:>5}  {f['severity']:<9} {f['rule_id']:<28} {str(f['name'])[:22]:<22} "
                         f"{str(f['employment_type'])[:11]:<11} {rupiah(f['monthly_shortfall_idr']):>14}")
            lines.append(f"       {f['message']}")
        if n_findings > len(findings):
            lines.append(f"... and {n_findings - len(findings)} more findings (--format json or --out for all)")
    reg = d.get("registry")
    if reg:
        lines.append("")
        lines.append(f"registry {reg['path']}: {reg['rows']} rows, {reg['active']} AKTIF, "
                     f"{len(reg['data_issues'])} data issues")
        for i in reg["data_issues"][:limit] if limit else reg["data_issues"]:
            lines.append(f"  row {i['row']:>6}  {i['severity']:<7} {i['code']:<24} {i['message']}")
    if d["data_issues"]:
        lines.append("")
        lines.append(f"data issues ({len(d['data_issues'])}); rows with an error were not checked:")
        for i in d["data_issues"][:limit] if limit else d["data_issues"]:
            where = f"row {i['row']}" if i["row"] is not None else "file"
            lines.append(f"  {where:>9}  {i['severity']:<7} {i['code']:<24} {i['message']}")
    return "\n".join(lines)


def write_outputs(report: Report, out: Path, lang: str = "id", extra: dict | None = None) -> list[Path]:
    """report.json, findings.csv and findings.xlsx (findings, then a sheet of data issues).
    File names are fixed: nothing from the payroll's cells goes into a path. `extra` adds fields
    to report.json (the office details of a letter, so that it can be edited and re-rendered)."""
    d = {**report.to_dict(lang), **(extra or {})}
    rows = []
    for f in d["findings"]:
        party = f["details"].get("responsible_party", {}).get("name")
        rows.append([f["sheet"], f["row"], f["rule_id"], f["rule_version"], f["family"], f["severity"], f["nik"],
                     f["name"], f["employment_type"], f["monthly_shortfall_idr"], f["message"],
                     "; ".join(c["citation"] for c in f["legal_basis"]), party])
    issues = [[i["sheet"], i["row"], i["column"], _cell(i["value"]), i["code"], i["severity"], i["message"]]
              for i in d["data_issues"]]
    paths = [out / "report.json", out / "findings.csv", out / "findings.xlsx"]
    write_json(paths[0], d)
    write_csv(paths[1], FINDING_COLUMNS, rows)
    write_xlsx(paths[2], {"findings": (FINDING_COLUMNS, rows), "data issues": (ISSUE_COLUMNS, issues)})
    return paths


def _cell(v):
    return v if isinstance(v, (int, float, str)) or v is None else str(v)
