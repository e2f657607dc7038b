"""Compliance letters: one per company, HTML and PDF, Indonesian (default) or English.

Rendered by a sandboxed Jinja2 environment (ImmutableSandboxedEnvironment) with autoescape on and
StrictUndefined: a template can neither run code nor reach Python objects, every value is HTML-
escaped, and a missing value is an error, never an empty line. Templates receive a context built
from the check report (never raw cells). PDF through WeasyPrint, which may load nothing but the
files under templates/.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from compliance.errors import Term
from compliance.model import Period, RuleSet
from compliance.office import (ROMAN, Issued, LetterError, Office, Settings, add_working_days,  # noqa: F401
                               check_pattern, deadline_days, letter_number, load_office, office_from_dict)
from compliance.outputs.files import write_atomic
from compliance.outputs.report import rupiah
from compliance.outputs.words import counted
from compliance.resources import templates_dir
from compliance.texts import notice_words, term


def long_date(d: dt.date, months: list[str]) -> str:
    return f"{d.day} {months[d.month - 1]} {d.year}"


def mask_nik(nik: str | None, full: bool) -> str:
    if not nik:
        return "-"
    return nik if full else "*" * max(0, len(nik) - 4) + nik[-4:]


def _required(value, what: str) -> str:
    if value is None or not str(value).strip():
        raise LetterError("letter-needs", what=Term(f"company:{what}"))
    return str(value)


def build_context(report: dict, office: Office, settings: Settings, number: str, kind: str,
                  rule_set: RuleSet, first: dict | None = None) -> dict:
    """What the templates see: derived from the report (contract v2) and the rule set's texts.
    Sections are the employer's own violations; an outsourced worker's findings are the vendor's
    duty (domain 1.4) and are listed apart, never as the client's violation."""
    lang = settings.lang
    T = rule_set.texts[lang]["letter"]
    months = T["months"]
    company = report["company"]
    rules = report["rules"]
    year, month = map(int, report["period"].split("-"))
    violations = [f for f in report["findings"] if f["severity"] == "violation"]
    own = [f for f in violations if f["responsible"]["party"] == "employer"]
    families = []
    for code, spec in rule_set.families.items():
        fam = [f for f in own if f["family"] == code]
        if not fam:
            continue
        families.append({"code": code, "about": spec["about"], "heading": spec["heading"][lang], "count": len(fam),
                         "count_words": counted(len(fam), lang),
                         "shortfall": sum(f["monthly_shortfall_idr"] or 0 for f in fam),
                         "unknown": sum(f["monthly_shortfall_idr"] is None for f in fam),
                         "unknown_words": counted(sum(f["monthly_shortfall_idr"] is None for f in fam), lang),
                         "citations": _citations(rules, dict.fromkeys(f["rule_id"] for f in fam))})
    vendors: dict[str, dict] = {}
    for f in violations:
        if f["responsible"]["party"] != "vendor":
            continue
        name = f["responsible"].get("name") or T["vendor_unnamed"]
        v = vendors.setdefault(name, {"name": name, "count": 0, "shortfall": 0, "unknown": 0, "workers": []})
        v["unknown"] += f["monthly_shortfall_idr"] is None
        v["count"] += 1
        v["shortfall"] += f["monthly_shortfall_idr"] or 0
        if (f["name"] or "-") not in v["workers"]:
            v["workers"].append(f["name"] or "-")
    for v in vendors.values():
        v["count_words"] = counted(v["count"], lang)
        v["unknown_words"] = counted(v["unknown"], lang)
    type_labels = {t: spec.get(lang, t) for t, spec in rule_set.employment_types.labels.items()}
    appendix = [{**f, "nik_shown": mask_nik(f["nik"], settings.full_nik),
                 "type_label": type_labels.get(f["employment_type"], f["employment_type"] or "-"),
                 "title": rules[f["rule_id"]]["title"][lang], "name": f["name"] or "-",
                 "caveat": T["warning_caveat"] if f["severity"] == "warning" else "",
                 "vendor": f["responsible"].get("name") if f["responsible"]["party"] == "vendor" else "",
                 "client": f.get("client", "")}
                # the addressee's own findings only: a vendor's workers are its duty, listed apart
                for f in report["findings"] if f["severity"] in ("violation", "warning")
                and f["responsible"]["party"] != "vendor"]
    issues = [{**i, "value_shown": "" if i["value"] is None else str(i["value"]),
               "column": term(f"field:{i['column']}", lang, rule_set.texts) if i["column"] else "-"}
              for i in report["data_issues"] if i.get("severity", "error") == "error"]
    period = Period(year, month)
    unchecked = {u["code"]: notice_words(u, lang, rule_set.texts) for u in report.get("unchecked", [])}
    participants = report["totals"].get("participants", report["totals"]["workers"])   # a vendor's: its workers
    days = deadline_days(office, settings, rule_set)
    subject = "confirmation" if kind == "confirmation" else f"stage{settings.stage}"
    spec = rule_set.families
    return {
        "letter": {
            "number": number, "date": long_date(settings.date, months), "kind": kind, "stage": settings.stage,
            "subject": T["subjects"][subject], "draft": settings.draft,
            "first_number": (first or {}).get("number", "-"),
            "first_date": long_date(dt.date.fromisoformat(first["date"]), months) if first else "-",
            "deadline": long_date(add_working_days(settings.date, days), months),
            "deadline_days": days, "deadline_days_words": counted(days, lang),
            "period": f"{months[month - 1]} {year}",
            "ruleset_version": report["ruleset_version"], "tool_version": report.get("tool_version", "-"),
            "full_nik": settings.full_nik,
        },
        "office": office.to_dict(),
        "company": {"name": _required(company.get("name"), "name"),
                    "npp": _required(company.get("npp"), "npp"),
                    "address": _required(company.get("address"), "address"),
                    "size_label": T["sizes"].get(company.get("size"), company.get("size") or "-")},
        "totals": {"workers": report["totals"]["workers"], "workers_words": counted(report["totals"]["workers"], lang),
                   # a confirmation speaks of the participants only: new workers and vendors' are not certified
                   "participants": participants, "participants_words": counted(participants, lang),
                   "others_words": counted(report["totals"]["workers"] - participants, lang),
                   "shortfall": report["totals"]["monthly_shortfall_idr"],
                   "assumed": "; ".join(T["assumed"][a] for a in company.get("assumed", []) if a in T["assumed"]),
                   # violations whose amount is unknown (no wage): said, never counted as Rp 0
                   "unknown": report["totals"].get("shortfall_unknown", 0),
                   "unknown_words": counted(report["totals"].get("shortfall_unknown", 0), lang)},
        # what could not be checked: said in every letter; a confirmation certifies nothing of it
        "not_checked": [w for code, w in unchecked.items() if code != "unchecked-rows"],
        "confirmed": {"programs": not {"unchecked-programs", "unchecked-size"} & set(unchecked) and not any(
                          n.get("code") == "programs-unknown" for n in report.get("notices", [])),
                      "wages": not {"unchecked-reported-wage", "unchecked-wages", "unchecked-daily-wages"}
                      & set(unchecked)},
        # interns are named only from the date their basis was in force (programs.worker.intern)
        "interns_basis": rule_set.parameters.get("programs.worker.intern").values[0].since <= period.last_day,
        "outsourcing_basis": _basis(rule_set, period, "1.4"),
        # a vendor's letter: the clients' payrolls the data came from (name and file)
        "client_files": list({(c["name"], c["file"]): c for c in report.get("client_files", [])}.values()),
        "families": families,
        "vendors": list(vendors.values()),
        # a vendor's letter (compliance audit): the clients on whose payrolls its workers were found
        "clients": list(dict.fromkeys(report.get("clients", []))),
        "contributions_unpaid": any(spec.get(f["code"], {}).get("unpaid_contributions") for f in families),
        "wage_warnings": sum(1 for f in report["findings"] if f["severity"] == "warning"
                             and spec.get(f["family"], {}).get("about") == "wages"),
        "from_registry": report.get("participation_source") == "registry",
        "unchecked": report["totals"]["rows_with_issues"],
        "unchecked_words": counted(report["totals"]["rows_with_issues"], lang),
        "appendix": appendix,
        "issues": issues,
        "labels": T["labels"],
        "source_name": Path(report["source"]["path"]).name,
    }


