"""The README's worked examples are real: run each command and compare with what the README shows."""
import re
import shlex

import pytest
from click.testing import CliRunner

from compliance.cli import main
from tests.conftest import ROOT

BLOCKS = re.findall(r"```console\n\$ \.venv/bin/compliance (.+?)\n(.*?)\$ echo \$\?\n(\d)\n```",
                    (ROOT / "README.md").read_text(), re.S)


def test_the_readme_has_worked_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("command,shown,code", BLOCKS, ids=[b[0].split()[0] for b in BLOCKS])
def test_readme_example_output_is_current(command, shown, code, monkeypatch, tmp_path):
    # beside samples/, as a reader runs them, without writing into the repository
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, shlex.split(command))
    assert result.exit_code == int(code)
    assert result.output == shown


def test_readme_library_examples_run_and_print_what_is_shown(monkeypatch, tmp_path, capsys):
    """The README's library section: each ```python block runs beside samples/ and prints the
    ```text block that follows it."""
    blocks = re.findall(r"```python\n(.*?)```\n\n```text\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert len(blocks) >= 2
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    for code, shown in blocks:
        exec(compile(code, "README.md", "exec"), scope)       # noqa: S102 - our own README
        assert capsys.readouterr().out == shown
