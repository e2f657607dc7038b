"""`compliance validate`: exit codes, one-line errors, and the JSON contract."""
import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from compliance.cli import main
from tests.conftest import HEADER, SAMPLES, worker, write_xlsx

SAMPLE_FILES = sorted(SAMPLES.glob("*.xlsx")) + sorted(SAMPLES.glob("*.csv"))


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output, result.stderr if hasattr(result, "stderr") else ""


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_json_output_follows_the_contract_on_every_sample(path, validate_schema):
    code, out, _ = run("validate", path, "--format", "json", "--engine", "pandas")
    doc = json.loads(out)
    validate_schema(doc)
    assert doc["source"]["rows_read"] == doc["rows_usable"] + doc["rows_with_issues"]
    assert code == (0 if doc["rows_with_issues"] == 0 else 1)


def test_exit_1_when_rows_are_unusable_and_messages_follow_the_language(tmp_path, validate_schema):
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [HEADER, worker(1), worker(2, NIK="123")]})
    code, out, _ = run("validate", path, "--format", "json", "--lang", "en", "--engine", "pandas")
    assert code == 1
    doc = json.loads(out)
    validate_schema(doc)
    issue = doc["data_issues"][0]
    assert issue == {"sheet": "Gaji", "row": 3, "column": "nik", "value": "123", "code": "nik-length",
                     "message": "NIK '123' is not 16 digits.", "severity": "error"}
    _, out_id, _ = run("validate", path, "--format", "json", "--engine", "pandas")
    assert json.loads(out_id)["data_issues"][0]["message"] == "NIK '123' bukan 16 digit angka."


def test_text_output_says_where_it_read(tmp_path):
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [["DAFTAR GAJI"], HEADER, worker(1)]})
    code, out, _ = run("validate", path, "--engine", "pandas", "--period", "2025-06", "--lang", "en")
    assert code == 0
    assert "sheet 'Gaji', header on row 2" in out
    assert re.search(r"^  NIK \[nik\] +<- 'NIK'$", out, re.M)
    assert "rows read: 1  usable: 1  with issues: 0" in out


@pytest.mark.parametrize("content,name", [(b"", "a.xlsx"), (b"\x89PNG\r\n\x1a\n\x00", "b.xlsx"),
                                          (b"a,b\n1,2\n", "c.xlsx")])
def test_unusable_files_exit_2_with_one_line_and_no_traceback(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "compliance", "validate", str(path)], capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("kesalahan: ")          # Indonesian by default


def test_missing_nik_column_exits_2_naming_accepted_headers(tmp_path):
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [["Nama", "Gaji Pokok"], ["Ani", 1]]})
    code, out, _ = run("validate", path)
    assert code == 2
    assert "tidak ada kolom NIK" in out and "No KTP" in out
    code, out, _ = run("validate", path, "--lang", "en")
    assert code == 2 and "no NIK column" in out


def test_usage_errors_exit_2(tmp_path):
    path = write_xlsx(tmp_path / "g.xlsx", {"Gaji": [HEADER, worker(1)]})
    assert run("validate", path, "--period", "June")[0] == 2
    assert run("validate", path, "--format", "xml")[0] == 2
    assert run("validate")[0] == 2


def test_help_shows_examples():
    code, out, _ = run("validate", "--help")
    assert code == 0 and "Examples:" in out and "compliance validate gaji-juni.xlsx" in out
