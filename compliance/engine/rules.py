"""Rule files: one YAML file per rule, loaded strictly (unknown keys, fields, operators and
parameters are load errors naming the file and line).

A rule's condition (`when`) is a small declarative language, evaluated over the whole table at
once (compliance.engine.conditions); nothing in a rule file is ever executed as code:

    when:
      all:
        - employed_in_period: true           # a yes/no field
        - participant: false
        - reported_wage_basis: {below: {field: actual_wage}}   # a comparison
        - age: {at_least: {param: jp_pension_age}}             # against a dated parameter
      # also: any: [...], not: {...}; operators below, at_most, above, at_least,
      # equals, not_equals, in, not_in, is_empty, is_not_empty
"""
from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

from compliance.errors import RuleFileError
from compliance.model import MARKS, CHECKED_PROGRAMS, Citation, Parameters, Rule
from compliance.resources import load_yaml

SEVERITIES = {"violation", "warning", "info"}
OPERATORS = {"below", "at_most", "above", "at_least", "equals", "not_equals", "in", "not_in", "is_empty",
             "is_not_empty"}
SHORTFALLS = {"none", "unregistered", "underreported", "missing_programs"}
RULE_KEYS = {"id", "version", "family", "severity", "title", "message", "message_variants", "legal_basis",
             "effective_from", "effective_to", "when", "shortfall", "details", "parameters", "unconfirmed",
             "description", "tests", "cells", "todo", "counts_as"}
COUNTS = {"unregistered"}    # a total a rule's violations count in (Totals.unregistered)
CASE_KEYS = {"name", "period", "company", "rows", "registry", "expect", "compliant"}
# what every finding shows, whatever its rule reads
BASE_FIELDS = ("nik", "name", "employment_type", "vendor", "outsourced", "vendor_duty")


def _line(obj) -> int:
    return getattr(obj, "line", 0)


def condition_params(cond) -> set[str]:
    """The parameters a condition compares with ({param: name})."""
    if isinstance(cond, dict):
        if set(cond) == {"param"}:
            return {cond["param"]}
        return set().union(*(condition_params(v) for v in cond.values())) if cond else set()
    if isinstance(cond, list):
        return set().union(*(condition_params(c) for c in cond)) if cond else set()
    return set()


def citation_year(text: str) -> int | None:
    """The latest year a citation names: `PP 49/2023`, `UU 24/2011`, `Perdir 22/PERDIR.02/072022`."""
    years = [int(y) for y in re.findall(r"/(?:\d{2})?((?:19|20)\d{2})\b", text)]
    return max(years) if years else None


