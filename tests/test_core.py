"""The core that a batch, a web page and another person's install stand on: every module imports
alone, imports flow one way, every subcommand runs in a fresh process, check() is a pure function
whose Report pickles cheaply, reading takes bytes, and --rules changes the whole rule set."""
import ast
import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compliance import engine, ingest
from compliance.errors import UnusableInput
from compliance.model import Company, Period
from compliance.rulecases import table_from_rows
from tests.conftest import HEADER, RULES, ROOT, SAMPLES, read_payroll, report_dict, worker, write_xlsx

PACKAGE = ROOT / "compliance"
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")
# model <- office <- (ingest | engine) <- ruleset <- (outputs | register) <- (pipeline, rule cases) <-
# (audit, web) <- cli: a module imports only from its own layer or below. errors, resources, texts and
# the issue catalogue are leaves every layer may use; the package's own __init__ is a facade of lazy
# exports above everything (`from compliance import __version__` is a leaf).
LAYERS = {"compliance": 0, "compliance.errors": 0, "compliance.resources": 0, "compliance.catalogue": 0,
          "compliance.texts": 0, "compliance.model": 1, "compliance.office": 2, "compliance.ingest": 3,
          "compliance.engine": 3, "compliance.ruleset": 4, "compliance.outputs": 5, "compliance.register": 5,
          "compliance.pipeline": 6, "compliance.rulecases": 6, "compliance.audit": 7, "compliance.web": 7,
          "compliance.cli": 8, "compliance.__main__": 8}
# sideways imports that the layers alone would allow, and the design forbids: the engine and the
# outputs never read files (a report is plain data), the register never renders or reads
FORBIDDEN = {"compliance.engine": ("compliance.ingest", "compliance.outputs"),
             "compliance.outputs": ("compliance.ingest", "compliance.register", "compliance.pipeline"),
             "compliance.ingest": ("compliance.engine",),
             "compliance.register": ("compliance.outputs", "compliance.ingest", "compliance.engine")}
PAYROLLS = sorted(p for p in list(SAMPLES.glob("*.xlsx")) + list(SAMPLES.glob("*.csv"))
                  if not p.name.startswith("registry"))


def layer(module: str) -> int:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYERS:
            return LAYERS[".".join(parts[:n])]
    raise AssertionError(f"{module}: no layer")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("compliance"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("compliance")}
    return found


def test_every_module_imports_alone_in_a_fresh_interpreter(tmp_path):
    assert len(MODULES) > 20
    procs = {m: subprocess.Popen([sys.executable, "-c", f"import {m}"], cwd=tmp_path, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE) for m in MODULES}
    failures = {m: p.communicate()[1].decode()[-400:] for m, p in procs.items() if p.wait() != 0}
    assert failures == {}


def test_imports_flow_one_way():
    wrong = []
    for module in MODULES:
        path = PACKAGE.joinpath(*module.split(".")[1:])
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        if module != "compliance":            # the facade's lazy exports
            wrong += wrong_imports(module, imports_of(path))
    assert wrong == []


def wrong_imports(module: str, targets: set[str]) -> list[str]:
    wrong = []
    for target in sorted(targets):
        if layer(target) > layer(module):
            wrong.append(f"{module} imports {target}")
        for below, never in FORBIDDEN.items():
            if (module == below or module.startswith(below + ".")) and target.startswith(never):
                wrong.append(f"{module} imports {target}")
    return wrong