def _basis(rule_set: RuleSet, period: Period, domain: str) -> str:
    """The citations in force in the period that rest on a domain-reference row (e.g. 1.4,
    outsourcing), from the rule files: the same basis in every letter that states it."""
    out: list[str] = []
    for rule in rule_set.rules:
        for c in rule.citations(period):
            rows = [r.strip().split(" ")[0] for r in c.domain.split(";")]
            if domain in rows and c.mark in ("CONFIRMED", "CORROBORATED") and c.citation not in out:
                out.append(c.citation)
    return "; ".join(out)


def _citations(rules: dict, rule_ids) -> list[str]:
    """The legal basis of the finding types in a section: each rule's citations that letters may
    state (CONFIRMED, CORROBORATED; the report lists only those in force in the period)."""
    out = []
    for rid in rule_ids:
        for c in rules[rid]["legal_basis"]:
            if c["mark"] in ("CONFIRMED", "CORROBORATED") and c["citation"] not in out:
                out.append(c["citation"])
    return out


def environment(templates: Path):
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(templates)), autoescape=True,
                                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["rupiah"] = rupiah
    return env


def render_html(context: dict, lang: str, templates: Path | None = None) -> str:
    from jinja2 import TemplateNotFound, UndefinedError

    try:
        return environment(templates or templates_dir()).get_template(f"letter_{lang}.html.j2").render(**context)
    except UndefinedError as exc:
        raise LetterError("letter-template-value", detail=exc.message) from None
    except TemplateNotFound as exc:
        raise LetterError("letter-template-missing", file=str(templates or templates_dir()), name=exc.name) from None


