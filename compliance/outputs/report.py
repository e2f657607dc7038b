"""The Report as the JSON contract, version 2 (docs/schemas/check-report.schema.json).

The rules used (id, version, family, severity, titles, citations, the parameter names their
findings rest on) and the dated parameters used (value, date in force, regulation, reference row,
mark) appear once at the top; each finding names its rule. Messages are written in one language
here, from the rule's templates: this is the output stage, so formatting is per finding, but only
of the findings asked for (`limit`).
"""
from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from compliance import __version__
from compliance.model import CHECKED_PROGRAMS, RegistrySummary, Report, Rule, RuleSet, plain
from compliance.texts import issue_words, notice_words, term

SCHEMA_VERSION = 2
MONEY_FIELDS = {"actual_wage", "daily_wage", "daily_rate", "monthly_from_daily", "reported_wage", "reported_wage_basis", "wage_difference", "minimum_wage",
                "base_wage", "fixed_allowance", "shortfall"}
UNITS_PER_RUPIAH = 1_000_000
SHOWN = {"nik", "name", "employment_type", "vendor", "outsourced", "vendor_duty"}
LINE_SEPARATOR = ",\n    "       # between the lines of a list (findings, data issues)
IGNORED_LISTED = 1000            # ignored rows listed one by one; all of them are in `ignored_row_ranges`
IGNORED_RANGES = 1000            # at most this many ranges (plus one per reason), however the rows fall


