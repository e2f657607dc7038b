"""The register's cases and a company's history as the command line shows them: text, JSON
rows and an xlsx, in the user's language. What a case is due for is worded here from the rule
set's texts and its dated parameters (the fine, domain 6.4), not in the register."""
from __future__ import annotations

import datetime as dt

from compliance.model import Period


def _rule_set():
    from compliance.ruleset import load_rule_set

    return load_rule_set()


def advice(row: dict, lang: str, rule_set) -> str:
    """What the office does next about a case, in the user's language."""
    A = rule_set.texts[lang]["cases"]["advice"]
    state = row["status"]
    if state == "due-sanction":
        day = dt.date.fromisoformat(row["deadline"]) if row.get("deadline") else dt.date.today()
        period = Period(day.year, day.month)
        p = rule_set.parameters
        return A["due-sanction"].format(pct=str(p.at("sanction.fine_pct_per_month", period).value).replace(".", ","
                                                                                                          if lang == "id"
                                                                                                          else "."),
                                        days=p.at("sanction.fine_max_days", period).value)
    if state == "open":
        return A["open"].format(deadline=row["deadline"]) if row.get("deadline") else ""
    return A[state]


def case_rows(rows: list[dict], lang: str, rule_set=None) -> list[dict]:
    """The register's rows with what each is due for (`recommendation`) in the user's language;
    `status` stays a code."""
    rule_set = rule_set or _rule_set()
    return [{**r, "recommendation": advice(r, lang, rule_set)} for r in rows]


def cases_text(rows: list[dict], day: dt.date, lang: str, rule_set=None) -> str:
    rule_set = rule_set or _rule_set()
    C = rule_set.texts[lang]["cases"]
    lines = [C["count"].format(n=len(rows), day=day.isoformat())]
    for r in case_rows(rows, lang, rule_set):
        lines.append(f"{r['npp'] or '-':<10} {str(r['company'])[:30]:<30} {r['period']}  "
                     f"{C['states'][r['status']]:<22} {C['stage']} {r['stage']}  {r['last_letter'] or '-'}")
        if r["recommendation"]:
            lines.append(f"{'':<11}{r['recommendation']}")
    return "\n".join(lines)


def history_text(h: dict, lang: str, rule_set=None) -> str:
    rule_set = rule_set or _rule_set()
    C = rule_set.texts[lang]["cases"]
    c = h["company"]
    lines = [f"{c['name']}  NPP {c['npp']}  {c['address'] or ''}", C["checks"]]
    for x in h["checks"]:
        lines.append("  " + C["check"].format(date=x["checked_on"], period=x["period"], workers=x["workers"],
                                              violations=x["violations"], shortfall=x["shortfall_idr"],
                                              verdict=C["compliant"] if x["compliant"] else C["not_compliant"]))
    lines.append(C["letters"])
    for x in h["letters"]:
        lines.append("  " + C["letter"].format(date=x["date"], number=x["number"], period=x["period"], stage=x["stage"],
                                               status=C["letter_states"].get(x["status"], x["status"]),
                                               deadline=x["deadline"] or "-")
                     + (f"  {C['draft']}" if x["draft"] else ""))
    return "\n".join(lines)


def cases_xlsx(rows: list[dict], lang: str, rule_set=None) -> bytes:
    from compliance.outputs.xlsx import table, workbook

    rule_set = rule_set or _rule_set()
    C = rule_set.texts[lang]["cases"]
    keys = ["npp", "company", "period", "status", "stage", "last_letter", "letter_date", "deadline", "opened_on",
            "closed_on", "last_check", "violations", "shortfall_idr", "recommendation"]
    kinds = {"letter_date": "date", "deadline": "date", "opened_on": "date", "closed_on": "date", "last_check": "date",
             "shortfall_idr": "money", "recommendation": "wide", "company": "wide"}
    data = [[C["states"][r["status"]] if k == "status" else r.get(k) for k in keys] for r in case_rows(rows, lang, rule_set)]
    buf, wb, fmt = workbook()
    table(wb.add_worksheet(C["sheet"]), [C["columns"][k] for k in keys], data, [kinds.get(k, "text") for k in keys], fmt)
    wb.close()
    return buf.getvalue()
