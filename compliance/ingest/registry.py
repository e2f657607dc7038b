"""The agency's participant registry extract (CSV or XLSX): NPP, KPJ, NIK, NAMA, TGL_LAHIR, UPAH,
PROGRAM, STATUS (aliases in rules/registry_columns.yaml). A person may have several rows: old
NONAKTIF ones beside a current AKTIF one."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from compliance import catalogue
from compliance.errors import Term, UnusableInput
from compliance.ingest import values
from compliance.ingest.lists import read_listing
from compliance.model import PROGRAMS, Registry, RuleSet, person_key

COLUMNS = ["npp", "kpj", "nik", "name", "birth_date", "wage", *PROGRAMS, "status"]
ACTIVE = {"AKTIF", "ACTIVE", "A"}
INACTIVE = {"NONAKTIF", "NON AKTIF", "NON-AKTIF", "TIDAK AKTIF", "INACTIVE", "N", ""}


def read_registry(source: str | Path | bytes, rule_set: RuleSet, name: str | None = None) -> Registry:
    """Read a registry extract (a path, or bytes with their file name)."""
    listing = read_listing(source, rule_set.registry_columns, "registry", name,
                           "NPP, KPJ, NIK, NAMA, TGL_LAHIR, UPAH, PROGRAM, STATUS")
    out, mapping = listing.table, listing.mapping
    if not ({"kpj", "nik"} & set(mapping)) or "status" not in mapping:
        need = sorted(({"status"} - set(mapping)) | ({"nik"} if not ({"kpj", "nik"} & set(mapping)) else set()))
        raise UnusableInput("list-lacks-columns", file=listing.path, what=Term("registry"),
                            fields=[Term(f"registry:{n}") for n in need],
                            expected="NPP, KPJ, NIK, NAMA, TGL_LAHIR, UPAH, PROGRAM, STATUS")
    table = normalise(out)
    # rows that cannot be matched, and statuses that are neither AKTIF nor NONAKTIF
    found = [listing.issues]
    no_id = table["nik"].isna() & table["kpj"].isna()
    found.append(values.issues_frame(table.index[no_id], "nik", [None] * int(no_id.sum()), "registry-id-missing"))
    status = out["status"].astype(object).where(out["status"].notna(), "").astype(str).str.strip().str.upper()
    odd = ~status.isin(ACTIVE | INACTIVE)
    found.append(values.issues_frame(table.index[odd], "status", out["status"][odd], "registry-status-unknown"))
    issues = values.concat_issues(found)
    issues["severity"] = issues["code"].map(catalogue.severity)
    return Registry(table, issues.sort_values(["row", "column"], kind="stable").reset_index(drop=True),
                    listing.path, listing.sheet, unused_columns=listing.unused)


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """The registry table with every column present and STATUS as AKTIF/NONAKTIF."""
    out = frame.copy()
    for col in COLUMNS:
        if col not in out:
            out[col] = pd.Series(pd.NA if col not in ("wage",) else np.nan, index=out.index)
    status = out["status"].astype(object).where(out["status"].notna(), "").astype(str).str.strip().str.upper()
    out["status"] = np.where(status.isin(ACTIVE), "AKTIF", "NONAKTIF")
    out["wage"] = pd.to_numeric(out["wage"], errors="coerce").astype("float64")
    out["birth_date"] = pd.to_datetime(out["birth_date"], errors="coerce")
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


class RegistryIndex:
    """A registry indexed once (by NIK, KPJ and NPP) for many checks: a branch audit reads a
    province's extract once and each company's check gets only the entries of its own workers
    and of its NPP. The hash tables are built on first use in each process and are not pickled
    (a worker process or Dask worker rebuilds them once)."""

    def __init__(self, registry: Registry):
        self.registry = registry
        table = registry.table
        self.rows = int(len(table))
        self.active_rows = int((table["status"] == "AKTIF").sum())
        self._cache: dict = {}

    def __getstate__(self):
        return {"registry": self.registry, "rows": self.rows, "active_rows": self.active_rows}

    def __setstate__(self, state):
        self.__dict__.update(state, _cache={})

    def _index(self, col: str) -> pd.Index:
        if col not in self._cache:
            table = self.registry.table
            keys = person_key(table["name"], table["birth_date"]) if col == "person" else table[col]
            self._cache[col] = pd.Index(keys.to_numpy(dtype=object))
        return self._cache[col]

    def _positions(self, col: str, keys) -> np.ndarray:
        keys = pd.Index(pd.unique(np.asarray(keys, dtype=object))).dropna()
        if not len(keys):
            return np.zeros(0, dtype=np.intp)
        found, _ = self._index(col).get_indexer_non_unique(keys)
        return found[found >= 0]

    @property
    def npps(self) -> set:
        """Every NPP the registry knows (AKTIF or not)."""
        if "npps" not in self._cache:
            self._cache["npps"] = set(self.registry.table["npp"].dropna().unique())
        return self._cache["npps"]

    def for_payroll(self, table: pd.DataFrame) -> Registry:
        """The entries a check of this payroll needs: every entry (any NPP, any status) of its
        workers by NIK, KPJ, or name and birth date. The check's result is the same as with the whole
        registry."""
        reg = self.registry
        people = person_key(table["name"], table["birth_date"]).where(table["nik"].isna(), None).dropna()
        found = [self._positions("nik", table["nik"].to_numpy(dtype=object)),
                 self._positions("kpj", table["kpj"].to_numpy(dtype=object))]
        if len(people):            # name and birth date: only for workers without a NIK (engine.context)
            found.append(self._positions("person", people.to_numpy(dtype=object)))
        pos = np.unique(np.concatenate(found))
        part = reg.table.iloc[pos]
        issues = reg.issues[reg.issues["row"].isin(part.index)] if len(reg.issues) else reg.issues
        return Registry(part, issues.reset_index(drop=True), reg.path, reg.sheet, self.rows, self.active_rows)

    def active_under(self, npp: str | None) -> pd.DataFrame:
        """AKTIF entries registered under an NPP."""
        table = self.registry.table
        if not npp:
            return table.iloc[0:0]
        part = table.iloc[self._positions("npp", [npp])]
        return part[part["status"] == "AKTIF"]


def registry_to_parquet(registry: Registry) -> tuple[bytes, bytes]:
    """A registry as two Parquet files (table, issues): how a batch hands a read registry to its
    workers without a pickle (a file anyone could replace must never be unpickled)."""
    import io

    table = io.BytesIO()
    registry.table.to_parquet(table, index=True)
    issues = registry.issues.copy()
    for col in ("value", "detail"):
        if col in issues:
            issues[col] = issues[col].map(lambda v: None if v is None or v != v else str(v)).astype(object)
    buf = io.BytesIO()
    issues.to_parquet(buf, index=False)
    return table.getvalue(), buf.getvalue()


def registry_from_parquet(table: bytes, issues: bytes, path: str, sheet: str | None) -> Registry:
    import io

    frame = pd.read_parquet(io.BytesIO(table))
    for col in ("npp", "kpj", "nik", "name", "status"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return Registry(frame, pd.read_parquet(io.BytesIO(issues)), path, sheet)
