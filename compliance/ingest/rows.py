"""Which rows under the header are workers, and which are not (and why).

Not workers, listed in `ignored_rows` with a reason so that totals still reconcile:
blank rows, JUMLAH/TOTAL rows, a template's example row (CONTOH), a repeated header, the second line of a two-line header, a
section heading inside the table ("DIVISI PRODUKSI") and the footer under the table
(place and date, "Mengetahui", "HRD", signatures, notes).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

import pyarrow.compute as pc

from compliance.ingest import text as tx
from compliance.ingest import values

TOTAL_RE = r"\s*(?:sub\s*)?(?:jumlah|total|grand\s*total|sub\s*total|total\s+keseluruhan)\b.*"
EXAMPLE_RE = r"\s*(?:contoh|example)\b.*"       # a template's example row (compliance template)


def classify(data: pd.DataFrame, kinds: pd.DataFrame, nik_col: int, name_col: int, money_cols: list[int],
             header_texts: dict[int, str]) -> tuple[pd.Series, pd.DataFrame]:
    """Returns (is_worker mask, ignored rows frame with `row`, `reason`, `text`).

    `data` is the grid below the header, indexed by the row number the user sees; `kinds` the
    kind of each of its cells (values.cell_kinds).
    """
    has = kinds != values.EMPTY
    count = has.sum(axis=1)
    nik_filled = has[nik_col]
    name_filled = has[name_col]
    money_filled = has[money_cols].any(axis=1) if money_cols else pd.Series(False, index=data.index)
    reason = pd.Series(None, index=data.index, dtype=object)

    reason[count == 0] = "blank"

    text_cols = list(dict.fromkeys(list(data.columns[: min(6, data.shape[1])]) + [name_col]))
    text_cells = {c: tx.arrow(data[c].where(kinds[c] == values.STR, None)) for c in text_cols}
    is_total = pd.Series(False, index=data.index)
    for c in text_cols:
        is_total |= tx.mask(tx.fullmatch(pc.utf8_lower(text_cells[c]), TOTAL_RE), data.index)
    reason[reason.isna() & is_total & ~nik_filled] = "total"
    is_example = pd.Series(False, index=data.index)
    for c in text_cols:
        if c not in (nik_col, name_col):
            is_example |= tx.mask(tx.fullmatch(pc.utf8_lower(text_cells[c]), EXAMPLE_RE), data.index)
    reason[reason.isna() & is_example] = "example"

    if nik_col in header_texts:
        # a header printed again inside the table (e.g. on each page); compare the text as written
        same = data[nik_col].isin([header_texts[nik_col]])
        if same.any():
            for c, text in header_texts.items():
                if c in data.columns:
                    same &= data[c].isin([text])
            reason[reason.isna() & same] = "repeated-header"

    worker_like = nik_filled | (name_filled & money_filled)
    rows = data.index.to_numpy()
    positions = np.flatnonzero(worker_like.to_numpy())
    if positions.size:
        first, last = rows[positions[0]], rows[positions[-1]]
        reason[reason.isna() & (data.index < first)] = "header-continuation"
        reason[reason.isna() & (data.index > last) & ~worker_like] = "footer"
    else:
        reason[reason.isna()] = "footer"
    name_upper = tx.mask(pc.utf8_is_upper(text_cells[name_col]), data.index)
    heading = (count == 1) & ~nik_filled & ~money_filled & (~name_filled | name_upper)
    reason[reason.isna() & heading] = "section-heading"

    ignored = reason.notna()
    first_text = None
    if ignored.any() and data.shape[1]:
        # the first filled cell of each ignored row (no bfill: it downcasts object columns)
        cells = data[ignored].to_numpy(dtype=object)
        filled = has[ignored].to_numpy(dtype=bool)
        first_text = cells[np.arange(len(cells)), filled.argmax(axis=1)]
        first_text[~filled.any(axis=1)] = None
    frame = pd.DataFrame({"row": data.index[ignored], "reason": reason[ignored].to_numpy(),
                          "text": first_text if first_text is not None else []})
    return ~ignored, frame
