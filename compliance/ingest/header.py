"""Find the header row, map headers to canonical columns (aliases from rules/columns.yaml)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from compliance.errors import RuleFileError, Term, UnusableInput
from compliance.model import ColumnCatalog, ColumnSpec, normalize
from compliance.resources import check_keys, load_yaml
from compliance.texts import notice

__all__ = ["ColumnCatalog", "ColumnSpec", "normalize", "load_catalog", "find_header", "resolve_columns"]

HEADER_SCAN_ROWS = 40
COLUMN_TYPES = {"nik", "kpj", "text", "money", "date", "employment_type", "flag", "program_list",
                "nationality", "count"}


def load_catalog(path: Path) -> ColumnCatalog:
    """Column aliases (rules/columns.yaml or rules/registry_columns.yaml), strictly."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise RuleFileError(f"{path}: expected a mapping")
    check_keys(data, {"version", "columns", "company_sheet_names", "company_fields", "identity"}, str(path))
    columns: dict[str, ColumnSpec] = {}
    lookup: dict[str, list[str]] = {}
    plain: dict[str, str] = {}
    for name, spec in data["columns"].items():
        where = f"{path}: columns.{name}"
        check_keys(spec, {"type", "required", "label", "description", "aliases", "ambiguous_aliases", "max"}, where)
        if "max" in spec and (spec["type"] != "money" or not isinstance(spec["max"], (int, float))
                              or isinstance(spec["max"], bool) or spec["max"] <= 0):
            raise RuleFileError(f"{where}: max is a positive amount, for a money column only")
        if spec.get("type") not in COLUMN_TYPES:
            raise RuleFileError(f"{where}: type must be one of {', '.join(sorted(COLUMN_TYPES))}")
        for key in ("label", "description"):
            if not isinstance(spec.get(key), dict) or set(spec[key]) != {"id", "en"}:
                raise RuleFileError(f"{where}: {key} needs Indonesian and English texts {{id: ..., en: ...}}")
        col = ColumnSpec(name, spec["type"], bool(spec.get("required", False)), dict(spec["description"]),
                         tuple(spec.get("aliases", [])), tuple(spec.get("ambiguous_aliases", [])),
                         dict(spec["label"]), float(spec["max"]) if "max" in spec else None)
        columns[name] = col
        for alias in col.aliases:
            key = normalize(alias)
            if key in plain and plain[key] != name:
                raise RuleFileError(f"{where}: alias {alias!r} already belongs to {plain[key]}")
            if key not in plain:
                plain[key] = name
                lookup.setdefault(key, []).append(name)
        for alias in col.ambiguous_aliases:
            lookup.setdefault(normalize(alias), []).append(name)
    fields = {k: tuple(v) for k, v in data.get("company_fields", {}).items()}
    identity = tuple(data.get("identity") or ())
    if set(identity) - set(columns):
        raise RuleFileError(f"{path}: identity: {', '.join(sorted(set(identity) - set(columns)))} not a column")
    return ColumnCatalog(columns, tuple(data.get("company_sheet_names", [])), fields,
                         {k: tuple(v) for k, v in lookup.items()}, identity=identity)


@dataclass
class Header:
    row_index: int                     # index into the grid of the (last) header row
    matches: dict[int, tuple[str, str]]   # grid column -> (header text, candidates joined by "|")
    score: int
    texts: dict[int, str]              # grid column -> header text (matched or not)
    top: int | None = None             # index of the header's first row (a two-row header: the row above)


# a cell that is data, not a header word: a number, a date, an amount, a 16-digit ID
_DATA_TEXT = re.compile(r"\s*(?:rp\.?\s*)?[-+]?\d[\d.,/\s:-]*\s*", re.I)


def _cell_text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def data_cells(row: list) -> int:
    """How many cells of a row are data (numbers, dates, amounts, IDs) rather than words."""
    n = 0
    for v in row:
        if isinstance(v, str):
            n += bool(v.strip()) and _DATA_TEXT.fullmatch(v) is not None
        elif v is not None and not isinstance(v, bool) and not (isinstance(v, float) and v != v):
            n += 1
    return n


