"""Load a rules folder once into one RuleSet value: rules, dated parameters, rule families,
column aliases (payroll, registry and the audit's lists), worker types and the outputs' texts. A
worker process or a web server loads it once and passes it to every check; `--rules DIR` changes
all of it.

It sits above both ingestion (column catalogs, header words, worker types) and the engine (rules
and parameters), so that neither of those imports the other."""
from __future__ import annotations

from pathlib import Path

from compliance.engine.parameters import load_parameters
from compliance.engine.rules import load_rules
from compliance.errors import RuleFileError
from compliance.model import RuleSet
from compliance.resources import check_keys, load_yaml
from compliance.texts import LANGS, with_field_terms


def load_rule_set(folder: str | Path | None = None) -> RuleSet:
    """The rule set of a folder (default: the bundled rules/)."""
    from dataclasses import replace

    from compliance.engine.context import FIELDS
    from compliance.ingest import load_column_catalog, load_employment_types, load_header_words
    from compliance.ingest.company import load_company_values
    from compliance.resources import rules_dir

    folder = Path(folder) if folder is not None else rules_dir()
    if not folder.is_dir():
        raise RuleFileError(f"{folder}: no such rules folder")
    params = load_parameters(folder / "parameters")
    families = load_families(folder / "families.yaml")
    rules = load_rules(folder, params, families)
    check_every_parameter_is_read(params, rules)
    version_file = folder / "VERSION"
    version = version_file.read_text(encoding="utf-8").strip() if version_file.exists() else "unversioned"
    columns = load_column_catalog(folder / "columns.yaml")
    columns = replace(columns, words=load_header_words(folder / "header_words.yaml", set(columns.columns)),
                      values=load_company_values(folder / "company_values.yaml"))
    for rule in rules:
        unknown = [c for c in rule.cells if c not in columns.columns]
        if unknown:
            raise RuleFileError(f"{rule.path}: cells: {', '.join(unknown)} not a payroll column of columns.yaml")
    employment_types = load_employment_types(folder / "employment_types.yaml")
    catalogs = {"field": columns}
    for prefix, name in (("registry", "registry_columns.yaml"), ("companies-list", "companies_columns.yaml"),
                         ("licence-list", "licences_columns.yaml")):
        # the lists are read with the same word matcher as payrolls, with their own fields (issue 20)
        catalog = load_column_catalog(folder / name)
        catalogs[prefix] = replace(catalog, words=load_header_words(folder / "header_words.yaml",
                                                                    set(catalog.columns), prefix))
    labels = {prefix: {n: spec.label for n, spec in c.columns.items()} for prefix, c in catalogs.items()}
    labels["size"] = {n: label for n, (label, _) in columns.values.sizes.items()}
    labels["risk"] = {n: label for n, (label, _) in columns.values.risks.items()}
    labels["type"] = dict(employment_types.labels)
    texts = with_field_terms(load_texts(folder / "texts.yaml"), labels)
    return RuleSet(rules, params, version, str(folder), FIELDS, columns=columns,
                   registry_columns=catalogs["registry"], companies_columns=catalogs["companies-list"],
                   licences_columns=catalogs["licence-list"],
                   employment_types=employment_types,
                   families=families, texts=texts)


ABOUT = ("workers", "wages", "programs", "employer")


def load_families(path: Path) -> dict[str, dict]:
    data = load_yaml(path)
    where = str(path)
    if not isinstance(data, dict):
        raise RuleFileError(f"{where}: expected a mapping")
    check_keys(data, {"version", "families"}, where)
    out = {}
    for code, spec in (data.get("families") or {}).items():
        at = f"{where}: families.{code}"
        if not isinstance(spec, dict):
            raise RuleFileError(f"{at}: expected {{folder, title, heading}}")
        check_keys(spec, {"folder", "title", "heading", "about", "unpaid_contributions"}, at)
        if spec.get("about") not in ABOUT:
            raise RuleFileError(f"{at}.about: expected one of {', '.join(ABOUT)}")
        if not isinstance(spec.get("unpaid_contributions", False), bool):
            raise RuleFileError(f"{at}.unpaid_contributions: expected true or false")
        for key in ("title", "heading"):
            if not isinstance(spec.get(key), dict) or set(spec[key]) != set(LANGS):
                raise RuleFileError(f"{at}.{key}: expected texts in {' and '.join(LANGS)}")
        if not spec.get("folder"):
            raise RuleFileError(f"{at}: folder missing")
        out[str(code)] = {"folder": str(spec["folder"]), "title": dict(spec["title"]), "heading": dict(spec["heading"]),
                          "about": spec["about"], "unpaid_contributions": bool(spec.get("unpaid_contributions"))}
    if not out:
        raise RuleFileError(f"{where}: no families")
    return out


def load_texts(path: Path) -> dict[str, dict]:
    """Texts by language; every language must have the same keys (nested)."""
    data = load_yaml(path)
    where = str(path)
    if not isinstance(data, dict) or set(data) != set(LANGS):
        raise RuleFileError(f"{where}: expected one section per language: {', '.join(LANGS)}")
    ref = _keys(data[LANGS[0]])
    for lang in LANGS[1:]:
        keys = _keys(data[lang])
        if keys != ref:
            diff = sorted(ref ^ keys)[:5]
            raise RuleFileError(f"{where}: languages {LANGS[0]} and {lang} differ in {', '.join(diff)}")
    return {lang: data[lang] for lang in LANGS}


def _keys(node, prefix: str = "") -> set[str]:
    if not isinstance(node, dict):
        return {prefix}
    out = set()
    for k, v in node.items():
        out |= _keys(v, f"{prefix}.{k}" if prefix else str(k))
    return out


def check_every_parameter_is_read(params, rules) -> None:
    """A parameter that neither the engine nor any rule reads is a load error naming its file:
    a number in rules/ that changes nothing is a silent mistake."""
    from compliance.engine.context import ENGINE_PARAMETERS
    from compliance.engine.rules import condition_params

    read = set()
    for rule in rules:
        read |= set(rule.parameters) | condition_params(rule.when)
        for cond, _ in rule.message_variants:
            read |= condition_params(cond)
        for c in rule.legal_basis:
            read |= condition_params(c.when)
    for name in params.names():
        if name.startswith(ENGINE_PARAMETERS) or any(name == r or name.startswith(r + ".") for r in read):
            continue
        raise RuleFileError(f"{params.get(name).source}: parameter {name} is read by no rule and not by the "
                            "engine; remove it or name it in a rule's `parameters:` or condition")
