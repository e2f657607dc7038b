"""Company details from a company sheet (key-value rows) and the period from title rows."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from compliance.errors import Term, UnusableInput

from compliance.ingest.values import MONTH_NAMES_RE, MONTHS
from compliance.model import ColumnCatalog, Company, CompanyValues, Period, normalize

_MONTH_OF = {name: m for m, names in MONTHS.items() for name in names}

def load_company_values(path) -> CompanyValues:
    """rules/company_values.yaml: the words for each size and JKK risk class, and their labels."""
    from compliance.errors import RuleFileError
    from compliance.resources import check_keys, load_yaml

    data = load_yaml(path)
    where = str(path)
    check_keys(data, {"version", "sizes", "risks"}, where)
    tables = {}
    for kind in ("sizes", "risks"):
        out = {}
        for name, spec in (data.get(kind) or {}).items():
            at = f"{where}: {kind}.{name}"
            check_keys(spec, {"label", "words"}, at)
            if not isinstance(spec.get("label"), dict) or set(spec["label"]) != {"id", "en"}:
                raise RuleFileError(f"{at}: label needs Indonesian and English texts {{id: ..., en: ...}}")
            out[str(name)] = (dict(spec["label"]), tuple(normalize(str(w)) for w in spec.get("words") or []))
        if not out:
            raise RuleFileError(f"{where}: no {kind}")
        tables[kind] = out
    return CompanyValues(tables["sizes"], tables["risks"])


def _lookup(table: dict[str, tuple], value: object) -> str | None:
    key = normalize(value)
    key = re.sub(r"^(?:tingkatrisiko|risiko|skalausaha|usaha)", "", key) or key
    for canonical, (_, words) in table.items():
        if key in words or key == canonical.replace("-", ""):
            return canonical
    return None


def parse_size(value: object, words: CompanyValues) -> str | None:
    return _lookup(words.sizes, value)


def parse_risk(value: object, words: CompanyValues) -> str | None:
    return _lookup(words.risks, value)


def parse_period(value: object) -> Period | None:
    """'Juni 2025', 'JUNI 2025', '06/2025', '6-2025', '2025-06', a date cell, or text containing
    'BULAN JUNI 2025'."""
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return Period(value.year, value.month)
    if not isinstance(value, str):
        return None
    t = value.strip().lower()
    m = re.search(rf"\b({MONTH_NAMES_RE})\.?\s*[-/ ]?\s*(\d{{4}})\b", t)
    if m:
        return Period(int(m.group(2)), _MONTH_OF[m.group(1)])
    m = re.fullmatch(r"(\d{4})\s*[-/.]\s*(\d{1,2})", t)
    if m and 1 <= int(m.group(2)) <= 12:
        return Period(int(m.group(1)), int(m.group(2)))
    m = re.fullmatch(r"(\d{1,2})\s*[-/.]\s*(\d{4})", t)
    if m and 1 <= int(m.group(1)) <= 12:
        return Period(int(m.group(2)), int(m.group(1)))
    return None


def is_company_sheet(name: str | None, catalog: ColumnCatalog) -> bool:
    return name is not None and normalize(name) in {normalize(n) for n in catalog.company_sheet_names}


def read_company_sheet(grid: pd.DataFrame, sheet: str | None, catalog: ColumnCatalog) -> Company:
    """Key-value rows: the key in one cell, the value in the next filled cell to its right (or
    "Key: value" in one cell). Used for a company sheet (`sheet` its name) and for the rows above
    a payroll header (`sheet` None: title rows). Where each value came from is a source code
    (compliance.texts.source_words): "sheet-row|Perusahaan|3" or "title-row|2"."""
    keys = {normalize(a): field for field, aliases in catalog.company_fields.items() for a in aliases}
    found: dict[str, object] = {}
    where: dict[str, str] = {}
    for r in range(min(len(grid), 200)):
        cells = []
        for v in grid.iloc[r].tolist():
            if v in ("", None) or (isinstance(v, float) and v != v):
                continue
            if isinstance(v, str) and ":" in v and keys.get(normalize(v.split(":", 1)[0])):
                cells += [part.strip() for part in v.split(":", 1)]     # "Skala Usaha: Mikro" in one cell
            else:
                cells.append(v)
        i = 0
        while i < len(cells) - 1:
            field = keys.get(normalize(cells[i]))
            if field and field not in found:
                found[field] = cells[i + 1]
                where[field] = f"sheet-row|{sheet}|{r + 1}" if sheet is not None else f"title-row|{r + 1}"
                i += 2
            else:
                i += 1
    values: dict[str, object] = {}
    if "name" in found:
        values["name"] = str(found["name"]).strip()
    if "address" in found:
        values["address"] = str(found["address"]).strip()
    if "province" in found:
        values["province"] = str(found["province"]).strip()
    if "regency" in found:
        values["regency"] = str(found["regency"]).strip()
    if "npp" in found:
        npp = found["npp"]
        values["npp"] = str(int(npp)) if isinstance(npp, float) and npp.is_integer() else str(npp).strip()
    if "size" in found:
        values["size"] = parse_size(found["size"], catalog.values)
    if "jkk_risk" in found:
        values["jkk_risk"] = parse_risk(found["jkk_risk"], catalog.values)
    if "period" in found:
        values["period"] = parse_period(found["period"])
    unread = {k: {"at": where[k], "value": str(found[k])} for k, v in values.items() if v is None}
    values = {k: v for k, v in values.items() if v is not None}
    return Company(**values, sources={k: where[k] for k in values}, unread=unread)


def period_from_titles(grid: pd.DataFrame, header_index: int, sheet: str | None) -> tuple[Period | None, str | None]:
    """A period named in the title rows above the header ("... BULAN JUNI 2025"), else in the sheet name."""
    for r in range(header_index):
        for v in grid.iloc[r].tolist():
            if isinstance(v, str) and v.strip():
                p = parse_period(v)
                if p:
                    return p, f"title-row|{r + 1}"
    if sheet:
        p = parse_period(sheet)
        if p:
            return p, f"sheet-name|{sheet}"
    return None, None


def name_from_titles(grid: pd.DataFrame, header_index: int) -> str | None:
    """'PT ...', 'CV ...' named in a title row."""
    for r in range(header_index):
        for v in grid.iloc[r].tolist():
            if isinstance(v, str):
                m = re.search(r"\b((?:PT|CV|UD|PD|KOPERASI)\.?\s+[A-Z0-9][\w.&' -]*?)(?:\s+-\s+|\s+(?:BULAN|PERIODE|"
                              rf"TAHUN|DAFTAR|{MONTH_NAMES_RE.upper()})\b|$)", v.strip())
                if m:
                    return m.group(1).strip()
    return None


def company_from_values(values: dict, words: CompanyValues, source: str = "option") -> Company | None:
    """Company details as users type them (name, address, npp, size, jkk_risk, period, province,
    regency): the same forms a company sheet may use. None when nothing is given. A value not
    understood is an UnusableInput ("value-not-understood") naming the field and what is accepted."""
    given = {k: v for k, v in values.items() if v is not None and str(v).strip() != ""}
    for key, parse in (("size", lambda v: parse_size(v, words)), ("jkk_risk", lambda v: parse_risk(v, words)),
                       ("period", parse_period)):
        if key in given:
            text = given[key]
            given[key] = parse(text)
            if given[key] is None:
                raise not_understood(key, text, words)
    return Company(**given, sources={k: source for k in given}) if given else None


def not_understood(key: str, text, words: CompanyValues):
    accepted = {"size": [f"{n} ({label['id']})" for n, (label, _) in words.sizes.items()],
                "jkk_risk": [f"{n} ({label['id']})" for n, (label, _) in words.risks.items()],
                "period": ["2025-06", "06/2025", "Juni 2025"]}[key]
    return UnusableInput("value-not-understood", field=Term(f"company:{key}"), value=str(text),
                         accepted_values=accepted, option=key)


def parse_column_map(pairs) -> dict[str, str]:
    """`FIELD=Header` pairs (--map, a form's `map` fields) as {field: header}."""
    out = {}
    for item in pairs:
        field, sep, header = str(item).partition("=")
        if not sep or not field.strip() or not header.strip():
            raise UnusableInput("map-not-a-pair", item=str(item), option="map")
        out[field.strip()] = header.strip().strip('"')
    return out
