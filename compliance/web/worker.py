"""What a worker process of the page does with one upload: read and check it through
`check_file`, as the command line does, and render what the request asked for (the report's
JSON, the result as an HTML fragment, findings.xlsx or the marked workbook), so that only bytes
and refusals cross back to the server (compliance/web/pool.py runs it).

    do = Checks(rules=None, templates=None, engine="pandas")()     # once per worker
    do({"kind": "json", "form": {"data": b"...", "name": "gaji.xlsx", "values": {...}, "map": []}})

Heavy imports stay inside the functions: the worker sets up its memory allocator first."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compliance.errors import UnusableInput
from compliance.web.app import Refused

KINDS = ("json", "fragment", "findings.xlsx", "annotated.xlsx")
WARM_UP = {"kind": "fragment", "form": {"name": "warm-up.csv", "map": [], "values": {"period": "2025-06"},
                                        "data": b"NIK;Nama;Gaji Pokok\n1771011203850001;Budi;4000000\n"}}


@dataclass(frozen=True)
class Checks:
    """The settings a worker needs (picklable); calling it loads the rule set and the templates
    and returns the function that does one task."""

    rules: Path | None = None
    templates: Path | None = None
    engine: str = "pandas"

    def __call__(self):
        return Checker(self).do


class Checker:
    def __init__(self, settings: Checks):
        from compliance.outputs.letters import environment
        from compliance.resources import rules_dir, templates_dir
        from compliance.ruleset import load_rule_set

        self.settings = settings
        self.rule_set = load_rule_set(settings.rules or rules_dir())
        self.env = environment(Path(settings.templates or templates_dir()))
        self.do(WARM_UP)                # the first real check then costs what the others cost


    def do(self, task: dict) -> dict:
        """{"body": bytes} or {"refused": Refused}."""
        kind, form = task["kind"], task["form"]
        assert kind in KINDS, kind
        try:
            result = self.checked(form)
        except Refused as exc:
            return {"refused": exc}
        if kind == "json":
            from compliance.outputs import report as contract

            return {"body": contract.dumps(result["document"])}
        if kind == "fragment":
            return {"body": self.fragment(result).encode()}
        return {"body": self.file(kind, result)}

    def checked(self, form: dict) -> dict:
        """Read and check the upload through check_file, as the command line does."""
        from compliance.ingest.files import sniff
        from compliance.outputs import report as contract
        from compliance.pipeline import Needs, check_file

        v = form["values"]
        lang = "en" if v.get("lang") == "en" else "id"
        texts = self.rule_set.texts
        try:
            sniff(form["data"], form["name"])
        except UnusableInput as exc:
            raise Refused(400 if not form["data"] else 415, exc.words(lang, texts, with_file=False),
                          problem=exc.to_dict(lang, texts)) from None
        try:
            options, columns_map = _options(v, form["map"], self.rule_set)
            result = check_file(form["data"], form["name"], self.rule_set, company=options, columns=columns_map,
                                engine=self.settings.engine)
        except UnusableInput as exc:
            raise Refused(400, exc.words(lang, texts, with_file=False), problem=exc.to_dict(lang, texts)) from None
        if isinstance(result, Needs):
            message = (texts[lang]["web"]["needs_period"] if result.needs == ["period"]
                       else result.problem.words(lang, texts, with_file=False))
            raise Refused(400, message, needs=result.needs, problem=result.problem.to_dict(lang, texts))
        return {"payroll": result.payroll, "report": result.report, "result": result,
                "document": contract.to_dict(result.report, self.rule_set, lang),
                "lang": lang, "data": form["data"], "chosen": [f"{k}={v}" for k, v in columns_map.items()]}

    def file(self, kind: str, result: dict) -> bytes:
        if kind == "annotated.xlsx":
            from compliance.outputs.annotate import annotate
            from compliance.pipeline import sheet_grid

            return annotate(result["data"], result["payroll"], result["document"], self.rule_set, result["lang"],
                            sheet_grid(result["result"]))
        from compliance.outputs.check import render_outputs

        return render_outputs(result["report"], self.rule_set, result["lang"])[0]["findings.xlsx"]

    def fragment(self, result: dict) -> str:
        from compliance.outputs.report import rupiah

        d, payroll, lang = result["document"], result["payroll"], result["lang"]
        rules = {r.id: r for r in self.rule_set.rules}
        families = []
        for code, spec in self.rule_set.families.items():
            rows = [{**f, "title": d["rules"][f["rule_id"]]["title"][lang],
                     "todo": (rules[f["rule_id"]].todo or {}).get(lang, "") if f["rule_id"] in rules else ""}
                    for f in d["findings"] if f["family"] == code]
            if rows:
                families.append({"code": code, "title": spec["title"][lang], "findings": rows,
                                 "owed": sum(f["monthly_shortfall_idr"] or 0 for f in rows
                                             if f["responsible"]["party"] == "employer")})
        fields = [(name, spec.label_in(lang), spec.description[lang])
                  for name, spec in self.rule_set.columns.columns.items() if name not in payroll.columns]
        labels = {name: spec.label_in(lang) for name, spec in self.rule_set.columns.columns.items()}
        return self.env.get_template("web/result.html.j2").render(
            T=self.rule_set.texts[lang]["web"], S=self.rule_set.texts[lang]["summary"], d=d, source=d["source"],
            columns=payroll.columns, unmapped=payroll.unmapped_columns, fields=fields, labels=labels,
            families=families, issues=d["data_issues"],
            assumed=[self.rule_set.texts[lang]["letter"]["assumed"].get(a, a) for a in d["company"].get("assumed", [])],
            money=rupiah, chosen=result["chosen"])


def _options(values: dict, pairs: list[str], rule_set):
    """Company details and column names from the form, read as the command line reads them."""
    from compliance.ingest.company import company_from_values, parse_column_map

    company = company_from_values({"name": values.get("company_name"), "npp": values.get("npp"),
                                   "regency": values.get("regency"), "size": values.get("company_size"),
                                   "jkk_risk": values.get("jkk_risk"), "period": values.get("period")},
                                  rule_set.columns.values, "form")
    return company, parse_column_map(pairs)
