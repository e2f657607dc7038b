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


TEXT = {
    "en": {
        "unknown": "(company name unknown)", "period": "period", "ruleset": "rule set", "size": "size",
        "risk": "JKK risk", "province": "province", "assumed": "assumed",
        "assumed_size": "company size unknown: the strictest (large) assumed",
        "assumed_risk": "JKK risk class unknown: the lowest rate (very-low) assumed, amounts are a minimum",
        "from_payroll": "participation taken from the payroll (a KPJ number means registered); "
                        "give --registry for the agency's extract",
        "totals": "workers {workers}  participants {participants}  coverage {cov}  unregistered {unregistered}  "
                  "rows not checked {unchecked}",
        "family": "  {fam:<12} violations {v:>4}  warnings {w:>3}  info {i:>3}  shortfall {amount}",
        "shortfall": "estimated monthly shortfall: {amount}", "yes": "COMPLIANT", "no": "NOT COMPLIANT",
        "columns": ("row", "severity", "rule", "name", "type", "shortfall"),
        "more": "... and {n} more findings (--format json or --out for all)",
        "registry": "registry {path}: {rows} rows, {active} AKTIF, {issues} data issues", "row": "row",
        "issues": "data issues ({n}); rows with an error were not checked:", "file": "file",
    },
    "id": {
        "unknown": "(nama perusahaan tidak diketahui)", "period": "periode", "ruleset": "aturan versi",
        "size": "skala", "risk": "risiko JKK", "province": "provinsi", "assumed": "asumsi",
        "assumed_size": "skala usaha tidak diketahui: dianggap yang paling ketat (besar)",
        "assumed_risk": "tingkat risiko JKK tidak diketahui: dipakai tarif terendah, jumlah adalah batas bawah",
        "from_payroll": "kepesertaan diambil dari data upah (ada nomor KPJ berarti terdaftar); "
                        "gunakan --registry untuk data kepesertaan BPJS",
        "totals": "pekerja {workers}  peserta {participants}  cakupan {cov}  belum terdaftar {unregistered}  "
                  "baris tidak diperiksa {unchecked}",
        "family": "  {fam:<12} pelanggaran {v:>4}  peringatan {w:>3}  info {i:>3}  kekurangan {amount}",
        "shortfall": "perkiraan kekurangan iuran per bulan: {amount}", "yes": "PATUH", "no": "TIDAK PATUH",
        "columns": ("baris", "tingkat", "aturan", "nama", "status", "kekurangan"),
        "more": "... dan {n} temuan lain (--format json atau --out untuk semuanya)",
        "registry": "registri {path}: {rows} baris, {active} AKTIF, {issues} masalah data", "row": "baris",
        "issues": "masalah data ({n}); baris dengan error tidak diperiksa:", "file": "berkas",
    },
}


def to_text(report: Report, lang: str = "id", limit: int | None = 100) -> str:
    T = TEXT["en" if lang == "en" else "id"]
    d = report.to_dict(lang, limit)
    n_findings = sum(len(b.rows) for b in report.blocks)
    t, c = d["totals"], d["company"]
    lines = [f"{c['name'] or T['unknown']}" + (f"  NPP {c['npp']}" if c["npp"] else "")
             + f"  {T['period']} {d['period']}  {T['ruleset']} {d['ruleset_version']}",
             f"{T['size']} {c['size']}, {T['risk']} {c['jkk_risk']}"
             + (f", {T['province']} {c['province']}" if c["province"] else "")]
    for a in c["assumed"]:
        lines.append(f"{T['assumed']}: {T['assumed_size'] if a == 'size' else T['assumed_risk']}")
    for a in d["assumptions"]:
        lines.append(f"{T['assumed']}: {a}")
    if d["participation_source"] == "payroll":
        lines.append(T["from_payroll"])
    cov = "-" if t["coverage_pct"] is None else f"{t['coverage_pct']:.1f} %"
    lines.append(T["totals"].format(workers=t["workers"], participants=t["participants"], cov=cov,
                                    unregistered=t["unregistered"], unchecked=t["rows_with_issues"]))
    for fam, counts in sorted(d["by_family"].items()):
        if counts["violation"] or counts["warning"] or counts["info"]:
            lines.append(T["family"].format(fam=fam, v=counts["violation"], w=counts["warning"], i=counts["info"],
                                            amount=rupiah(counts["shortfall_idr"])))
    lines.append(T["shortfall"].format(amount=rupiah(t["monthly_shortfall_idr"])))
    lines.append(T["yes"] if d["compliant"] else T["no"])
    findings = d["findings"]
    if findings:
        row, sev, rule, name, kind, amount = T["columns"]
        lines.append("")
        lines.append(f"{row:>5}  {sev:<9} {rule:<28} {name:<22} {kind:<11} {amount:>14}")
        for f in findings:
            lines.append(f"{f['row']:>5}  {f['severity']:<9} {f['rule_id']:<28} {str(f['name'])[:22]:<22} "
                         f"{str(f['employment_type'])[:11]:<11} {rupiah(f['monthly_shortfall_idr']):>14}")
            lines.append(f"       {f['message']}")
        if n_findings > len(findings):
            lines.append(T["more"].format(n=n_findings - len(findings)))
    reg = d.get("registry")
    if reg:
        lines.append("")
        lines.append(T["registry"].format(path=reg["path"], rows=reg["rows"], active=reg["active"],
                                          issues=len(reg["data_issues"])))
        for i in reg["data_issues"][:limit] if limit else reg["data_issues"]:
            lines.append(f"  {T['row']} {i['row']:>6}  {i['severity']:<7} {i['code']:<24} {i['message']}")
    if d["data_issues"]:
        lines.append("")
        lines.append(T["issues"].format(n=len(d["data_issues"])))
        for i in d["data_issues"][:limit] if limit else d["data_issues"]:
            where = f"{T['row']} {i['row']}" if i["row"] is not None else T["file"]
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