def rupiah(value) -> str:
    """Indonesian formatting: Rp 1.234.567 (decimals only when there are sen)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    v = float(value)
    whole = f"{abs(v):,.0f}" if v == round(v) else f"{abs(v):,.2f}"
    whole = whole.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return ("-Rp " if v < 0 else "Rp ") + whole


def to_dict(report: Report, rule_set: RuleSet, lang: str = "id", limit: int | None = None) -> dict:
    """The report as the contract; `limit` shortens the findings list (text output)."""
    c = report.company
    return {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "ruleset_version": report.ruleset_version,
        "period": str(report.period),
        "company": {"name": c.name, "npp": c.npp, "size": c.size, "jkk_risk": c.jkk_risk,
                    "assumed": list(report.assumed), "address": c.address, "province": c.province,
                    "regency": c.regency, "sources": dict(c.sources)},
        "source": report.source.to_dict(),
        "participation_source": report.participation_source,
        "assumptions": [notice_words(n, lang, rule_set.texts) for n in report.assumptions],
        "notices": notice_records(report.assumptions, lang, rule_set.texts),
        "totals": {
            "workers": report.totals.workers, "participants": report.totals.participants,
            "unregistered": report.totals.unregistered, "coverage_pct": report.totals.coverage_pct,
            "monthly_shortfall_idr": report.totals.monthly_shortfall_idr,
            "rows_with_issues": report.totals.rows_with_issues, "rows_checked": report.totals.rows_checked,
            "violations": report.totals.violations, "findings": report.findings_count,
            "vendor_violations": report.totals.vendor_violations,
            "vendor_shortfall_idr": report.totals.vendor_shortfall_idr,
            "shortfall_unknown": report.totals.shortfall_unknown,
        },
        "unchecked": notice_records(report.unchecked, lang, rule_set.texts),
        "by_family": {k: dict(v) for k, v in report.by_family.items()},
        "compliant": report.compliant,
        "rules": {rid: rule_record(rule, report.rule_parameters.get(rid, []), report.rule_citations[rid])
                  for rid, rule in report.rules.items()},
        "parameters": {name: {"value": v.value, "since": v.since.isoformat(), "reference": v.reference,
                              "domain": v.domain, "mark": v.mark} for name, v in sorted(report.parameters.items())},
        "findings": findings(report, rule_set, lang, limit),
        "data_issues": issue_records(report.data_issues, report.source.sheet, lang, rule_set.texts),
        "ignored_rows": [{"row": r["row"], "reason": r["reason"]} for r in report.ignored_rows.first(IGNORED_LISTED)],
        "ignored_row_ranges": report.ignored_rows.ranges(IGNORED_RANGES),
        "registry": registry_record(report.registry, lang, rule_set.texts),
    }


def rule_record(rule: Rule, parameters: list[str], citations) -> dict:
    """A rule as the report shows it: its citations in force in the period that its findings
    rest on."""
    out = {"version": rule.version, "family": rule.family, "severity": rule.severity, "title": dict(rule.title),
           "legal_basis": [{"citation": c.citation, "domain": c.domain, "mark": c.mark} for c in citations],
           "parameters": list(parameters)}
    if rule.unconfirmed:
        out["unconfirmed"] = True
    if rule.counts_as:
        out["counts_as"] = rule.counts_as
    return out


def findings(report: Report, rule_set: RuleSet, lang: str = "id", limit: int | None = None) -> list[dict]:
    """One record per finding, ordered by row then rule, messages in `lang` (only the first
    `limit` are formatted)."""
    order = report.order()
    if limit is not None:
        order = order[:limit]
    wanted: dict[int, list[int]] = {}
    for bi, pos in order:
        wanted.setdefault(bi, []).append(pos)
    built: dict[int, dict[int, dict]] = {}
    for bi, positions in wanted.items():
        positions = np.sort(np.asarray(positions))
        cols = _Columns(report, bi, positions, rule_set, lang)
        built[bi] = dict(zip(positions.tolist(), cols.records()))
    return [built[bi][pos] for bi, pos in order]


def finding_lines(report: Report, rule_set: RuleSet, lang: str = "id") -> pa.Array:
    """Every finding as one line of JSON (an Arrow string array), in the order of `findings` and
    equal to its records (a test holds them to it), written column by column rather than record
    by record."""
    block_of, pos = report.order_arrays()
    if not len(pos):
        return pa.array([], type=pa.large_string())
    lines, offsets = [], [0]
    for bi, block in enumerate(report.blocks):
        lines.append(_Columns(report, bi, np.arange(len(block.rows)), rule_set, lang).json_lines()
                     .cast(pa.large_string()))
        offsets.append(offsets[-1] + len(block.rows))
    ordered = pa.chunked_array(lines).take(pa.array(np.asarray(offsets[:-1])[block_of] + pos))
    return ordered.combine_chunks() if ordered.num_chunks != 1 else ordered.chunk(0)


class _Columns:
    """The findings of one rule at some positions, as columns of plain values: each value shown
    is formatted once per distinct value (a wage, a date, an amount), messages are joined column
    by column. `records()` turns them into dicts, `json_lines()` into JSON text."""

    def __init__(self, report: Report, bi: int, positions: np.ndarray, rule_set: RuleSet, lang: str):
        block = report.blocks[bi]
        self.rule = rule = report.rules[block.rule_id]
        rows = block.rows.iloc[positions] if len(positions) != len(block.rows) else block.rows
        self.n = n = len(rows)
        totals = block.totals[positions]
        self.unknown = block.unknown[positions] if block.unknown is not None else None
        labels = {t: spec.get(lang, t) for t, spec in rule_set.employment_types.labels.items()}
        common = {"period": str(report.period), "company_name": report.company.name or "-",
                  "pension_age": _param_value(report, "jp_pension_age"),
                  "min_months": _param_value(report, "foreign_worker_min_months")}
        shown: dict[str, np.ndarray] = {}

        def display(name: str) -> np.ndarray:
            if name not in shown:
                if name in common:
                    shown[name] = np.full(n, str(common[name]), dtype=object)
                elif name == "shortfall":
                    shown[name] = by_distinct(totals, rupiah)
                    if self.unknown is not None:     # no wage: unknown, never "Rp 0" (issue 18)
                        shown[name][self.unknown] = term("amount-unknown", lang, rule_set.texts)
                elif name == "vendor":               # a vendor with no name is never "-"
                    shown[name] = rows[name].where(rows[name].notna(), term("vendor-unnamed", lang, rule_set.texts)) \
                        .to_numpy(dtype=object)
                elif name == "employment_type_label":
                    shown[name] = by_distinct(rows["employment_type"].to_numpy(), lambda t: str(labels.get(t, t)))
                elif name == "missing_programs":
                    shown[name] = by_distinct(self.missing_key(rows), self.missing_text)
                elif _is_text(rows[name]):
                    shown[name] = rows[name].where(rows[name].notna(), "-").to_numpy(dtype=object)
                else:
                    shown[name] = by_distinct(rows[name].to_numpy(), lambda v, k=name: str(_fmt(k, v)))
                    if name in MONEY_FIELDS and rows[name].isna().any():     # an amount not known is said so
                        shown[name][rows[name].isna().to_numpy()] = term("unknown-value", lang, rule_set.texts)
            return shown[name]

        variant = block.variant[positions] if block.variant is not None else np.full(n, -1)
        self.message = np.empty(n, dtype=object)
        templates = [(-1, rule.message[lang])] + [(k, v[1][lang]) for k, v in enumerate(rule.message_variants)]
        for k, template in templates:
            where = variant == k
            if where.any():
                self.message[where] = _join(template, display, where)
        self.row = np.asarray(rows.index, dtype=np.int64)
        self.amount = totals if rule.severity == "violation" else np.zeros(n, dtype=np.int64)
        self.nik, self.name, self.employment_type = (_plain(rows[c]) for c in ("nik", "name", "employment_type"))
        self.compared = [(k, _plain(rows[k])) for k in rule.details if k not in SHOWN]
        self.programs = []
        if block.parts:
            for p in CHECKED_PROGRAMS:
                emp, wrk = block.parts[f"{p}.employer"][positions], block.parts[f"{p}.worker"][positions]
                if (emp != 0).any() or (wrk != 0).any():
                    self.programs.append((p, (emp != 0) | (wrk != 0), _rupiah_values(emp), _rupiah_values(wrk)))
        has_missing = any(f"missing_{p}" in rows for p in CHECKED_PROGRAMS)
        self.missing = self.missing_key(rows) if has_missing else None
        # whom the finding is charged to: the vendor for an outsourced worker (domain 1.4), else the employer
        self.vendor = _plain(rows["vendor"])
        self.vendor_duty = rows["vendor_duty"].to_numpy(dtype=bool)
        # the employer's name and NPP are the report's `company`: not repeated in every finding
        self.employer = {"party": "employer"}

    @staticmethod
    def missing_key(rows) -> np.ndarray:
        """The programs missing on each row, as a bit mask over CHECKED_PROGRAMS."""
        key = np.zeros(len(rows), dtype=np.int64)
        for bit, p in enumerate(CHECKED_PROGRAMS):
            if f"missing_{p}" in rows:
                key |= rows[f"missing_{p}"].to_numpy(dtype=bool).astype(np.int64) << bit
        return key

    @staticmethod
    def missing_programs(key) -> list[str]:
        return [p.upper() for bit, p in enumerate(CHECKED_PROGRAMS) if key is not None and int(key) >> bit & 1]

    def missing_text(self, key) -> str:
        return ", ".join(self.missing_programs(key)) or "-"

    def records(self) -> list[dict]:
        base = {"rule_id": self.rule.id, "family": self.rule.family, "severity": self.rule.severity}
        rows, amounts = self.row.tolist(), self.amount.tolist()
        unknown = self.unknown.tolist() if self.unknown is not None else [False] * self.n
        missing = None if self.missing is None else by_distinct(self.missing, self.missing_programs)
        out = []
        for i in range(self.n):
            rec = {**base, "row": rows[i], "nik": self.nik[i], "name": self.name[i],
                   "employment_type": self.employment_type[i], "message": self.message[i],
                   "monthly_shortfall_idr": None if unknown[i] else amounts[i]}
            compared = {k: col[i] for k, col in self.compared if col[i] is not None}
            if compared:
                rec["compared"] = compared
            by_program = {p: [e[i], w[i]] for p, has, e, w in self.programs if has[i]}
            if by_program:
                rec["shortfall_by_program"] = by_program
            if missing is not None and missing[i]:
                rec["programs_missing"] = missing[i]
            rec["responsible"] = ({"party": "vendor", "name": self.vendor[i]} if self.vendor_duty[i]
                                  else self.employer)
            out.append(rec)
        return out

    def json_lines(self) -> pa.Array:
        """The records as JSON text, built column by column in Arrow: text is escaped for the whole
        column at once, other values are encoded once per distinct value, and the pieces of each
        line are joined in one call."""
        import orjson

        def js(values) -> pa.Array:
            return pa.array(by_distinct(np.asarray(values, dtype=object),
                                        lambda v: orjson.dumps(v).decode("utf-8")), type=pa.string())

        def when(mask: np.ndarray, *pieces) -> pa.Array:
            """The pieces joined where mask holds, else empty text."""
            return pc.if_else(pa.array(mask, type=pa.bool_()), pc.binary_join_element_wise(*pieces, ""), "")

        def listed(pieces: list[pa.Array]) -> pa.Array:
            """Comma-joined non-empty pieces of each row."""
            out = pieces[0]
            for piece in pieces[1:]:
                both = pc.and_(pc.not_equal(out, ""), pc.not_equal(piece, ""))
                out = pc.binary_join_element_wise(out, pc.if_else(both, ",", ""), piece, "")
            return out

        head = orjson.dumps({"rule_id": self.rule.id, "family": self.rule.family,
                             "severity": self.rule.severity}).decode("utf-8")[:-1]
        parts = [head + ',"row":', pc.cast(pa.array(self.row), pa.string()), ',"nik":', *json_text(self.nik),
                 ',"name":', *json_text(self.name), ',"employment_type":', *json_text(self.employment_type),
                 ',"message":', *json_text(self.message), ',"monthly_shortfall_idr":',
                 pc.if_else(pa.array(self.unknown if self.unknown is not None else np.zeros(self.n, dtype=bool)),
                            "null", pc.cast(pa.array(self.amount), pa.string()))]
        if self.compared:
            compared = listed([when(np.array([v is not None for v in col], dtype=bool), f'"{key}":', js(col))
                               for key, col in self.compared])
            parts.append(pc.if_else(pc.equal(compared, ""), "",
                                    pc.binary_join_element_wise(',"compared":{', compared, "}", "")))
        if self.programs:
            programs = listed([when(has, f'"{p}":[', js(e), ",", js(w), "]") for p, has, e, w in self.programs])
            parts.append(pc.if_else(pc.equal(programs, ""), "",
                                    pc.binary_join_element_wise(',"shortfall_by_program":{', programs, "}", "")))
        if self.missing is not None:
            parts.append(pa.array(by_distinct(self.missing, lambda k: "" if not self.missing_programs(k) else
                                              ',"programs_missing":' + orjson.dumps(self.missing_programs(k))
                                              .decode("utf-8")), type=pa.string()))
        employer = ',"responsible":' + orjson.dumps(self.employer).decode("utf-8")
        if self.vendor_duty.any():
            vendor = pc.binary_join_element_wise(',"responsible":{"party":"vendor","name":', js(self.vendor), "}", "")
            parts.append(pc.if_else(pa.array(self.vendor_duty, type=pa.bool_()), vendor, employer))
        else:
            parts.append(employer)
        parts.append("}" + LINE_SEPARATOR)     # every line ends with the separator; dumps drops the last
        return pc.binary_join_element_wise(*parts, "")


def json_text(values) -> list:
    """Strings (or None) as JSON text for a whole column, as pieces of a line: quotes and
    backslashes escaped in Arrow (only when the column has any), the quotes themselves left to
    the line's one join; a column with missing values or control characters is written whole
    (orjson for the rare value with a control character)."""
    import orjson

    arr = pa.array(values, type=pa.string(), from_pandas=True)
    for char, escaped in (("\\", "\\\\"), ('"', '\\"')):
        if pc.any(pc.match_substring(arr, char)).as_py():
            arr = pc.replace_substring(arr, char, escaped)
    control = pc.match_substring_regex(arr, "[\\x00-\\x1f]")
    has_control = bool(pc.any(control).as_py())
    if not arr.null_count and not has_control:
        return ['"', arr, '"']
    out = pc.fill_null(pc.binary_join_element_wise('"', arr, '"', ""), "null")
    if has_control:
        fixed = out.to_numpy(zero_copy_only=False).astype(object)
        for i in np.flatnonzero(pc.fill_null(control, False).to_numpy(zero_copy_only=False)):
            fixed[i] = orjson.dumps(values[i]).decode("utf-8")
        out = pa.array(fixed, type=pa.string())
    return [out]


def by_distinct(values, fmt) -> np.ndarray:
    """fmt(value) for every value, called once per distinct value (missing values as None)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    formatted = np.empty(len(uniques) + 1, dtype=object)
    formatted[:-1] = [fmt(u) for u in uniques]
    formatted[-1] = fmt(None)
    return formatted[codes]


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def _plain(series: pd.Series) -> list:
    """A column's values as JSON holds them (dates as ISO text, whole floats as integers);
    text columns pass as they are, other columns are converted once per distinct value."""
    if _is_text(series):
        return series.where(series.notna(), None).tolist()
    return by_distinct(series.to_numpy(), plain).tolist()


