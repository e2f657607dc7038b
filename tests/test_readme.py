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


def test_the_worked_examples_prose_names_what_the_output_shows():
    """The sentences under the worked example quote its output: the row of the daily worker, her
    wage and shortfall, and the rates of the rule set (issue 21: the prose once named row 10 where
    the output showed row 12)."""
    from decimal import Decimal

    from compliance.model import Period
    from tests.conftest import RULES

    readme = (ROOT / "README.md").read_text()
    shown = next(out for cmd, out, _ in BLOCKS if cmd.startswith("check samples/cv-sinar-bengkulu-juni-2025.csv"))
    prose = readme[readme.index(shown) + len(shown):][:1500]
    row = re.search(r"Row (\d+) is a daily worker who has worked 21 days or more", prose).group(1)
    lines = [line for line in shown.splitlines() if re.match(rf"\s+{row}\s", line)]
    assert lines and all("Daily" in line for line in lines), (row, lines)
    assert any(" info " in line for line in lines)            # now a permanent worker: an info
    m = re.search(r"that is\s+([\d.,% +]+?) \(([\d.]+) % employer, ([\d.]+) % worker\) of Rp ([\d.]+) = Rp ([\d.]+) a "
                  r"month", prose)
    rates = [Decimal(r) for r in re.findall(r"([\d.]+) %", m.group(1))]
    wage, amount = int(m.group(4).replace(".", "")), int(m.group(5).replace(".", ""))
    p, june = RULES.parameters, Period(2025, 6)
    assert rates == [Decimal(str(p.at(n, june).value)) for n in ("rate.jkk.low.employer", "rate.jkm.employer")] + \
        [Decimal(m.group(2)) + Decimal(m.group(3))]
    assert [Decimal(m.group(2)), Decimal(m.group(3))] == [Decimal(str(p.at(f"rate.jht.{s}", june).value))
                                                          for s in ("employer", "worker")]
    assert sum(rates) * wage / 100 == amount
    assert any(f"Rp {m.group(5)}" in line for line in lines) and f"(wage Rp {m.group(4)})" in shown
