"""Words for codes: refusals (`problems:`), what a check assumed or could not do (`notices:`),
data issues (`issues:`) and the small words inside them (`terms:`), from rules/texts.yaml in
Indonesian and English. A face passes its rule set's texts (`--rules DIR` changes them); without
one, the bundled texts are read once.

A template is a str.format template over the code's data: lists are joined with ", ", a Term is
looked up in `terms:`, a placeholder the data lacks is looked up in `terms:` (shared phrases such
as {accepted}), else shown as "-"; a part in [[double brackets]] is left out when a placeholder
in it has no value (" of sheet '{sheet}'" for a CSV). A template never fails on its data.
"""
from __future__ import annotations

import functools
import re
import string

from compliance.errors import Term

LANGS = ("id", "en")


# the column catalogs whose field labels become terms: `field:nik`, `registry:status`, ...
CATALOG_TERMS = {"field": "columns.yaml", "registry": "registry_columns.yaml",
                 "companies-list": "companies_columns.yaml", "licence-list": "licences_columns.yaml"}


@functools.lru_cache(maxsize=1)
def bundled() -> dict:
    """The bundled texts with the bundled catalogs' field labels as terms (for a face that has
    no rule set, e.g. when the rule set itself could not be loaded)."""
    from compliance.resources import load_yaml, rules_dir

    folder = rules_dir()
    labels = {prefix: {name: spec.get("label", {}) for name, spec in (load_yaml(folder / f).get("columns") or {}).items()}
              for prefix, f in CATALOG_TERMS.items()}
    values = load_yaml(folder / "company_values.yaml")
    labels["size"] = {n: spec["label"] for n, spec in values["sizes"].items()}
    labels["risk"] = {n: spec["label"] for n, spec in values["risks"].items()}
    labels["type"] = {n: spec["label"] for n, spec in load_yaml(folder / "employment_types.yaml")["types"].items()}
    return with_field_terms(load_yaml(folder / "texts.yaml"), labels)


def with_field_terms(texts: dict, labels: dict[str, dict[str, dict]]) -> dict:
    """Texts whose `terms:` also hold the labels kept beside their data, by language
    ({prefix: {name: {id, en}}} -> terms["prefix:name"]): catalog fields (`field:nik`,
    `registry:status`), sizes (`size:small`), risk classes (`risk:low`), worker types (`type:daily`)."""
    out = {}
    for lang, section in texts.items():
        terms = dict(section.get("terms") or {})
        for prefix, fields in labels.items():
            for name, label in fields.items():
                terms.setdefault(f"{prefix}:{name}", (label or {}).get(lang, name))
        if "type" in labels:             # what a worker-type cell may say, in the user's words
            terms.setdefault("known-types", ", ".join(terms[f"type:{t}"] for t in labels["type"]))
        out[lang] = {**section, "terms": terms}
    return out


def _section(texts: dict | None, lang: str, section: str) -> dict:
    texts = texts or bundled()
    return texts["en" if lang == "en" else "id"].get(section) or {}


class _Data(dict):
    def __init__(self, data: dict, terms: dict):
        super().__init__(data)
        self.terms = terms

    def __missing__(self, key):
        return self.terms.get(key, "-")

    def __getitem__(self, key):
        if key not in self:
            return self.__missing__(key)
        return shown(super().__getitem__(key), self.terms)


def shown(value, terms: dict):
    """A data value as it appears in words."""
    if isinstance(value, Term):
        return terms.get(str(value), str(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(shown(v, terms)) for v in value)
    if value is None:
        return "-"
    return value


_OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.S)


def fill(template: str, data: dict, lang: str, texts: dict | None = None) -> str:
    terms = _section(texts, lang, "terms")

    def optional(m: re.Match) -> str:
        names = [n for _, n, _, _ in string.Formatter().parse(m.group(1)) if n]
        return m.group(1) if all(data.get(n) not in (None, "", []) for n in names) else ""

    try:
        return string.Formatter().vformat(_OPTIONAL.sub(optional, template), (), _Data(data, terms))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return template


def words(section: str, code: str, data: dict | None, lang: str, texts: dict | None = None) -> str:
    """The words of one code in a section (problems, notices, issues, terms)."""
    template = _section(texts, lang, section).get(code)
    if template is None:                     # a code with no words yet: never a crash, never silence
        detail = ", ".join(f"{k}={shown(v, {})}" for k, v in (data or {}).items())
        return f"{code}" + (f" ({detail})" if detail else "")
    return fill(str(template), data or {}, lang, texts)


def problem_words(code: str, data: dict, lang: str, texts: dict | None = None, file: str | None = None) -> str:
    text = words("problems", code, data, lang, texts)
    return f"{file}: {text}" if file else text


def term(code: str, lang: str, texts: dict | None = None) -> str:
    """One small word: a severity, a worker type's short name, a size, a risk class."""
    return str(_section(texts, lang, "terms").get(code, code))


def notice(code: str, **data) -> dict:
    """What a check assumed or could not do, as data: {code, data}; faces word it."""
    return {"code": code, "data": data}


def notice_words(n: dict, lang: str, texts: dict | None = None) -> str:
    return words("notices", n["code"], n.get("data"), lang, texts)


def issue_words(code: str, lang: str, texts: dict | None = None, value=None, column=None, detail=None) -> str:
    """A data issue's sentence (templates use {value!r}: the cell as read)."""
    template = _section(texts, lang, "issues").get(code, code)
    try:
        return str(template).format(value=value, column=column, detail="" if detail is None else detail,
                                    known_types=_section(texts, lang, "terms").get("known-types", detail))
    except (ValueError, KeyError, IndexError):
        return str(template)


def source_words(code: str | None, lang: str, texts: dict | None = None) -> str:
    """Where a company detail came from ("sheet-row|Perusahaan|3" -> "sheet 'Perusahaan' baris 3")."""
    if not code:
        return "-"
    kind, *args = str(code).split("|")
    template = _section(texts, lang, "sources").get(kind)
    return str(template).format(*args) if template else str(code)