def allowed_resource(url: str, templates: Path) -> str:
    """WeasyPrint may read files under the templates folder and nothing else (no network, no
    other files)."""
    if not url.startswith(Path(templates).resolve().as_uri() + "/"):
        raise ValueError(f"blocked resource {url[:80]}")
    return url


def _url_fetcher(templates: Path):
    try:                                   # WeasyPrint 66 and later: a URLFetcher class
        from weasyprint.urls import URLFetcher

        class TemplatesOnly(URLFetcher):
            def fetch(self, url, headers=None):
                return super().fetch(allowed_resource(url, templates), headers)

        return TemplatesOnly(allowed_protocols={"file"})
    except ImportError:                    # earlier: a function
        from weasyprint import default_url_fetcher

        return lambda url, *args, **kwargs: default_url_fetcher(allowed_resource(url, templates), *args, **kwargs)


def render_pdf(html: str, templates: Path | None = None) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    templates = Path(templates or templates_dir()).resolve()
    return HTML(string=html, base_url=str(templates), url_fetcher=_url_fetcher(templates)).write_pdf()


def render(document: dict, office: Office, settings: "Settings", rule_set: RuleSet, number: str, kind: str,
           first: dict | None = None) -> tuple[str, bytes]:
    """The letter for a report under a number already issued: (HTML, PDF)."""
    context = build_context(document, office, settings, number, kind, rule_set, first)
    html = render_html(context, settings.lang, settings.templates)
    return html, render_pdf(html, settings.templates)


def issue(register, document: dict, out: Path, office: Office, settings: Settings, rule_set: RuleSet,
          check_id: int | None = None) -> Issued:
    """Number a report's letter in the office's register, render it into `out` (letter.html,
    letter.pdf) and record its files. The register numbers and records; this renders."""
    office.check_ready(settings)
    reserved = register.reserve_letter(document, office, settings, rule_set, check_id)
    if isinstance(reserved, Issued):
        return reserved
    html, pdf = render(document, office, reserved.settings, rule_set, reserved.number, reserved.kind, reserved.first)
    paths = [Path(out) / "letter.html", Path(out) / "letter.pdf"]
    write_atomic(paths[0], html.encode("utf-8"))
    write_atomic(paths[1], pdf)
    register.letter_files(reserved.letter_id, paths, pdf)
    return Issued(reserved.number, paths, reserved.reused)
