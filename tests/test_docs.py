"""The worked examples in docs/*.md are real: each ```console block that runs `compliance ...` is
run again here and its output compared with the one shown."""
import re
import shlex

import pytest
from click.testing import CliRunner

from compliance.cli import main
from tests.conftest import ROOT

EXAMPLES = [(path.name, command, shown)
            for path in sorted((ROOT / "docs").glob("*.md"))
            for command, shown in re.findall(r"```console\n\$ compliance (.+?)\n(.*?)```", path.read_text(), re.S)]


def test_the_docs_have_json_examples():
    assert {name for name, _, _ in EXAMPLES} >= {"check-report.md", "validate-json.md"}


@pytest.mark.parametrize("doc,command,shown", EXAMPLES, ids=[f"{e[0]}:{e[1].split()[0]}" for e in EXAMPLES])
def test_docs_example_output_is_current(doc, command, shown, monkeypatch, tmp_path):
    # run where the reader would, beside samples/, without writing into the repository
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    monkeypatch.chdir(tmp_path)
    # both data-quality engines give the same issues (tests/test_ingest.py); pandas skips the GX import
    result = CliRunner().invoke(main, shlex.split(command) + ["--engine", "pandas"])
    assert result.exit_code in (0, 1), result.output
    assert result.output == shown
