"""rules list|show|test: the rule files, for the people who write them."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from compliance.cli.options import EXIT_FINDINGS, EXIT_OK, lang_option, load_rules, rules_option, say
from compliance.errors import UnusableInput


@click.group()
def rules():
    """List, show and test the rule files.

    \b
    Examples:
      compliance rules list
      compliance rules show unregistered-worker
      compliance rules test
    """


@rules.command("list")
@rules_option
@lang_option
def rules_list(rules_dir, lang):
    """List rules with family, severity, effective dates and citations."""
    from compliance.texts import term

    rs = load_rules(rules_dir)
    click.echo(say("rules_count", version=rs.version, n=len(rs.rules)))
    for r in rs.rules:
        until = r.effective_to.isoformat() if r.effective_to else "..."
        click.echo(f"{r.id:<32} v{r.version}  {r.family:<12} {term(r.severity, lang, rs.texts):<11} "
                   f"{r.effective_from} - {until}  {r.title[lang]}")
        for c in r.legal_basis:
            click.echo(f"{'':<36}{c.citation} [{c.mark}; domain {c.domain}]")


@rules.command("show")
@click.argument("rule_id")
@rules_option
@lang_option
def rules_show(rule_id, rules_dir, lang):
    """Show one rule file."""
    rs = load_rules(rules_dir)
    try:
        rule = rs.get(rule_id)
    except KeyError:
        raise UnusableInput("no-such-rule", rule=rule_id) from None
    click.echo(Path(rule.path).read_text(encoding="utf-8"))


@rules.command("test")
@rules_option
@lang_option
def rules_test(rules_dir, lang):
    """Run the rule files' own test cases."""
    from compliance.rulecases import all_cases, run_case

    rs = load_rules(rules_dir)
    passed = failed = 0
    for rule, case in all_cases(rs):
        failures = run_case(rs, rule, case)
        if failures:
            failed += 1
            click.echo(f"FAIL {rule.id} :: {case['name']}")
            for f in failures:
                click.echo(f"     {f}")
        else:
            passed += 1
            click.echo(f"ok   {rule.id} :: {case['name']}")
    click.echo(say("rules_tested", passed=passed, failed=failed))
    sys.exit(EXIT_OK if failed == 0 else EXIT_FINDINGS)