def test_the_layer_test_catches_wrong_imports(tmp_path):
    """The test above is real: an engine module that reads a file, a register that renders, an
    output that runs the pipeline are each caught; the allowed direction is not."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from compliance.ingest.files import read_bytes\n")
    assert imports_of(bad) == {"compliance.ingest.files"}
    assert wrong_imports("compliance.engine.context", imports_of(bad))
    assert wrong_imports("compliance.register", {"compliance.outputs.letters"})
    assert wrong_imports("compliance.outputs.report", {"compliance.pipeline"})
    assert wrong_imports("compliance.office", {"compliance.register"})
    assert not wrong_imports("compliance.pipeline", {"compliance.ingest", "compliance.engine"})


def compliance_cli(*args, cwd):
    proc = subprocess.run([sys.executable, "-m", "compliance", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def test_every_subcommand_runs_in_a_fresh_process(tmp_path):
    sample = SAMPLES / "pt-maju-bersama-juni-2025.xlsx"
    code, out, _ = compliance_cli("--help", cwd=tmp_path)
    commands = ["validate", "check", "letter", "rules", "cases", "register"]
    assert code == 0 and all(c in out for c in commands)
    for command in commands + ["rules list", "rules show", "rules test", "cases list", "cases show",
                               "register import-ledger"]:
        code, out, err = compliance_cli(*command.split(), "--help", cwd=tmp_path)
        assert code == 0 and "Usage:" in out, (command, err)
    assert compliance_cli("validate", sample, "--engine", "pandas", cwd=tmp_path)[0] == 0
    code, out, err = compliance_cli("check", sample, "--engine", "pandas", "--out", "hasil", "--letter",
                                    "--letter-date", "2025-07-14", "--signer-name", "Budi Hartono",
                                    "--office-phone", "(0736) 123456", cwd=tmp_path)
    assert code == 1 and "001/PDS/BKL/VII/2025" in err and (tmp_path / "hasil" / "letter.pdf").exists()
    # the letter of a saved report, in a process that imported nothing else first
    (tmp_path / "hasil" / "letter.pdf").unlink()
    code, out, err = compliance_cli("letter", "hasil/report.json", "--lang", "en", cwd=tmp_path)
    assert code == 0 and "001/PDS/BKL/VII/2025" in err and (tmp_path / "hasil" / "letter.pdf").exists()
    code, out, _ = compliance_cli("cases", "list", "--as-of", "2025-07-30", cwd=tmp_path)   # the default register
    assert code == 0 and "saatnya teguran kedua" in out
    assert compliance_cli("cases", "show", "17010234", cwd=tmp_path)[0] == 0
    assert compliance_cli("rules", "list", cwd=tmp_path)[0] == 0
    assert compliance_cli("rules", "show", "missing-program", cwd=tmp_path)[0] == 0
    code, out, _ = compliance_cli("rules", "test", cwd=tmp_path)
    assert code == 0 and " 0 gagal" in out
    code, _, err = compliance_cli("check", tmp_path / "nope.xlsx", cwd=tmp_path)
    assert code == 2 and err.startswith("kesalahan: ") and "Traceback" not in err


def test_check_takes_the_period_as_an_argument():
    payroll = read_payroll(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv", engine="pandas")
    june = engine.check(payroll, payroll.company, Period(2025, 6), RULES)
    march = engine.check(payroll, payroll.company, Period(2026, 3), RULES)
    assert june.period == Period(2025, 6) and march.period == Period(2026, 3)
    assert june.parameters["rate.jkm.employer"].since < dt_date(2026, 3, 1)
    assert report_dict(march)["period"] == "2026-03"
    assert payroll.company.period == Period(2025, 6)          # the payroll is not changed


def dt_date(*args):
    import datetime as dt

    return dt.date(*args)


def test_the_report_pickles_both_ways_without_the_payroll():
    rows = [{"nik": f"17710112038{i:05d}", "name": f"P{i}", "kpj": f"170{i:08d}", "base_wage": 4_000_000,
             "reported_wage": 4_000_000} for i in range(5000)]
    rows[10]["kpj"] = rows[20]["kpj"] = None
    table = table_from_rows(rows, "test")
    from compliance.model import Payroll, Source, empty_issues

    company = Company(name="PT Besar", size="medium", jkk_risk="low")
    payroll = Payroll(Source("big.xlsx", "Gaji", 1, len(table)), table, {}, [], [], empty_issues(), [], company)
    report = engine.check(payroll, company, Period(2025, 6), RULES)
    blob = pickle.dumps(report)
    again = pickle.loads(blob)
    assert report_dict(again, "en") == report_dict(report, "en")
    assert again.totals.unregistered == 2
    assert len(blob) * 10 < len(pickle.dumps(payroll))      # 2 findings, not 5,000 rows
    # the rule set, loaded once, goes to a worker process the same way
    rules = pickle.loads(pickle.dumps(RULES))
    assert report_dict(engine.check(payroll, company, Period(2025, 6), rules)) == report_dict(report)


@pytest.mark.parametrize("path", PAYROLLS, ids=lambda p: p.name)
def test_reading_bytes_is_reading_the_file(path):
    a = read_payroll(path, engine="pandas")
    b = ingest.read_payroll(path.read_bytes(), RULES, name=path.name, engine="pandas")
    assert b.source.path == path.name and a.source.sheet == b.source.sheet
    assert a.table.equals(b.table) and a.issues.equals(b.issues) and a.company == b.company


def test_bytes_are_judged_by_their_content_and_name():
    data = (SAMPLES / "pt-maju-bersama-juni-2025.xlsx").read_bytes()
    with pytest.raises(UnusableInput, match=r"^gaji\.csv: named \.csv but this is an Excel workbook"):
        ingest.read_payroll(data, RULES, name="gaji.csv")
    with pytest.raises(UnusableInput, match=r"^upload\.xlsx: the file is empty"):
        ingest.read_payroll(b"", RULES, name="upload.xlsx")


def test_rules_option_changes_column_aliases_and_texts_too(tmp_path):
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [["NIK", "Nama Orangnya", "Gaji Pokok"],
                                                      ["1771011203850001", "Budi", 4_000_000]]})
    code, _, err = compliance_cli("check", path, "--period", "2025-06", "--engine", "pandas", cwd=tmp_path)
    assert code == 2 and "tidak ada kolom Nama" in err
    custom = tmp_path / "rules"
    shutil.copytree(RULES.folder, custom)
    columns = custom / "columns.yaml"
    columns.write_text(columns.read_text().replace("aliases: [Nama, Nama Karyawan,", "aliases: [Nama Orangnya, Nama, "
                                                                                     "Nama Karyawan,", 1))
    texts = custom / "texts.yaml"
    texts.write_text(texts.read_text().replace("not_compliant: TIDAK PATUH", "not_compliant: BELUM PATUH"))
    code, out, err = compliance_cli("check", path, "--period", "2025-06", "--engine", "pandas", "--rules", custom,
                                    cwd=tmp_path)
    assert code == 1 and "BELUM PATUH" in out, err


def test_json_findings_are_lean():
    """Each finding names its rule; the rule's citations and parameters are listed once."""
    payroll = read_payroll(SAMPLES / "pt-maju-bersama-juni-2025.xlsx", engine="pandas")
    d = report_dict(engine.check(payroll, payroll.company, payroll.company.period, RULES))
    sizes = []
    for f in d["findings"]:
        assert f["rule_id"] in d["rules"] and "legal_basis" not in f and "parameters" not in f
        sizes.append(len(json.dumps(f, ensure_ascii=False, separators=(",", ":")).encode()))
    # v1 repeated the rule's parameters and citations in every finding: about 5 KB each
    assert sum(sizes) / len(sizes) < 650 and max(sizes) < 800, sizes
    for rule in d["rules"].values():
        assert set(rule["parameters"]) <= set(d["parameters"])


