"""Evaluate a rule's condition over the whole context frame at once (no per-row Python).

Three-valued logic (Kleene, as SQL): a test on an unknown value (a missing cell, a program no
column or registry speaks of) is *unknown*, not false. `not` of unknown is unknown; `all` is false
if any part is false, else unknown if any part is unknown; `any` is true if any part is true, else
unknown if any part is unknown. A rule's finding needs its condition to be *true*: unknown is
never read as "no" (nor as "yes"). `is_empty` / `is_not_empty` are always known.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from compliance.engine.context import Context


def evaluate(cond, ctx: Context, params) -> pd.Series:
    """A nullable boolean Series over the context's rows (NA where unknown)."""
    (key, arg), = cond.items()
    f = ctx.frame
    if key == "all":
        out = pd.Series(True, index=f.index, dtype="boolean")
        for c in arg:
            out = out & evaluate(c, ctx, params)
        return out
    if key == "any":
        out = pd.Series(False, index=f.index, dtype="boolean")
        for c in arg:
            out = out | evaluate(c, ctx, params)
        return out
    if key == "not":
        return ~evaluate(arg, ctx, params)
    col = f[key]
    known = col.notna()
    if isinstance(arg, bool):
        values = col.astype("boolean") if col.dtype != object else col.map(bool, na_action="ignore").astype("boolean")
        return (values == arg).astype("boolean")
    (op, operand), = arg.items()
    if op == "is_empty":
        return (col.isna() == bool(operand)).astype("boolean")
    if op == "is_not_empty":
        return (col.notna() == bool(operand)).astype("boolean")
    value = operand_value(operand, ctx, params)
    if isinstance(value, pd.Series):
        known &= value.notna()
    elif value is None or (isinstance(value, float) and np.isnan(value)):
        known &= False
    if op == "below":
        out = col < value
    elif op == "at_most":
        out = col <= value
    elif op == "above":
        out = col > value
    elif op == "at_least":
        out = col >= value
    elif op == "equals":
        out = col == value
    elif op == "not_equals":
        out = col != value
    elif op == "in":
        out = col.isin(list(value))
    elif op == "not_in":
        out = ~col.isin(list(value))
    else:  # validated at load time
        raise ValueError(op)
    result = pd.Series(out.fillna(False).to_numpy(dtype=bool), index=f.index, dtype="boolean")
    return result.where(known.to_numpy(), pd.NA)


def operand_value(operand, ctx: Context, params):
    if isinstance(operand, dict) and "field" in operand:
        return ctx.frame[operand["field"]]
    if isinstance(operand, dict) and "param" in operand:
        value = params.at(operand["param"], ctx.period)
        ctx.parameters_used[operand["param"]] = value
        return value.value
    return operand


def rows_where(cond, ctx: Context, params) -> np.ndarray:
    """The rows where the condition is true (unknown counts as not true)."""
    return evaluate(cond, ctx, params).fillna(False).to_numpy(dtype=bool)
