"""Evaluate a rule's condition over the whole context frame at once (no per-row Python)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from compliance.engine.context import Context


def evaluate(cond, ctx: Context, params) -> pd.Series:
    """A boolean Series over the context's rows. Unknown values (NA) never satisfy a comparison."""
    (key, arg), = cond.items()
    f = ctx.frame
    if key == "all":
        out = pd.Series(True, index=f.index)
        for c in arg:
            out &= evaluate(c, ctx, params)
        return out
    if key == "any":
        out = pd.Series(False, index=f.index)
        for c in arg:
            out |= evaluate(c, ctx, params)
        return out
    if key == "not":
        return ~evaluate(arg, ctx, params)
    col = f[key]
    if isinstance(arg, bool):
        return col.fillna(False).astype(bool) == arg
    (op, operand), = arg.items()
    if op == "is_empty":
        return col.isna() == bool(operand)
    if op == "is_not_empty":
        return col.notna() == bool(operand)
    value = operand_value(operand, ctx, params)
    present = col.notna()
    if isinstance(value, pd.Series):
        present &= value.notna()
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
    return (present & out.fillna(False)).astype(bool)


def operand_value(operand, ctx: Context, params):
    if isinstance(operand, dict) and "field" in operand:
        return ctx.frame[operand["field"]]
    if isinstance(operand, dict) and "param" in operand:
        value = params.at(operand["param"], ctx.period)
        ctx.parameters_used[operand["param"]] = value
        return value.value
    return operand


def rows_where(cond, ctx: Context, params) -> np.ndarray:
    return evaluate(cond, ctx, params).to_numpy(dtype=bool)
