"""The branch summary of `compliance audit`: summary.json (docs/audit.md), summary.xlsx
(Indonesian headers by default, rupiah formats, filters) and index.html, one self-contained
page (no network: styles and charts inline) with the coverage against the target, rankings,
charts, the vendor and PWBD sections and a link to each company's letter."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from compliance.model import RuleSet
from compliance.outputs.files import write_atomic
from compliance.outputs.report import rupiah

MONEY = {"shortfall", "vendor_shortfall", "wage_total"}
WIDE = {"reason", "letter_note", "file", "clients"}
TOP = 30


def write_summary(summary: dict, out: Path, rule_set: RuleSet, lang: str, templates: Path) -> list[Path]:
    paths = [out / "summary.json", out / "summary.xlsx", out / "index.html"]
    write_atomic(paths[0], json.dumps(summary, ensure_ascii=False, indent=1, default=str).encode("utf-8"))
    write_atomic(paths[1], summary_xlsx(summary, rule_set, lang))
    write_atomic(paths[2], index_html(summary, rule_set, lang, templates).encode("utf-8"))
    return paths


def _sheets(s: dict, rule_set: RuleSet, lang: str) -> list[tuple[str, list[str], list[list]]]:
    """(sheet name, column keys, rows) of summary.xlsx."""
    T = rule_set.texts[lang]["audit"]
    I = T["items"]
    cov, files = s["coverage"], s["files"]
    out = []
    out.append((T["sheets"]["companies"],
                ["npp", "name", "regency", "period", "file", "workers", "participants", "coverage", "unregistered",
                 "violations", "shortfall", "vendor_violations", "vendor_shortfall", "rows_with_issues", "compliant",
                 "ghosts", "letter", "stage", "letter_note"],
                [[c["npp"], c["name"], c["regency"], c["period"], c["file"], c["workers"], c["participants"],
                  c["coverage_pct"], c["unregistered"], c["violations"], c["shortfall_idr"], c["vendor_violations"],
                  c["vendor_shortfall_idr"], c["rows_with_issues"], c["compliant"], c["ghosts"], c["letter"],
                  c["letter_stage"], c["letter_skipped"]] for c in s["companies"]]))
    out.append((T["sheets"]["families"], ["family", "violations", "shortfall", "vendor_violations",
                                          "vendor_shortfall", "warnings", "infos"],
                [[code, f.get("violation", 0), f.get("shortfall_idr", 0), f.get("vendor_violation", 0),
                  f.get("vendor_shortfall_idr", 0), f.get("warning", 0), f.get("info", 0)]
                 for code, f in s["families"].items()]))
    out.append((T["sheets"]["vendors"], ["vendor", "npp", "in_list", "clients", "placed", "unregistered",
                                         "violations", "shortfall", "letter"],
                [[v["vendor"], v["npp"], v["in_list"], ", ".join(sorted(set(map(str, v["clients"])))), v["placed"],
                  v["unregistered"], v["violations"], v["shortfall_idr"], v["letter"]] for v in s["vendors"]]))
    out.append((T["sheets"]["ghosts"], ["npp", "name", "registry_row", "kpj", "nik", "worker"],
                [[g["npp"], g["company"], g["registry_row"], g["kpj"], g["nik"], g["name"]] for g in s["ghosts"]]))
    out.append((T["sheets"]["duplicates"], ["nik", "worker", "npp", "name", "row"],
                [[d["nik"], d["name"], p["npp"], p["company"], p["row"]] for d in s["duplicates"]
                 for p in d["payrolls"]]))
    out.append((T["sheets"]["pwbd"], ["name", "npp", "address", "regency", "reason", "workers", "wage_total", "file"],
                [[p["name"], p["npp"], p["address"], p["regency"], T["reasons"][p["reason"]], p["workers"],
                  p["wage_total_idr"],
                  p["file"]] for p in s["pwbd"]["companies"]]))
    out.append((T["sheets"]["licences"], ["nib", "name", "address", "regency", "bpjs_tk", "workers", "reason"],
                [[p["nib"], p["name"], p["address"], p["regency"], p["bpjs_tk"], p["workers"], T["reasons"][p["reason"]]]
                 for p in s["pwbd"]["licences"]]))
    out.append((T["sheets"]["refused"], ["file", "reason"],
                [[r["file"], r["reason"]] for r in s["refused"] + s["not_tied"]]))
    return out


def summary_pairs(s: dict, T: dict) -> list[tuple]:
    """The Ringkasan sheet: (label, value, kind) rows, the branch, period and date first."""
    import datetime as dt

    I = T["items"]
    cov, files, reg = s["coverage"], s["files"], s.get("registry")
    branch = s.get("branch") or {}
    return [
        (I["branch"], branch.get("name") or "-", "text"), (I["period"], ", ".join(s["periods"]) or "-", "text"),
        (I["date"], dt.date.fromisoformat(s["generated_on"]), "date"),
        (I["registry"], reg["path"] if reg else I["no_registry"], "text"),
        (I["workers"], cov["workers"], "int"), (I["participants"], cov["participants"], "int"),
        (I["coverage"], cov["pct"], "int"), (I["target"], cov["target_pct"], "int"),
        (I["to_target"], cov["participants_to_target"], "int"), (I["violations"], s["totals"]["violations"], "int"),
        (I["shortfall"], s["totals"]["shortfall_idr"], "money"), (I["letters"], s["totals"]["letters"], "int"),
        (I["given"], files["given"], "int"), (I["audited"], files["audited"], "int"),
        (I["refused"], files["refused"], "int"), (I["not_tied"], files["not_tied"], "int")]


def summary_xlsx(s: dict, rule_set: RuleSet, lang: str) -> bytes:
    from compliance.outputs.xlsx import fit, pairs, shown, table, workbook

    T = rule_set.texts[lang]["audit"]
    buf, wb, fmt = workbook()
    ws = wb.add_worksheet(T["sheets"]["summary"][:31])
    rows = summary_pairs(s, T)
    ws.write_string(0, 0, T["title"], fmt["title"])
    ws.set_column(0, 0, fit([label for label, _, _ in rows], "wide", bold=True))
    ws.set_column(1, 1, fit([shown(v, k) for _, v, k in rows if k != "text"]))
    pairs(ws, 2, rows, fmt)
    for name, keys, rows in _sheets(s, rule_set, lang):
        kinds = ["money" if k in MONEY else "wide" if k in WIDE else "text" for k in keys]
        table(wb.add_worksheet(name[:31]), [T["columns"][k] for k in keys], rows, kinds, fmt)
    wb.close()
    return buf.getvalue()


def index_html(s: dict, rule_set: RuleSet, lang: str, templates: Path) -> str:
    from compliance.outputs.letters import environment

    companies = s["companies"]
    for c in companies:
        target = f"{c['folder']}/letter.pdf" if c["letter"] else f"{c['folder']}/findings.xlsx"
        c["href"] = quote(target)
    for v in s["vendors"]:
        v["href"] = quote(f"{v['folder']}/letter.pdf") if v.get("letter") and v.get("folder") else None
    ranked_unregistered = sorted(companies, key=lambda c: (-c["unregistered"], c["name"] or ""))[:TOP]
    ranked_shortfall = sorted(companies, key=lambda c: (-c["shortfall_idr"], c["name"] or ""))[:TOP]
    by_workers = sorted(companies, key=lambda c: (-c["workers"], c["name"] or ""))[:TOP]
    # the coverage chart's names: as wide as the longest shown (at most 52 characters, about 6 units each)
    longest = max([min(len(c["name"] or c["npp"] or "-"), 52) for c in by_workers] or [1])
    label_x = 6 * longest + 10
    fam_max = max([f.get("violation", 0) + f.get("vendor_violation", 0) for f in s["families"].values()] or [1]) or 1
    env = environment(templates)
    env.filters["pct"] = lambda v: "-" if v is None else f"{v:.1f}".replace(".", "," if lang == "id" else ".")
    return env.get_template("audit_index.html.j2").render(
        s=s, T=rule_set.texts[lang]["audit"], lang=lang, companies=companies,
        ranked_unregistered=ranked_unregistered, ranked_shortfall=ranked_shortfall, by_workers=by_workers,
        label_x=label_x,
        families=[{"code": k, "violation": f.get("violation", 0), "vendor": f.get("vendor_violation", 0),
                   "title": rule_set.families[k]["title"][lang] if k in rule_set.families else k,
                   "width": round(100 * (f.get("violation", 0) + f.get("vendor_violation", 0)) / fam_max, 1)}
                  for k, f in s["families"].items()],
        money=rupiah)


def summary_text(s: dict, rule_set: RuleSet, lang: str = "id", top: int = 10) -> str:
    """The branch summary as the command line prints it, in the user's language."""
    T = rule_set.texts[lang]["audit_text"]
    cov, f, t = s["coverage"], s["files"], s["totals"]
    pct = "-" if cov["pct"] is None else f"{cov['pct']:.2f} %"
    mark = f" {cov['target']['mark']}" if cov["target"].get("mark") else ""
    lines = [T["coverage"].format(periods=", ".join(s["periods"]) or "-", pct=pct, workers=cov["workers"],
                                  target=f"{cov['target_pct']:g}", mark=mark, needed=cov["participants_to_target"]),
             T["files"].format(**f),
             T["totals"].format(violations=t["violations"], shortfall=rupiah(t["shortfall_idr"]),
                                vendor=t["vendor_violations"], letters=t["letters"]),
             T["lists"].format(ghosts=len(s["ghosts"]), duplicates=len(s["duplicates"]),
                               companies=len(s["pwbd"]["companies"]), licences=len(s["pwbd"]["licences"]))]
    if not s.get("registry"):            # who is a participant was read from the payrolls
        lines.insert(1, T["no_registry"])
    for c in sorted(s["companies"], key=lambda c: (-c["unregistered"], c["name"] or ""))[:top]:
        lines.append(T["company"].format(npp=f"{c['npp'] or '-':<10}", name=f"{str(c['name'] or '-')[:40]:<40}",
                                         workers=f"{c['workers']:>6}", unregistered=f"{c['unregistered']:>5}",
                                         shortfall=f"{rupiah(c['shortfall_idr']):>16}")
                     + (T["vendor"].format(n=c["vendor_unregistered"]) if c["vendor_unregistered"] else "")
                     + (T["letter"].format(number=c["letter"]) if c["letter"] else ""))
    for what, files in (("refused", s["refused"]), ("not_tied", s["not_tied"])):
        lines += [T[what].format(file=r["file"], reason=r["reason"]) for r in files]
    return "\n".join(lines)