def _groups(above: list, cells: list) -> dict[int, str]:
    """Group cells of the row above a header row (a merged "Tunjangan" over "Tetap | Tidak Tetap",
    "BPJS Ketenagakerjaan" over "JHT | JKK | JKM | JP"): column -> the group's text, spread right
    over the empty cells of the row above while the row below has words. Only a row above with
    several words and no data is a header's first row."""
    words = [_cell_text(v) for v in above]
    if sum(w is not None for w in words) < 2 or data_cells(above):
        return {}
    out, group = {}, None
    for c, (w, below) in enumerate(zip(words, cells)):
        if w is not None:
            group = w if _cell_text(below) is not None else None
        elif _cell_text(below) is None:
            group = None
        if group is not None and _cell_text(below) is not None:
            out[c] = group
    return out


def find_header(grid: pd.DataFrame, catalog: ColumnCatalog) -> Header | None:
    """The header row, chosen by weighing every row of the first rows: the canonical columns its
    words match (completed by the row above for a header over two rows: a cell merged down such as
    "Nama", or a group cell such as "Tunjangan" over "Tetap"), less the cells that are data (a row
    of dates, amounts and 16-digit numbers is a worker, whatever words it holds). None when no row
    matches at least two columns including NIK or name."""
    head = grid.iloc[:HEADER_SCAN_ROWS]
    rows = [list(head.iloc[r]) for r in range(len(head))]
    data = [data_cells(r) for r in rows]
    best: Header | None = None
    for r, cells in enumerate(rows):
        above = rows[r - 1] if r else [None] * len(cells)
        groups = _groups(above, cells) if r else {}
        header_above = bool(groups) or (r > 0 and not data[r - 1] and sum(_cell_text(v) is not None
                                                                            for v in above) >= 2)
        matches: dict[int, tuple[str, str]] = {}
        texts: dict[int, str] = {}
        used_above = False
        for c, value in enumerate(cells):
            own, group = _cell_text(value), groups.get(c)
            combined = f"{group} {own}" if group and own and group != own else None
            merged_down = _cell_text(above[c]) if own is None and header_above else None
            for t in (t for t in (own, combined, merged_down) if t):
                cands = catalog.match(t)
                if cands:
                    matches[c] = (t, "|".join(cands))
                    break
            shown = matches[c][0] if c in matches else (combined or own or merged_down)
            if shown:
                texts[c] = shown
                used_above |= shown != own
        kinds = {m[1] for m in matches.values()}
        key_found = any("nik" in k.split("|") or "name" in k.split("|") for k in kinds)
        score = len(kinds) - data[r]
        if key_found and len(kinds) >= 2 and score >= 1 and (best is None or score > best.score):
            best = Header(r, matches, score, texts, r - 1 if used_above and r else r)
    return best


def likely_header(grid: pd.DataFrame) -> list[str]:
    """The texts of the row that looks most like a header (most words, fewest data cells) when no
    row matched: what a user may map each field to (--map, the page) instead of a dead end."""
    best, texts = 1, []
    for r in range(min(len(grid), HEADER_SCAN_ROWS)):
        row = list(grid.iloc[r])
        words = [t for t in (_cell_text(v) for v in row) if t and not _DATA_TEXT.fullmatch(t)]
        if len(words) - data_cells(row) > best:
            best, texts = len(words) - data_cells(row), words
    return texts


