"""The rule files' own YAML test cases (one pytest test per case), and strict loading."""

import pytest

from compliance.ruleset import load_rule_set as load_rules
from compliance.rulecases import all_cases, run_case
from compliance.errors import RuleFileError
from compliance.resources import rules_dir

RULE_SET = load_rules(rules_dir())
CASES = list(all_cases(RULE_SET))


@pytest.mark.parametrize("rule,case", CASES, ids=[f"{r.id}::{c['name']}" for r, c in CASES])
def test_rule_case(rule, case):
    assert run_case(RULE_SET, rule, case) == []


def test_every_rule_has_cases_and_the_required_rules_exist():
    ids = {r.id for r in RULE_SET.rules}
    assert {"unregistered-worker", "underreported-wage", "missing-program", "wage-below-minimum",
            "registered-elsewhere"} <= ids
    assert all(r.tests for r in RULE_SET.rules)
    families = {r.family for r in RULE_SET.rules}
    assert {"PDS-TK", "PDS-UPAH", "PDS-PROGRAM"} <= families


def test_a_failing_case_is_reported():
    rule = RULE_SET.get("unregistered-worker")
    case = dict(rule.tests[0], expect=[{"row": 1, "monthly_shortfall_idr": 1}])
    assert run_case(RULE_SET, rule, case) == ["row 1: shortfall 415800, expected 1"]


def copy_rules(tmp_path):
    import shutil

    shutil.copytree(rules_dir(), tmp_path / "rules")
    return tmp_path / "rules"


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("old,new,message", [
    ("severity: violation", "severity: violation\ncolour: red", r"underreported-wage.yaml:1: unknown key\(s\) colour"),
    ("- participant: true", "- participantt: true", r"underreported-wage.yaml:\d+: unknown field 'participantt'"),
    ("{below: {field: actual_wage}}", "{smaller: {field: actual_wage}}", r":\d+: unknown operator 'smaller'"),
    ("{below: {field: actual_wage}}", "{below: {param: jp_cap}}", r":\d+: unknown parameter 'jp_cap'"),
    ("effective_from: 2015-07-01", "effective_from: 2015-13-01", r"underreported-wage.yaml:\d+: not valid YAML "
     r"\('2015-13-01' is not a date"),
    ("effective_from: 2015-07-01", "effective_from: soon", r"effective_from: 'soon' is not a date"),
    ("{name} is {reported", "{nama} is {reported", r"unknown placeholder\(s\) nama"),
])
def test_strict_loading_names_file_and_line(tmp_path, old, new, message):
    folder = copy_rules(tmp_path)
    edit(folder / "pds-upah" / "underreported-wage.yaml", old, new)
    with pytest.raises(RuleFileError, match=message):
        load_rules(folder)


def test_unconfirmed_facts_may_not_drive_a_violation(tmp_path):
    folder = copy_rules(tmp_path)
    edit(folder / "pds-upah" / "wage-below-minimum.yaml", "severity: warning", "severity: violation")
    with pytest.raises(RuleFileError, match="UNCONFIRMED fact may drive only a warning"):
        load_rules(folder)
    edit(folder / "pds-upah" / "wage-below-minimum.yaml", "severity: violation", "severity: warning")
    edit(folder / "pds-upah" / "wage-below-minimum.yaml", "unconfirmed: true\n", "")
    with pytest.raises(RuleFileError, match="cites an UNCONFIRMED fact"):
        load_rules(folder)


def test_parameter_files_are_strict(tmp_path):
    folder = copy_rules(tmp_path)
    path = folder / "parameters" / "wages.yaml"
    edit(path, "2026-03-01: {value: 11086300,", "2026-03-01: {valeu: 11086300,")
    with pytest.raises(RuleFileError, match=r"jp_wage_cap 2026-03-01: unknown key\(s\) valeu"):
        load_rules(folder)
    edit(path, "{valeu: 11086300,", "{value: 11086300,")
    edit(path, "2026-03-01:", "2026-02-30:")
    with pytest.raises(RuleFileError, match="is not a date"):
        load_rules(folder)


def test_every_number_in_rules_cites_the_domain_reference():
    for name in RULE_SET.parameters.names():
        for v in RULE_SET.parameters.get(name).values:
            assert v.reference and v.domain and v.mark in {"CONFIRMED", "CORROBORATED", "UNCONFIRMED"}, name
    for rule in RULE_SET.rules:
        assert all(c.citation and c.domain for c in rule.legal_basis)


def test_rule_conditions_cannot_run_code(tmp_path):
    folder = copy_rules(tmp_path)
    edit(folder / "pds-upah" / "underreported-wage.yaml", "- participant: true",
         "- participant: !!python/object/apply:os.system ['echo pwned']")
    with pytest.raises(RuleFileError, match="not valid YAML"):
        load_rules(folder)


def test_silent_failures_are_load_errors(tmp_path):
    # a rule in a folder that is not a known family
    folder = copy_rules(tmp_path / "a")
    (folder / "pds-misc").mkdir()
    (folder / "pds-upah" / "underreported-wage.yaml").rename(folder / "pds-misc" / "underreported-wage.yaml")
    with pytest.raises(RuleFileError, match=r"pds-misc: not the folder of a known rule family"):
        load_rules(folder)
    # a rule whose folder and family disagree
    folder = copy_rules(tmp_path / "b")
    (folder / "pds-upah" / "underreported-wage.yaml").rename(folder / "pds-tk" / "underreported-wage.yaml")
    with pytest.raises(RuleFileError, match=r"family PDS-UPAH belongs in folder pds-upah/, not pds-tk/"):
        load_rules(folder)
    # a parameter nobody reads
    folder = copy_rules(tmp_path / "c")
    edit(folder / "parameters" / "employment.yaml", "  new_worker_days:", """  daily_worker.months:
    values:
      2021-02-02: {value: 3, reference: "PP 35/2021 Pasal 10", domain: "1.6", mark: CONFIRMED}
  new_worker_days:""")
    with pytest.raises(RuleFileError, match=r"employment.yaml: parameter daily_worker.months is read by no rule"):
        load_rules(folder)


def test_a_citation_dated_after_its_rule_needs_its_own_date(tmp_path):
    folder = copy_rules(tmp_path)
    edit(folder / "pds-upah" / "underreported-wage.yaml", 'mark: CORROBORATED, from: 2022-08-01}',
         'mark: CORROBORATED}')
    with pytest.raises(RuleFileError, match=r"'BPJS Perdir 22/PERDIR.02/072022' is dated 2022, after the rule's "
                                            r"effective_from 2015-07-01"):
        load_rules(folder)


def test_families_and_texts_are_data(tmp_path):
    assert list(RULE_SET.families) == ["PDS-TK", "PDS-UPAH", "PDS-PROGRAM", "PWBD"]
    folder = copy_rules(tmp_path)
    edit(folder / "texts.yaml", "    row: baris\n", "")
    with pytest.raises(RuleFileError, match=r"texts.yaml: languages id and en differ in summary.row"):
        load_rules(folder)
