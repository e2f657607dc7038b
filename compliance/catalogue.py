"""The catalogue of data-issue codes and their severity. Their sentences, in Indonesian and
English, are templates in rules/texts.yaml (`issues:`) over {value}, {column} and {detail}.

`error`: the row cannot be checked (it counts in rows_with_issues).
`warning`: the row is checked, but the value deserves a look (e.g. a KPJ that is not 11 digits,
a soft check in the domain reference, section 8).
"""
from __future__ import annotations

SEVERITY: dict[str, str] = {
    "column-missing": "error",
    "nik-missing": "error",
    "identity-missing": "warning",    # checked by the name alone: the row still counts
    "nik-length": "error",
    "nik-precision-lost": "error",
    "nik-province": "error",
    "nik-birth-date": "error",
    "duplicate-nik": "error",
    "duplicate-id": "error",
    "name-missing": "error",
    "kpj-format": "warning",
    "wage-not-a-number": "error",
    "negative-wage": "error",
    "implausible-amount": "error",
    "wage-missing": "error",
    "date-unparseable": "error",
    "date-out-of-range": "error",
    "date-in-future": "error",
    "start-after-period": "warning",
    "end-before-start": "error",
    "unknown-employment-type": "error",
    "program-value-unknown": "error",
    "count-not-a-number": "error",
    "registry-id-missing": "error",
    "list-value-unknown": "warning",
    "registry-status-unknown": "warning",
    "birth-date-nik-mismatch": "warning",
    "days-worked-range": "error",
}


def severity(code: str) -> str:
    return SEVERITY[code]
