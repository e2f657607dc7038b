"""Compliance letters: one per company, HTML and PDF, Indonesian (default) or English.

Rendered by a sandboxed Jinja2 environment (ImmutableSandboxedEnvironment) with autoescape on and
StrictUndefined: a template can neither run code nor reach Python objects, every value is HTML-
escaped, and a missing value is an error, never an empty line. Templates receive a context built
from the check report (never raw cells). PDF through WeasyPrint, which may load nothing but the
files under templates/.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import string
from dataclasses import dataclass, field
from pathlib import Path

from compliance.errors import UnusableInput
from compliance.model import RuleSet
from compliance.outputs.files import write_atomic
from compliance.outputs.report import rupiah
from compliance.outputs.words import counted
from compliance.resources import check_keys, load_yaml, templates_dir

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


class LetterError(UnusableInput):
    """A letter cannot be made: a field it needs is missing or the settings are wrong."""


@dataclass
class Office:
    name: str
    address: str
    city: str
    code: str
    signer_title: str
    signer_name: str
    phone: str = ""
    pattern: str = "{seq:03d}/PDS/{office}/{month}/{year}"
    month_style: str = "roman"
    deadline_working_days: int = 10
    copies_to: list = field(default_factory=list)     # Tembusan
    register: str = "~/.local/share/compliance/register.sqlite"   # the office's case register (path or URL)

    def to_dict(self) -> dict:
        return {**self.__dict__, "copies_to": list(self.copies_to)}

    @property
    def signer_is_placeholder(self) -> bool:
        return self.signer_name.strip().startswith("[")


def load_office(path: Path | None = None, overrides: dict | None = None, templates: Path | None = None) -> Office:
    path = path or (templates or templates_dir()) / "office.yaml"
    data = load_yaml(path) or {}
    where = str(path)
    check_keys(data, {"office", "signer", "numbering", "deadline_working_days", "copies_to", "register"}, where)
    office, signer, numbering = data.get("office", {}), data.get("signer", {}), data.get("numbering", {})
    check_keys(office, {"name", "address", "city", "phone", "code"}, f"{where}: office")
    check_keys(signer, {"title", "name"}, f"{where}: signer")
    check_keys(numbering, {"pattern", "month_style"}, f"{where}: numbering")
    values = {"name": office.get("name"), "address": office.get("address"), "city": office.get("city"),
              "code": office.get("code"), "phone": office.get("phone", ""), "signer_title": signer.get("title"),
              "signer_name": signer.get("name"), "pattern": numbering.get("pattern", Office.pattern),
              "month_style": numbering.get("month_style", "roman"),
              "deadline_working_days": int(data.get("deadline_working_days", 10)),
              "copies_to": data.get("copies_to") or [],
              "register": str(data.get("register") or Office.register)}
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return office_from_dict(values, where)


def office_from_dict(values: dict, where: str = "office") -> Office:
    check_keys(values, set(Office.__dataclass_fields__), where)
    for key in ("name", "address", "city", "code", "signer_title", "signer_name"):
        if not str(values.get(key) or "").strip():
            raise LetterError(f"{where}: the office's {key.replace('_', ' ')} is missing")
    if values.get("month_style", "roman") not in ("roman", "arabic"):
        raise LetterError(f"{where}: month_style must be roman or arabic")
    check_pattern(values.get("pattern", Office.pattern), where)
    try:
        values["deadline_working_days"] = int(values.get("deadline_working_days", 10))
    except (TypeError, ValueError):
        raise LetterError(f"{where}: deadline_working_days must be a whole number of working days") from None
    copies = values.get("copies_to", [])
    if not isinstance(copies, list) or not all(isinstance(c, str) and c.strip() for c in copies):
        raise LetterError(f"{where}: copies_to must be a list of names (Tembusan)")
    return Office(**values)


def deadline_days(office: Office, settings: "Settings", rule_set: RuleSet) -> int:
    """The working days a warning gives: --deadline-days, else the office file's; never more than
    the law allows (warning_max_working_days, domain 6.4)."""
    from compliance.model import Period

    days = settings.deadline_days or office.deadline_working_days
    limit = int(rule_set.parameters.at("warning_max_working_days",
                                       Period(settings.date.year, settings.date.month)).value)
    if not 1 <= days <= limit:
        raise LetterError(f"a written warning runs at most {limit} working days (PP 86/2013; domain 6.4): "
                          f"{days} asked (--deadline-days or deadline_working_days of the office file)")
    return days


def check_pattern(pattern: str, where: str) -> None:
    """A number pattern may use only {seq}, {office}, {month}, {year}, {stage} (no attributes)."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError as exc:
        raise LetterError(f"{where}: bad number pattern ({exc})") from None
    bad = [n for n in names if n not in {"seq", "office", "month", "year", "stage"}]
    if bad or "seq" not in names:
        raise LetterError(f"{where}: the number pattern must contain {{seq}} and only {{seq}}, {{office}}, "
                          f"{{month}}, {{year}}, {{stage}} (found {', '.join(bad) or 'no {seq}'})")