@pytest.mark.parametrize("path", PAYROLLS, ids=lambda p: p.name)
def test_json_lines_equal_the_records(path, tmp_path):
    """--format json writes findings column by column; what it writes equals the records that
    letters, spreadsheets and --out use, hostile text included."""
    from compliance.outputs import report as contract

    payroll = read_payroll(path, engine="pandas")
    nasty = 'Ahmad "Ucok"\\ \t\n\x01 Ł =1+1'
    payroll.table["name"] = [nasty + str(i) for i in range(len(payroll.table))]
    report = engine.check(payroll, payroll.company, payroll.company.period or Period(2025, 6), RULES)
    for lang in ("id", "en"):
        records = contract.findings(report, RULES, lang)
        lines = contract.finding_lines(report, RULES, lang).to_pylist()
        assert [json.loads(line.removesuffix(contract.LINE_SEPARATOR)) for line in lines] == records
        assert all(f["name"].startswith(nasty) for f in records)
        dates = [v for f in records for k, v in f.get("compared", {}).items() if k.endswith("_date")]
        assert all(isinstance(v, str) and len(v) == 10 and v[4] == "-" for v in dates), dates   # ISO, never a number
    document = json.loads(b"".join(contract.to_json(report, RULES, "en")))
    assert document["findings"] == contract.findings(report, RULES, "en")
    assert document["totals"]["findings"] == len(document["findings"])


def test_the_floors_ci_installs_are_the_floors_setup_cfg_declares():
    import configparser
    import re

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    declared = cfg["options"]["install_requires"] + cfg["options.extras_require"]["test"]
    floors = dict(re.findall(r"^\s*([A-Za-z0-9_.-]+)(?:\[[^]]*\])?>=(\S+)", declared, re.M))
    pinned = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / ".ci" / "floors.txt").read_text(), re.M))
    assert {k: pinned.get(k) for k in floors} == floors
    assert set(pinned) - set(floors) == {"psycopg-binary", "distributed"}   # psycopg[binary], dask[distributed]


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    from tests.conftest import write_csv

    rows = [HEADER] + [worker(i, **{"No KPJ": ""}) for i in range(1, 3001)]      # 3,000 findings, megabytes of JSON
    path = write_csv(tmp_path / "big.csv", [["Periode: Juni 2025"]] + rows)
    proc = subprocess.Popen([sys.executable, "-m", "compliance", "check", str(path), "--engine", "pandas",
                             "--format", "json"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()                       # like `| head -c 10`
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "error:" not in err


@pytest.mark.parametrize("hostile", ["../../etc/passwd", "PT A/B\\C", "..", "", "\x00nul", "a" * 500,
                                     "PT \u202eexe.gpj", "CON", " . ", "C:\\Windows", "PT Maju\r\nBersama"])
def test_names_from_data_are_safe(hostile):
    from compliance.outputs.files import safe_name

    name = safe_name(hostile)
    assert name and len(name) <= 80 and name not in (".", "..")
    assert not any(c in name for c in "/\\\x00\r\n\u202e:") and ".." not in name
    assert name.upper() != "CON"


def test_every_package_ships_in_the_wheel():
    """A new sub-package missing from setup.cfg works from the source tree and not installed."""
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    listed = set(cfg["options"]["packages"].split())
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)


def test_no_rule_id_or_family_code_in_the_code():
    """Rule ids and family codes live in rules/: code reads a rule's metadata (counts_as, a
    family's about), so a rule renamed or added needs no code change."""
    names = [r.id for r in RULES.rules] + list(RULES.families)
    assert "unregistered-worker" in names and "PDS-TK" in names
    found = [f"{p.relative_to(ROOT)}: {name}" for p in PACKAGE.rglob("*.py")
             for text in code_strings(p) for name in names if name in text]
    assert found == []


def code_strings(path: Path) -> list[str]:
    """The string constants a module's code uses: not its docstrings (a command's help may name a
    rule the user can look up, or PWBD), not comments."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]
