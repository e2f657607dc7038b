"""Vectorised string work on Apache Arrow (pyarrow.compute, RE2 regexes).

pandas' string methods on object columns call Python once per cell; pyarrow.compute runs the
same operations in C++ over the whole column, 10-40x faster on payroll-sized columns.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow(strings: pd.Series) -> pa.Array:
    """A column of Python strings (or None) as an Arrow string array."""
    return pa.array(strings.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def to_pandas(arr: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(arr.to_numpy(zero_copy_only=False), index=index, dtype=object)


def mask(arr: pa.Array, index: pd.Index) -> pd.Series:
    """A boolean Arrow array as a pandas mask (null -> False)."""
    return pd.Series(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), index=index, dtype=bool)


def clean(arr: pa.Array) -> pa.Array:
    """Trim, and fold runs of white space (including non-breaking spaces) into one space."""
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(arr, r"[\s\x{00a0}]+", " "))


def fullmatch(arr: pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(arr, f"^(?:{pattern})$")


def replace(arr: pa.Array, pattern: str, repl: str) -> pa.Array:
    return pc.replace_substring_regex(arr, pattern, repl)


def extract(arr: pa.Array, pattern: str, names: list[str]) -> dict[str, np.ndarray]:
    """Named groups as float arrays (NaN where the pattern does not match)."""
    struct = pc.extract_regex(arr, pattern)
    out = {}
    for name in names:
        field = pc.struct_field(struct, name)
        field = pc.if_else(pc.equal(field, ""), None, field)
        out[name] = pc.cast(field, pa.float64()).to_numpy(zero_copy_only=False)
    return out


def to_float(arr: pa.Array) -> np.ndarray:
    """Digits-and-dot strings to floats; anything else NaN."""
    ok = pc.match_substring_regex(arr, r"^\d+(?:\.\d+)?$")
    safe = pc.if_else(ok, arr, None)
    return pc.cast(safe, pa.float64()).to_numpy(zero_copy_only=False)