def _join(template: str, display, where: np.ndarray) -> np.ndarray:
    """A message template filled column-wise for the rows in `where` (one Arrow join)."""
    pieces = []
    for literal, field, _, _ in string.Formatter().parse(template):
        if literal:
            pieces.append(literal)
        if field:
            pieces.append(pa.array(display(field)[where], type=pa.string()))
    if not any(isinstance(p, pa.Array) for p in pieces):
        return np.full(int(where.sum()), "".join(pieces), dtype=object)
    return pc.binary_join_element_wise(*pieces, "").to_numpy(zero_copy_only=False)


def _rupiah_values(units: np.ndarray) -> list:
    """Units of 1e-6 rupiah as rupiah: whole numbers as integers, else exact to the fraction."""
    whole, rest = np.divmod(units, UNITS_PER_RUPIAH)
    exact = (units / UNITS_PER_RUPIAH).tolist()
    return [w if r == 0 else x for w, r, x in zip(whole.tolist(), rest.tolist(), exact)]


def issue_records(issues, sheet: str | None, lang: str, texts: dict | None = None) -> list[dict]:
    """Data issues as JSON-ready records with messages in the chosen language."""
    if issues is None or issues.empty:
        return []
    out = []
    # one record per issue: this loop formats output, it is not on the parsing path
    for rec in issues.to_dict("records"):
        row = rec["row"]
        value = plain(rec["value"])
        out.append({
            "sheet": sheet,
            "row": None if row is None or plain(row) is None else int(row),
            "column": rec["column"],
            "value": value,
            "code": rec["code"],
            "message": issue_words(rec["code"], lang, texts, value=value, column=rec["column"],
                                   detail=plain(rec["detail"])),
            "severity": rec["severity"],
        })
    return out


