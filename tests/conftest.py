"""Shared helpers: write payroll files the way real ones look, in a temporary folder."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from compliance import engine, ingest
from compliance.ruleset import load_rule_set
from compliance.outputs import report as contract
from compliance.resources import rules_dir

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SCHEMAS = ROOT / "docs" / "schemas"
RULES = load_rule_set(rules_dir())


# The library's calls with the bundled rule set, as the CLI makes them.
def read_payroll(source, **kwargs):
    return ingest.read_payroll(source, RULES, **kwargs)


def read_registry(source, **kwargs):
    return ingest.read_registry(source, RULES, **kwargs)


def check(payroll, rule_set=RULES, registry=None):
    return engine.check(payroll, payroll.company, payroll.company.period, rule_set, registry)


def report_dict(report, lang="id", rule_set=RULES):
    return contract.to_dict(report, rule_set, lang)


def findings_of(report, lang="en", rule_set=RULES):
    return contract.findings(report, rule_set, lang)


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    text = "\r\n".join(delimiter.join("" if v is None else str(v) for v in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


HEADER = ["No", "NIK", "Nama", "Status", "Tgl Masuk", "Gaji Pokok", "Tunjangan Tetap", "No KPJ", "Upah BPJS"]


def worker(i: int, **over) -> list:
    row = {"No": i, "NIK": f"17710112039{i:05d}", "Nama": f"Pekerja {i}", "Status": "Tetap",
           "Tgl Masuk": "01/02/2020", "Gaji Pokok": "Rp 4.000.000", "Tunjangan Tetap": "500.000",
           "No KPJ": f"170000000{i:02d}", "Upah BPJS": "4.500.000"}
    row.update(over)
    return [row[h] for h in HEADER]


@pytest.fixture(autouse=True)
def own_home(tmp_path, monkeypatch):
    """Each test its own HOME: the office's default register (~/.local/share/...) never touches
    the real one, and never carries letter numbers from one test to the next."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture(scope="session")
def validate_schema():
    import jsonschema
    from referencing import Registry, Resource

    schemas = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.schema.json")}
    registry = Registry().with_resources(
        [(f"compliance/{name}", Resource.from_contents(s)) for name, s in schemas.items()])

    def check(document: dict, name: str = "validate.schema.json") -> None:
        validator = jsonschema.Draft202012Validator(schemas[name], registry=registry)
        validator.validate(document)
    return check


ARTIFACTS = ROOT / "tests" / "artifacts"     # screenshots the browser tests keep (not committed)


@pytest.fixture(scope="module")
def client():
    """The page's app with a 1 MB upload limit, in Starlette's test client (its lifespan starts
    and stops the worker pool)."""
    from starlette.testclient import TestClient

    from compliance.web import WebSettings, create_app

    with TestClient(create_app(WebSettings(max_upload_mb=1))) as c:
        yield c


def start_server(log: Path, *options) -> tuple:
    """A real `compliance serve` on a free port of 127.0.0.1, once it answers: (its URL, the process)."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "compliance", "serve", "--port", str(port), *map(str, options)],
                            stdout=open(log, "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return url, proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail(f"compliance serve did not start: {log.read_text()}")


@pytest.fixture(scope="session")
def chromium():
    """A real headless Chromium through Selenium (Debian `chromium` and `chromium-driver`, which
    .ci/run installs). Missing: the test skips with the reason, except under CI=true where it fails."""
    import os
    import shutil

    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    try:
        from selenium import webdriver
    except ImportError:
        webdriver = None
    missing = [what for what, ok in (("chromium", browser), ("chromedriver", driver), ("selenium", webdriver)) if not ok]
    if missing:
        reason = f"no {', '.join(missing)}: install Debian chromium and chromium-driver (as .ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,2000",
                "--disable-gpu", "--no-first-run"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.prompt_for_download": False})
    service = webdriver.ChromeService(executable_path=driver)
    drv = webdriver.Chrome(options=options, service=service)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield drv
    finally:
        drv.quit()


# The slow few (processes, a browser, whole batches): `make test-fast` leaves them out while working;
# `make test` runs everything.
SLOW = ("test_audit.py::", "test_hostile.py::test_odd_forms_never_escape", "test_core.py::test_every_module_imports",
        "test_core.py::test_every_subcommand_runs", "test_register.py::test_eight_processes", "test_web.py::test_annotate",
        "test_web.py::test_the_page_in_headless_chromium", "test_readme.py::test_readme_example_output_is_current[audit]",
        "test_docs.py::test_docs_example_output_is_current[audit", "test_language.py::test_every_face",
        "test_web_limits.py::test_a_check_longer", "test_web_limits.py::test_a_full_pool",
        "test_web_limits.py::test_a_file_needing",
        "test_hostile_files.py::test_the_worst_accepted_shapes", "test_hostile_files.py::test_a_hostile_workbook_in",
        "test_hostile_files.py::test_text_hidden_in_cdata")


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        if any(s in item.nodeid for s in SLOW):
            item.add_marker(pytest.mark.slow)