def resolve_columns(header: Header, data: pd.DataFrame, catalog: ColumnCatalog, path: str,
                    worker_types: dict | None = None) -> tuple[dict[str, int], dict[str, str], list[dict], list[dict]]:
    """Decide which grid column is which canonical column.

    Returns (canonical -> grid column, canonical -> header text, headers not used as
    {header, guess?, score?, second_for?}, notes as notices).
    A header that may mean the NIK or the employee number ("NIK") is decided from its values:
    the column whose values are mostly 16 digits is the NIK.
    """
    chosen: dict[str, int] = {}
    texts: dict[str, str] = {}
    unmapped: list[dict] = []
    notes: list[dict] = []
    ambiguous: list[int] = []
    alternatives: dict[str, list] = {}     # field -> (column, header, its "not used" entry): next best
    for c in sorted(header.matches):
        text, cands = header.matches[c]
        options = cands.split("|")
        if len(options) > 1:
            ambiguous.append(c)
            continue
        name = options[0]
        if name in chosen:
            unmapped.append({"header": text, "second_for": name})
            alternatives.setdefault(name, []).append((c, text, unmapped[-1]))
            continue
        chosen[name], texts[name] = c, text
    nik_candidates = ([chosen["nik"]] if "nik" in chosen else []) + ambiguous
    if ambiguous:
        shares = {c: share_16_digits(data[c]) for c in nik_candidates}
        best = max(nik_candidates, key=lambda c: (shares[c], c not in ambiguous))
        lone = len(nik_candidates) == 1
        if "nik" not in chosen and (shares[best] >= 0.5 or (lone and (shares[best] > 0 or
                                                                        _first_value(data[best]) is None))):
            # a lone "NIK" column is the national ID unless not one value looks like one
            chosen["nik"], texts["nik"] = best, header.matches[best][0]
        elif "nik" in chosen and best in ambiguous and shares[best] >= 0.5 > shares[chosen["nik"]]:
            chosen["nik"], texts["nik"] = best, header.matches[best][0]
        for c in ambiguous:
            if chosen.get("nik") == c:
                continue
            text = header.matches[c][0]
            if "employee_id" not in chosen:
                chosen["employee_id"], texts["employee_id"] = c, text
                sample = _first_value(data[c])
                notes.append(notice("employee-numbers", header=text, sample=sample))
            else:
                unmapped.append({"header": text})
    for c, entry in not_understood(header, catalog, set(chosen)):
        unmapped.append(entry)
        if entry.get("guess"):
            alternatives.setdefault(entry["guess"], []).append((c, entry["header"], entry))
    _confirm_by_values(chosen, texts, unmapped, alternatives, data, worker_types)
    order = sorted(chosen, key=chosen.get)
    chosen = {n: chosen[n] for n in order}
    texts = {n: texts[n] for n in order}
    missing = [n for n in catalog.required() if n not in chosen]
    if catalog.identity and not set(catalog.identity) & set(chosen):
        # no column identifies the workers: not the NIK, nor the KPJ, an employee number or a birth date
        accepted = [a for n in catalog.identity for a in catalog.columns[n].aliases[:3]]
        needs = [f"column:{n}" for n in list(catalog.identity) + missing]
        raise UnusableInput("no-identity-column", file=path, needs=needs,
                            accepted=accepted, headers=list(header.texts.values()))
    if missing:
        accepted = [a for n in missing for a in (catalog.columns[n].aliases + catalog.columns[n].ambiguous_aliases)[:6]]
        employee_numbers = next((n["data"] for n in notes if n["code"] == "employee-numbers"), {})
        raise UnusableInput("column-missing", file=path, needs=[f"column:{n}" for n in missing],
                            fields=[Term(f"field:{n}") for n in missing], accepted=accepted,
                            headers=list(header.texts.values()), **employee_numbers)
    return chosen, texts, unmapped, notes


def not_understood(header: Header, catalog: ColumnCatalog, chosen: set) -> list[tuple[int, dict]]:
    """The headers that matched no field: (column, {header, guess?, score?}), the guess being the
    field (not yet chosen) the header most resembles."""
    out = []
    for c, text in sorted(header.texts.items()):
        if c not in header.matches:
            guess = catalog.guess(text, exclude=chosen)
            out.append((c, {"header": text, "guess": guess[0], "score": round(guess[1], 2)} if guess
                        else {"header": text}))
    return out


# values that say a guess is wrong (issue 20): a column headed like the worker type that holds
# marital status (tax status K/1, TK/0) or an active flag; a start date that holds no dates; a KPJ
# column that holds 13-digit BPJS Kesehatan card numbers
_MARITAL = r"(?:tk|k|hb)(?:\s*[/-]?\s*(?:[0-9]|i\b))+|(?:belum |tidak )?kawin|lajang|menikah|cerai(?: hidup| mati)?|" \
           r"janda|duda|single|married|divorced|widowed"