def notice_records(notices: list[dict], lang: str, texts: dict | None = None) -> list[dict]:
    """What a check assumed or could not do: the code and its data beside the words."""
    return [{"code": n["code"], "data": _json_data(n.get("data") or {}), "message": notice_words(n, lang, texts)}
            for n in notices]


def _json_data(data: dict) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in data.items()}


def registry_record(reg: RegistrySummary | None, lang: str, texts: dict | None = None) -> dict | None:
    """The registry extract used, and the data issues of its rows (not the payroll's)."""
    if reg is None:
        return None
    return {"path": reg.path, "sheet": reg.sheet, "rows": reg.rows, "active": reg.active,
            "data_issues": issue_records(reg.issues, reg.sheet, lang, texts)}


def to_json(report: Report, rule_set: RuleSet, lang: str = "id", extra: dict | None = None) -> list:
    """The whole report as JSON: a list of UTF-8 chunks to write in turn (the findings' lines
    are one Arrow buffer, written as it is)."""
    document = {**to_dict(report, rule_set, lang, limit=0), **(extra or {})}
    return json_chunks(document, {"findings": finding_lines(report, rule_set, lang)})


def dumps(document: dict) -> bytes:
    """The report (or a validate result) as JSON bytes."""
    return b"".join(json_chunks(document))


