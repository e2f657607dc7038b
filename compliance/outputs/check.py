"""`compliance check` outputs: the text summary, the JSON report, findings.csv and findings.xlsx.
Labels and sentences come from the rule set's texts (rules/texts.yaml)."""
from __future__ import annotations

from pathlib import Path

from compliance.model import Report, RuleSet
from compliance.outputs import report as contract
from compliance.outputs.files import csv_bytes, write_atomic
from compliance.outputs.report import rupiah
from compliance.outputs.xlsx import findings_xlsx
from compliance.texts import term

FINDING_COLUMNS = ["sheet", "row", "rule_id", "family", "severity", "nik", "name", "employment_type",
                   "monthly_shortfall_idr", "message", "legal_basis", "responsible_party", "responsible_name"]


def to_text(report: Report, rule_set: RuleSet, lang: str = "id", limit: int | None = 100) -> str:
    T = rule_set.texts[lang]["summary"]
    d = contract.to_dict(report, rule_set, lang, limit)
    t, c = d["totals"], d["company"]

    def w(prefix: str, code) -> str:
        return term(f"{prefix}{code}", lang, rule_set.texts) if code else "-"

    def shown_amount(value) -> str:
        return term("unknown-value", lang, rule_set.texts) if value is None else rupiah(value)

    def company_value(field: str, prefix: str) -> str:
        """A size or risk class in words; an assumed one is said to be unknown (the line below says
        what was checked instead)."""
        if field in c["assumed"]:
            return term("unknown-value", lang, rule_set.texts)
        return w(prefix, c[field]).lower()

    lines = [f"{c['name'] or T['unknown']}" + (f"  NPP {c['npp']}" if c["npp"] else "")
             + f"  {T['period']} {d['period']}  {T['ruleset']} {d['ruleset_version']}",
             f"{T['size']} {company_value('size', 'size:')}, {T['risk']} {company_value('jkk_risk', 'risk:')}"
             + (f", {T['province']} {c['province']}" if c["province"] else "")]
    unchecked = {u["code"] for u in d["unchecked"]}
    for n in d["notices"]:               # (a missing program column is said once, below)
        if not (n["code"] == "no-program-columns" and "unchecked-programs" in unchecked):
            lines.append(f"{T['assumed']}: {n['message']}")
    for u in d["unchecked"]:            # what could not be checked, and why (issue 18); rows: the totals line
        if u["code"] != "unchecked-rows":
            lines.append(f"{T['not_checked']}: {u['message']}")
    cov = "-" if t["coverage_pct"] is None else f"{t['coverage_pct']:.1f} %"
    lines.append(T["totals"].format(workers=t["workers"], participants=t["participants"], cov=cov,
                                    unregistered=t["unregistered"], unchecked=t["rows_with_issues"]))
    for fam, counts in sorted(d["by_family"].items()):
        if counts["violation"] or counts["warning"] or counts["info"] or counts["vendor_violation"]:
            line = T["family"].format(fam=fam, v=counts["violation"], w=counts["warning"], i=counts["info"],
                                      amount=rupiah(counts["shortfall_idr"]))
            if counts["vendor_violation"]:
                line += T["family_vendor"].format(n=counts["vendor_violation"],
                                                  amount=rupiah(counts["vendor_shortfall_idr"]))
            lines.append(line)
    lines.append(T["shortfall"].format(amount=rupiah(t["monthly_shortfall_idr"])))
    if t["shortfall_unknown"]:
        lines.append(T["shortfall_unknown"].format(n=t["shortfall_unknown"]))
    if t["vendor_violations"]:
        lines.append(T["vendor"].format(n=t["vendor_violations"], amount=rupiah(t["vendor_shortfall_idr"])))
    lines.append(T["compliant"] if d["compliant"] else T["not_compliant"])
    if not d["compliant"] and t["violations"] == 0:       # nothing found: rows could not be checked
        lines.append(T["unchecked_verdict"].format(n=t["rows_with_issues"]))
    findings = d["findings"]
    if findings:
        row, sev, rule, name, kind, amount = T["columns"]
        lines.append("")
        lines.append(f"{row:>5}  {sev:<11} {rule:<12} {name:<22} {kind:<18} {amount:>14}")
        for f in findings:
            lines.append(f"{f['row']:>5}  {w('', f['severity']):<11} {f['family']:<12} {str(f['name'])[:22]:<22} "
                         f"{w('type:', f['employment_type'])[:18]:<18} {shown_amount(f['monthly_shortfall_idr']):>14}")
            lines.append(f"       {f['message']}")
        if t["findings"] > len(findings):
            lines.append(T["more"].format(n=t["findings"] - len(findings)))
    reg = d.get("registry")
    if reg:
        lines.append("")
        lines.append(T["registry"].format(path=reg["path"], rows=reg["rows"], active=reg["active"],
                                          issues=len(reg["data_issues"])))
        for i in reg["data_issues"][:limit] if limit else reg["data_issues"]:
            lines.append(f"  {T['row']} {i['row']:>6}  {w('', i['severity']):<11} {i['message']}")
    if d["data_issues"]:
        lines.append("")
        lines.append(T["issues"].format(n=len(d["data_issues"])))
        for i in d["data_issues"][:limit] if limit else d["data_issues"]:
            where = f"{T['row']} {i['row']}" if i["row"] is not None else T["file"]
            lines.append(f"  {where:>9}  {w('', i['severity']):<11} {i['message']}")
    return "\n".join(lines)


def finding_rows(d: dict) -> list[list]:
    """One row per finding for findings.csv and findings.xlsx, from the report as the contract."""
    sheet = d["source"]["sheet"]
    basis = {rid: "; ".join(c["citation"] for c in r["legal_basis"]) for rid, r in d["rules"].items()}
    return [[sheet, f["row"], f["rule_id"], f["family"], f["severity"], f["nik"], f["name"], f["employment_type"],
             f["monthly_shortfall_idr"], f["message"], basis[f["rule_id"]],
             f["responsible"]["party"], f["responsible"].get("name")] for f in d["findings"]]


def write_outputs(report: Report, rule_set: RuleSet, out: Path, lang: str = "id",
                  extra: dict | None = None) -> tuple[list[Path], dict]:
    """report.json, findings.csv and findings.xlsx; returns the paths and the report as the
    contract (formatted once for all three). File names are fixed: nothing from the payroll's
    cells goes into a path. `extra` adds fields to report.json (the office details of a letter,
    so that it can be edited and re-rendered)."""
    files, d = render_outputs(report, rule_set, lang, extra)
    paths = []
    for name, data in files.items():
        write_atomic(out / name, data)
        paths.append(out / name)
    return paths, d


def render_outputs(report: Report, rule_set: RuleSet, lang: str = "id",
                   extra: dict | None = None) -> tuple[dict[str, bytes], dict]:
    """The files of `write_outputs` as bytes by fixed name, and the report as the contract."""
    d = {**contract.to_dict(report, rule_set, lang), **(extra or {})}
    rows = finding_rows(d)
    return {"report.json": contract.dumps(d), "findings.csv": csv_bytes(FINDING_COLUMNS, rows, ("nik",)),
            "findings.xlsx": findings_xlsx(d, rows, rule_set.texts[lang], rule_set.families, lang)}, d