_ACTIVE = r"aktif|non[\s-]?aktif|tidak aktif|active|inactive|resign(?:ed)?"


def _worker_type_values(sample: pd.Series, kinds: pd.Series, types: dict | None = None) -> str | None:
    text = sample.astype(str).str.strip().str.lower()
    if text.str.fullmatch(_MARITAL).mean() >= 0.5:
        return "marital-status"
    if text.str.fullmatch(_ACTIVE).mean() >= 0.5:
        return "active-flag"
    if types:      # most values must be worker types (rules/employment_types.yaml), never a column of other words
        from compliance.ingest.values import parse_employment_type

        known, _, _ = parse_employment_type(sample, types, "employment_type", kinds)
        if known.notna().mean() < 0.5:
            return "not-worker-types"
    return None


def _date_values(sample: pd.Series, kinds: pd.Series) -> str | None:
    from compliance.ingest.values import NUM, parse_date

    parsed, _ = parse_date(sample, "date", kinds)
    small = (kinds == NUM) & (pd.to_numeric(sample.where(kinds == NUM), errors="coerce") < 10000)   # 1, 2, 3: no dates
    return "not-dates" if (parsed.notna() & ~small).mean() < 0.5 else None


def _kpj_values(sample: pd.Series, kinds: pd.Series) -> str | None:
    digits = sample.map(_digits_or_empty)
    return "health-insurance-numbers" if digits.str.fullmatch(r"\d{13}").mean() >= 0.5 else None


VALUE_CHECKS = {"employment_type": _worker_type_values, "start_date": _date_values, "end_date": _date_values,
                "kpj": _kpj_values}


def _confirm_by_values(chosen: dict, texts: dict, unmapped: list, alternatives: dict, data: pd.DataFrame,
                       types: dict | None = None) -> None:
    """A column whose values contradict its header's field is not used for it (listed as not used,
    with the reason); the next best column for the field (a second column with the same meaning,
    or the best guess of a header not understood) is tried, and taken if its values agree."""
    from compliance.ingest.values import EMPTY, cell_kinds

    def wrong(c: int, field: str) -> str | None:
        sample = data[c].iloc[:2000]
        kinds = cell_kinds(sample)
        filled = (kinds != EMPTY).to_numpy()
        if not filled.any():
            return None
        extra = (types,) if field == "employment_type" else ()
        return VALUE_CHECKS[field](sample[filled], kinds[filled], *extra)

    for field in VALUE_CHECKS:
        if field not in chosen:
            continue
        first = (chosen.pop(field), texts.pop(field), None)
        for c, text, entry in [first] + alternatives.get(field, []):
            if c in chosen.values():
                continue
            reason = wrong(c, field)
            if reason is None:
                chosen[field], texts[field] = c, text
                if entry is not None:
                    unmapped.remove(entry)
                break
            rejected = {"header": text, "not_for": field, "reason": reason}
            if entry is None:
                unmapped.append(rejected)
            else:
                entry.clear()
                entry.update(rejected)


def share_16_digits(values: pd.Series) -> float:
    """Share of the non-empty values that look like a national ID (16 digits, as text or number)."""
    sample = values.iloc[:2000]
    as_text = sample.map(_digits_or_empty, na_action="ignore")
    non_empty = as_text[as_text.fillna("") != ""]
    if non_empty.empty:
        return 0.0
    # 16 digits, or a number Excel shortened to scientific form (still a national ID, damaged)
    return float(non_empty.str.fullmatch(r"\d{16}|\d(?:[.,]\d+)?[eE]\+?15").mean())


def _digits_or_empty(v: object) -> str:
    if isinstance(v, bool):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (int, float)):
        return str(v)
    return re.sub(r"[\s.'-]", "", str(v))


def _first_value(values: pd.Series) -> object:
    for v in values.iloc[:50]:
        if v not in ("", None) and not (isinstance(v, float) and v != v):
            return v
    return None