def json_chunks(document: dict, lines: dict[str, pa.Array] | None = None) -> list:
    """JSON in chunks: keys indented, one finding, data issue, rule or parameter a line
    (readable, and a fraction of the size of indenting every field). `lines` gives lists already written as JSON lines,
    each ending with LINE_SEPARATOR (finding_lines)."""
    import orjson

    lines = lines or {}
    out = [b"{\n"]
    keys = list(document)
    for n, key in enumerate(keys):
        value = document[key]
        end = b",\n" if n < len(keys) - 1 else b"\n"
        name = orjson.dumps(key)
        items = lines.get(key)
        if items is None and isinstance(value, list) and value and isinstance(value[0], dict):
            sep = LINE_SEPARATOR.encode()
            out += [b"  " + name + b": [\n    ", sep.join(map(orjson.dumps, value)), b"\n  ]" + end]
        elif items is not None and len(items):
            out += [b"  " + name + b": [\n    ", _line_bytes(items), b"\n  ]" + end]
        elif items is not None or (isinstance(value, list) and not value):
            out.append(b"  " + name + b": []" + end)
        elif isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            entries = b",\n    ".join(orjson.dumps(k) + b": " + orjson.dumps(v) for k, v in value.items())
            out += [b"  " + name + b": {\n    ", entries, b"\n  }" + end]
        else:
            text = orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  ")
            out.append(b"  " + name + b": " + text + end)
    out.append(b"}\n")
    return out


def _line_bytes(lines: pa.Array) -> memoryview:
    """The text of JSON lines that each end with LINE_SEPARATOR, less the last separator: a view
    of the Arrow buffer (no copy)."""
    lines = lines.cast(pa.large_string())
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset:lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[int(offsets[0]):int(offsets[-1]) - len(LINE_SEPARATOR.encode())]


def _param_value(report: Report, name: str):
    v = report.parameters.get(name)
    return v.value if v is not None else "-"


def _fmt(key: str, value):
    value = plain(value)
    if key in MONEY_FIELDS:
        return rupiah(value)
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
