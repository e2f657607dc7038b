"""The condition language's three-valued logic, operator by operator: a test on an unknown value
is unknown, and a finding needs its condition true (unknown is never read as "no")."""
import numpy as np
import pandas as pd
import pytest

from compliance.engine.conditions import evaluate, rows_where
from compliance.engine.context import Context
from compliance.model import Company, Period
from tests.conftest import RULES

# rows: a known value, another known value, unknown
FRAME = pd.DataFrame({
    "actual_wage": [5_000_000.0, 2_000_000.0, np.nan],
    "reported_wage_basis": [4_000_000.0, 2_000_000.0, 3_000_000.0],
    "enrolled_jp": pd.array([True, False, pd.NA], dtype="boolean"),
    "employment_type": ["permanent", "intern", None],
    "participant": [True, False, False],
}, index=[2, 3, 4])
T, F, U = True, False, None


def run(cond):
    ctx = Context(FRAME.copy(), Period(2025, 6), Company())
    out = evaluate(cond, ctx, RULES.parameters)
    return [None if v is pd.NA else bool(v) for v in out]


@pytest.mark.parametrize("cond,expected", [
    ({"actual_wage": {"below": 3_000_000}}, [F, T, U]),
    ({"actual_wage": {"at_most": 2_000_000}}, [F, T, U]),
    ({"actual_wage": {"above": 2_000_000}}, [T, F, U]),
    ({"actual_wage": {"at_least": 5_000_000}}, [T, F, U]),
    ({"actual_wage": {"equals": 2_000_000}}, [F, T, U]),
    ({"actual_wage": {"not_equals": 2_000_000}}, [T, F, U]),
    ({"employment_type": {"in": ["intern", "daily"]}}, [F, T, U]),
    ({"employment_type": {"not_in": ["intern", "daily"]}}, [T, F, U]),
    ({"actual_wage": {"is_empty": True}}, [F, F, T]),                  # always known
    ({"actual_wage": {"is_not_empty": True}}, [T, T, F]),
    ({"actual_wage": {"above": {"field": "reported_wage_basis"}}}, [T, F, U]),
    ({"actual_wage": {"above": {"param": "jp_wage_cap"}}}, [F, F, U]),
    ({"enrolled_jp": True}, [T, F, U]),
    ({"enrolled_jp": False}, [F, T, U]),                              # unknown is not "no"
    ({"not": {"enrolled_jp": True}}, [F, T, U]),
    ({"not": {"actual_wage": {"below": 3_000_000}}}, [T, F, U]),
    ({"all": [{"participant": True}, {"enrolled_jp": False}]}, [F, F, F]),   # false wins
    ({"all": [{"employment_type": {"in": ["permanent"]}}, {"enrolled_jp": True}]}, [T, F, U]),
    ({"any": [{"enrolled_jp": True}, {"participant": True}]}, [T, F, U]),
    ({"any": [{"enrolled_jp": False}, {"actual_wage": {"is_empty": True}}]}, [F, T, T]),   # true wins
])
def test_every_operator_with_unknown_values(cond, expected):
    assert run(cond) == expected


def test_a_finding_needs_the_condition_true():
    ctx = Context(FRAME.copy(), Period(2025, 6), Company())
    assert rows_where({"enrolled_jp": False}, ctx, RULES.parameters).tolist() == [False, True, False]
    assert rows_where({"not": {"enrolled_jp": True}}, ctx, RULES.parameters).tolist() == [False, True, False]
