"""The agency's participant registry extract (CSV or XLSX): NPP, KPJ, NIK, NAMA, TGL_LAHIR, UPAH,
PROGRAM, STATUS (aliases in rules/registry_columns.yaml). A person may have several rows: old
NONAKTIF ones beside a current AKTIF one."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from compliance import catalogue
from compliance.errors import UnusableInput
from compliance.ingest import values
from compliance.ingest.files import read_file
from compliance.ingest.header import find_header
from compliance.model import PROGRAMS, Registry, RuleSet

COLUMNS = ["npp", "kpj", "nik", "name", "birth_date", "wage", *PROGRAMS, "status"]
ACTIVE = {"AKTIF", "ACTIVE", "A"}
INACTIVE = {"NONAKTIF", "NON AKTIF", "NON-AKTIF", "TIDAK AKTIF", "INACTIVE", "N", ""}


def read_registry(source: str | Path | bytes, rule_set: RuleSet, name: str | None = None) -> Registry:
    """Read a registry extract (a path, or bytes with their file name)."""
    catalog = rule_set.registry_columns
    raw = read_file(source, name)
    path = raw.path
    for sheet in raw.sheets:
        header = find_header(sheet.grid, catalog)
        if header is not None:
            break
    else:
        raise UnusableInput(f"{path}: no registry header found (expected NPP, KPJ, NIK, NAMA, TGL_LAHIR, UPAH, "
                            "PROGRAM, STATUS)")
    mapping: dict[str, int] = {}
    for c in sorted(header.matches):
        name = header.matches[c][1].split("|")[0]
        mapping.setdefault(name, c)
    missing = [n for n in catalog.required() if n not in mapping]
    if missing or not ({"kpj", "nik"} & set(mapping)) or "status" not in mapping:
        need = sorted(set(missing) | ({"status"} - set(mapping)))
        raise UnusableInput(f"{path}: the registry lacks column(s) {', '.join(need)} "
                            "(accepted: NPP, KPJ, NIK, NAMA, TGL_LAHIR, UPAH, PROGRAM, STATUS)")
    data = sheet.grid.iloc[header.row_index + 1:]
    data.index = pd.RangeIndex(header.row_index + 2, header.row_index + 2 + len(data))
    kinds = pd.DataFrame({c: values.cell_kinds(data[c]) for c in mapping.values()}, index=data.index)
    data = data[(kinds != values.EMPTY).any(axis=1).to_numpy()]
    kinds = kinds.loc[data.index]
    out = pd.DataFrame(index=data.index)
    found = []
    for name, c in mapping.items():
        kind = catalog.columns[name].type
        raw_col, k = data[c], kinds[c]
        if kind == "nik":
            out[name], iss = values.parse_nik(raw_col, name, k)
        elif kind == "kpj":
            out[name], iss = values.parse_kpj(raw_col, name, k)
        elif kind == "money":
            out[name], iss = values.parse_money(raw_col, name, k)
        elif kind == "date":
            out[name], iss = values.parse_date(raw_col, name, k)
        elif kind == "program_list":
            flags, iss = values.parse_program_list(raw_col, name, k)
            for p in PROGRAMS:
                out[p] = flags[p]
        else:
            out[name], iss = values.parse_text(raw_col, name, k)
        found.append(iss)
    table = normalise(out)
    # rows that cannot be matched, and statuses that are neither AKTIF nor NONAKTIF
    no_id = table["nik"].isna() & table["kpj"].isna()
    found.append(values.issues_frame(table.index[no_id], "nik", [None] * int(no_id.sum()), "registry-id-missing"))
    status = out["status"].astype(object).where(out["status"].notna(), "").astype(str).str.strip().str.upper()
    odd = ~status.isin(ACTIVE | INACTIVE)
    found.append(values.issues_frame(table.index[odd], "status", out["status"][odd], "registry-status-unknown"))
    issues = values.concat_issues(found)
    issues["severity"] = issues["code"].map(catalogue.severity)
    return Registry(table, issues.sort_values(["row", "column"], kind="stable").reset_index(drop=True), path,
                    sheet.name)


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """The registry table with every column present and STATUS as AKTIF/NONAKTIF."""
    out = frame.copy()
    for col in COLUMNS:
        if col not in out:
            out[col] = pd.Series(pd.NA if col not in ("wage",) else np.nan, index=out.index)
    status = out["status"].astype(object).where(out["status"].notna(), "").astype(str).str.strip().str.upper()
    out["status"] = np.where(status.isin(ACTIVE), "AKTIF", "NONAKTIF")
    out["wage"] = pd.to_numeric(out["wage"], errors="coerce").astype("float64")
    for p in PROGRAMS:
        out[p] = out[p].astype("boolean")
    for col in ("npp", "kpj", "nik"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out[COLUMNS]


def registry_from_records(records: list[dict]) -> Registry:
    """A registry from plain records (rule test cases)."""
    rows = []
    for r in records:
        r = dict(r)
        programs = str(r.pop("programs", "") or "").upper()
        tokens = {t.strip() for t in programs.replace(";", ",").split(",") if t.strip()}
        rows.append({**{k: (str(v) if k in ("npp", "kpj", "nik") and v is not None else v) for k, v in r.items()},
                     **{p: p.upper() in tokens for p in PROGRAMS}})
    return Registry(normalise(pd.DataFrame(rows, index=range(2, 2 + len(rows)))))