def _date(value, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise RuleFileError(f"{where}: {value!r} is not a date (YYYY-MM-DD)")


def _texts(value, where: str) -> dict:
    if not isinstance(value, dict) or set(value) != {"id", "en"}:
        raise RuleFileError(f"{where}: expected Indonesian and English texts {{id: ..., en: ...}}")
    return dict(value)


def check_condition(cond, fields: dict, params: Parameters, where: str) -> None:
    """Validate a condition tree: known fields, operators and parameters only."""
    at = f"{where}:{_line(cond)}" if _line(cond) else where
    if not isinstance(cond, dict) or len(cond) != 1:
        raise RuleFileError(f"{at}: a condition is one mapping (all/any/not, or a field)")
    (key, arg), = cond.items()
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise RuleFileError(f"{at}: {key} takes a non-empty list of conditions")
        for c in arg:
            check_condition(c, fields, params, where)
        return
    if key == "not":
        check_condition(arg, fields, params, where)
        return
    if key not in fields:
        raise RuleFileError(f"{at}: unknown field {key!r}; known: {', '.join(sorted(fields))}")
    if isinstance(arg, bool):
        return
    if not isinstance(arg, dict) or len(arg) != 1:
        raise RuleFileError(f"{at}: {key} takes true/false or one comparison such as {{below: ...}}")
    (op, operand), = arg.items()
    if op not in OPERATORS:
        raise RuleFileError(f"{at}: unknown operator {op!r}; known: {', '.join(sorted(OPERATORS))}")
    check_operand(operand, fields, params, at)


def check_operand(operand, fields: dict, params: Parameters, at: str) -> None:
    if isinstance(operand, dict):
        if set(operand) == {"field"}:
            if operand["field"] not in fields:
                raise RuleFileError(f"{at}: unknown field {operand['field']!r}")
        elif set(operand) == {"param"}:
            name = operand["param"]
            if name not in params:
                raise RuleFileError(f"{at}: unknown parameter {name!r}")
        else:
            raise RuleFileError(f"{at}: an operand is a value, {{field: name}} or {{param: name}}")


def check_template(template: str, fields: dict, at: str) -> set[str]:
    """The placeholders of a message template; an unknown one is a load error."""
    from compliance.engine.context import MESSAGE_EXTRAS

    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise RuleFileError(f"{at}: bad message template ({exc})") from None
    names = {name for _, name, _, _ in parts if name}
    fancy = [name for _, name, spec, conversion in parts if name and (spec or conversion)]
    if fancy or any(name == "" for _, name, _, _ in parts):
        raise RuleFileError(f"{at}: a placeholder is a plain {{field}} (no format spec, conversion or empty {{}})")
    unknown = names - set(fields) - MESSAGE_EXTRAS
    if unknown:
        raise RuleFileError(f"{at}: unknown placeholder(s) {', '.join(sorted(unknown))} in a message")
    return names


def load_rule(path: Path, fields: dict, params: Parameters, families: dict | None = None) -> Rule:
    where = str(path)
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise RuleFileError(f"{where}: a rule file is a mapping")
    unknown = set(data) - RULE_KEYS
    if unknown:
        raise RuleFileError(f"{where}:{_line(data)}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("id", "version", "family", "severity", "title", "message", "legal_basis", "effective_from",
                "when", "shortfall"):
        if key not in data:
            raise RuleFileError(f"{where}: missing key {key!r}")
    if path.stem != data["id"]:
        raise RuleFileError(f"{where}: id {data['id']!r} must match the file name")
    families = families or {}
    if data["family"] not in families:
        raise RuleFileError(f"{where}: family must be one of {', '.join(families)} (rules/families.yaml)")
    folder = path.parent.name
    if families[data["family"]]["folder"] != folder:
        raise RuleFileError(f"{where}: family {data['family']} belongs in folder "
                            f"{families[data['family']]['folder']}/, not {folder}/")
    if data["severity"] not in SEVERITIES:
        raise RuleFileError(f"{where}: severity must be one of {', '.join(sorted(SEVERITIES))}")
    if data["shortfall"] not in SHORTFALLS:
        raise RuleFileError(f"{where}: shortfall must be one of {', '.join(sorted(SHORTFALLS))}")
    if data["severity"] != "violation" and data["shortfall"] != "none":
        raise RuleFileError(f"{where}: only violations carry a shortfall")
    effective_from = _date(data["effective_from"], f"{where}: effective_from")
    citations = []
    for c in data["legal_basis"] or []:
        if not isinstance(c, dict):
            raise RuleFileError(f"{where}: legal_basis entries are {{citation, domain, mark}} and optionally from")
        unknown = set(c) - {"citation", "domain", "mark", "from", "until", "when"}
        if unknown or c.get("mark") not in MARKS or not c.get("citation"):
            raise RuleFileError(f"{where}:{_line(c)}: legal_basis entry needs citation, domain and a mark "
                                f"({', '.join(sorted(MARKS))}), and optionally from, until and when")
        since = _date(c.get("from"), f"{where}:{_line(c)}: from")
        until = _date(c.get("until"), f"{where}:{_line(c)}: until")   # the last day this wording applied
        year = citation_year(str(c["citation"]))
        if since is None and year is not None and year > effective_from.year:
            raise RuleFileError(f"{where}:{_line(c)}: {c['citation']!r} is dated {year}, after the rule's "
                                f"effective_from {effective_from}: give the date it took effect (from: YYYY-MM-DD)")
        if c.get("when") is not None:
            check_condition(c["when"], fields, params, where)
        citations.append(Citation(str(c["citation"]), str(c.get("domain", "")), c["mark"], since, c.get("when"), until))
    if not citations:
        raise RuleFileError(f"{where}: legal_basis needs at least one citation")
    unconfirmed = bool(data.get("unconfirmed", False))
    if any(c.mark == "UNCONFIRMED" for c in citations) and not unconfirmed:
        raise RuleFileError(f"{where}: cites an UNCONFIRMED fact: set `unconfirmed: true`")
    if unconfirmed and data["severity"] == "violation":
        raise RuleFileError(f"{where}: an UNCONFIRMED fact may drive only a warning or info finding")
    check_condition(data["when"], fields, params, where)
    variants = []
    for v in data.get("message_variants") or []:
        if not isinstance(v, dict) or set(v) != {"when", "message"}:
            raise RuleFileError(f"{where}:{_line(v)}: a message variant is {{when, message}}")
        check_condition(v["when"], fields, params, where)
        variants.append((v["when"], _texts(v["message"], f"{where}:{_line(v)}: message")))
    used = set()
    for texts in [data["title"], data["message"]] + [m for _, m in variants]:
        for lang, template in dict(texts).items():
            used |= check_template(str(template), fields, f"{where}:{_line(texts)}")
    for name in data.get("details") or []:
        if name not in fields:
            raise RuleFileError(f"{where}: details: unknown field {name!r}")
    for name in data.get("parameters") or []:
        if name not in params and not any(n.startswith(name + ".") for n in params.names()):
            raise RuleFileError(f"{where}: parameters: unknown parameter {name!r}")
    cells = data.get("cells") or []
    if not isinstance(cells, list) or not all(isinstance(c, str) for c in cells):
        raise RuleFileError(f"{where}: cells: a list of payroll columns (columns.yaml), e.g. [kpj, nik]")
    tests = []
    for case in data.get("tests") or []:
        if not isinstance(case, dict) or set(case) - CASE_KEYS or "name" not in case or "expect" not in case:
            raise RuleFileError(f"{where}:{_line(case)}: a test case has name, rows, expect and optionally "
                                "period, company, registry, compliant")
        tests.append(case)
    return Rule(
        id=data["id"], version=int(data["version"]), family=data["family"], severity=data["severity"],
        title=_texts(data["title"], f"{where}: title"), message=_texts(data["message"], f"{where}: message"),
        legal_basis=tuple(citations), effective_from=effective_from,
        effective_to=_date(data.get("effective_to"), f"{where}: effective_to"), when=data["when"],
        message_variants=tuple(variants),
        shortfall=data["shortfall"], details=tuple(data.get("details") or ()),
        parameters=tuple(data.get("parameters") or ()), unconfirmed=unconfirmed,
        description=str(data.get("description", "")), tests=tuple(tests), path=where,
        uses=_uses(used, data.get("details") or (), fields), cells=tuple(cells),
        todo=_texts(data["todo"], f"{where}: todo") if "todo" in data else {},
        counts_as=_counts_as(data.get("counts_as"), where))


def _counts_as(value, where: str) -> str | None:
    if value is not None and value not in COUNTS:
        raise RuleFileError(f"{where}: counts_as: {value!r} is not one of {', '.join(sorted(COUNTS))}")
    return value


def _uses(placeholders: set[str], details, fields: dict) -> tuple[str, ...]:
    """The context fields a rule's findings keep: what every finding shows, what its messages
    and details read (and the missing_* flags behind {missing_programs})."""
    names = list(BASE_FIELDS) + [n for n in sorted(placeholders) if n in fields] + list(details)
    if "missing_programs" in placeholders:
        names += [f"missing_{p}" for p in CHECKED_PROGRAMS]
    return tuple(dict.fromkeys(names))


def load_rules(folder: Path, params: Parameters, families: dict) -> list[Rule]:
    """Every rule file of a rules folder. A folder of rule files that no family claims is an
    error, so that a rule is never silently left out."""
    from compliance.engine.context import FIELDS

    folder = Path(folder)
    known = {spec["folder"] for spec in families.values()}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and p.name != "parameters"):
        if sub.name not in known and any(sub.glob("*.yaml")):
            raise RuleFileError(f"{sub}: not the folder of a known rule family ({', '.join(sorted(known))}; "
                                "rules/families.yaml)")
    rules = []
    for spec in families.values():
        for path in sorted((folder / spec["folder"]).glob("*.yaml")):
            rules.append(load_rule(path, FIELDS, params, families))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise RuleFileError(f"{folder}: duplicate rule ids")
    return rules