@dataclass
class Settings:
    lang: str = "id"
    stage: int = 1
    date: dt.date = field(default_factory=dt.date.today)
    full_nik: bool = False
    all_letters: bool = False
    reissue: bool = False
    deadline_days: int | None = None
    templates: Path = field(default_factory=templates_dir)   # --templates DIR
    draft: bool = False                                      # DRAFT across each page; any signer


def add_working_days(start: dt.date, days: int) -> dt.date:
    """Working days: Monday to Friday, less Indonesia's public holidays and cuti bersama (the
    `holidays` package, categories public and government)."""
    import holidays

    off = holidays.country_holidays("ID", years=range(start.year, start.year + 2), categories=("public", "government"))
    d = start
    while days > 0:
        d += dt.timedelta(days=1)
        if d.weekday() < 5 and d not in off:
            days -= 1
    return d


def long_date(d: dt.date, months: list[str]) -> str:
    return f"{d.day} {months[d.month - 1]} {d.year}"


def letter_number(office: Office, seq: int, date: dt.date, stage: int) -> str:
    month = ROMAN[date.month - 1] if office.month_style == "roman" else f"{date.month:02d}"
    return office.pattern.format(seq=seq, office=office.code, month=month, year=date.year, stage=stage)


def mask_nik(nik: str | None, full: bool) -> str:
    if not nik:
        return "-"
    return nik if full else "*" * max(0, len(nik) - 4) + nik[-4:]


def _required(value, what: str) -> str:
    if value is None or not str(value).strip():
        raise LetterError(f"the letter needs the {what}: it is missing from the report "
                          "(company sheet, or options such as --company-name, --npp, --company-address)")
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
        families.append({"code": code, "heading": spec["heading"][lang], "count": len(fam),
                         "count_words": counted(len(fam), lang),
                         "shortfall": sum(f["monthly_shortfall_idr"] for f in fam),
                         "citations": _citations(rules, dict.fromkeys(f["rule_id"] for f in fam))})
    vendors: dict[str, dict] = {}
    for f in violations:
        if f["responsible"]["party"] != "vendor":
            continue
        name = f["responsible"].get("name") or T["vendor_unnamed"]
        v = vendors.setdefault(name, {"name": name, "count": 0, "shortfall": 0, "workers": []})
        v["count"] += 1
        v["shortfall"] += f["monthly_shortfall_idr"]
        if (f["name"] or "-") not in v["workers"]:
            v["workers"].append(f["name"] or "-")
    for v in vendors.values():
        v["count_words"] = counted(v["count"], lang)
    type_labels = {t: spec.get(lang, t) for t, spec in rule_set.employment_types.labels.items()}
    appendix = [{**f, "nik_shown": mask_nik(f["nik"], settings.full_nik),
                 "type_label": type_labels.get(f["employment_type"], f["employment_type"] or "-"),
                 "title": rules[f["rule_id"]]["title"][lang], "name": f["name"] or "-",
                 "caveat": T["warning_caveat"] if f["severity"] == "warning" else "",
                 "vendor": f["responsible"].get("name") if f["responsible"]["party"] == "vendor" else "",
                 "client": f.get("client", "")}
                for f in report["findings"] if f["severity"] in ("violation", "warning")]
    issues = [{**i, "value_shown": "" if i["value"] is None else str(i["value"]), "column": i["column"] or "-"}
              for i in report["data_issues"] if i.get("severity", "error") == "error"]
    days = deadline_days(office, settings, rule_set)
    subject = "confirmation" if kind == "confirmation" else f"stage{settings.stage}"
    contribution_families = {"PDS-UPAH", "PDS-PROGRAM"}
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
        "company": {"name": _required(company.get("name"), "company name"),
                    "npp": _required(company.get("npp"), "company's NPP"),
                    "address": _required(company.get("address"), "company address"),
                    "size_label": T["sizes"].get(company.get("size"), company.get("size") or "-")},
        "totals": {"workers": report["totals"]["workers"], "workers_words": counted(report["totals"]["workers"], lang),
                   "shortfall": report["totals"]["monthly_shortfall_idr"],
                   "assumed": "; ".join(T["assumed"][a] for a in company.get("assumed", []) if a in T["assumed"])},
        "families": families,
        "vendors": list(vendors.values()),
        # a vendor's letter (compliance audit): the clients on whose payrolls its workers were found
        "clients": list(dict.fromkeys(report.get("clients", []))),
        "contributions_unpaid": any(f["code"] in contribution_families for f in families),
        "wage_warnings": sum(1 for f in report["findings"] if f["severity"] == "warning" and f["family"] == "PDS-UPAH"),
        "from_registry": report.get("participation_source") == "registry",
        "unchecked": report["totals"]["rows_with_issues"],
        "unchecked_words": counted(report["totals"]["rows_with_issues"], lang),
        "appendix": appendix,
        "issues": issues,
        "labels": T["labels"],
        "source_name": Path(report["source"]["path"]).name,
    }


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
        raise LetterError(f"the letter template needs a value that is missing: {exc.message}") from None
    except TemplateNotFound as exc:
        raise LetterError(f"{templates or templates_dir()}: no letter template {exc.name}") from None


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


@dataclass
class Issued:
    number: str | None
    paths: list[Path]
    reused: bool = False
    skipped: str | None = None
