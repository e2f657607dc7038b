"""Property-based: payroll tables with random mixes of the odd forms real files bring. Whatever
the mix, no exception escapes, the exit code is 0, 1 or 2, and every row read is checked or
reported (rows read = usable + with issues; the rest listed as ignored)."""
import json
import os

from click.testing import CliRunner
from openpyxl.utils.exceptions import IllegalCharacterError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.cli import main
from compliance.errors import UnusableInput
from tests.conftest import RULES, write_csv, write_xlsx

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
odd_text = st.sampled_from([
    "=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\u202eKIRI", "PT \u200fMaju", "x" * 32767, "", " ",
    "Ma’ruf", "\x00", "NULL", "#N/A", "1e308",
])
nik = st.sampled_from(["1771011203850001", "3.27106E+15", "1771011203850001".translate(ARABIC_INDIC),
                       "1771011203850001".translate(FULL_WIDTH), "17710112038500011", "", "=1+1"]) | \
    st.integers(min_value=10**15, max_value=10**16 - 1)
wage = st.sampled_from(["Rp 4.500.000", "-4.500.000", "999999999999999999999", "4500000".translate(FULL_WIDTH),
                        "4500000".translate(ARABIC_INDIC), "1e308", "NaN", ""]) | \
    st.integers(min_value=-10**12, max_value=10**15) | st.floats(allow_nan=True, allow_infinity=True)
date = st.sampled_from(["01/01/1900", "2999-01-01", "1899-12-31", "31/02/2025", "5 Juli 2025", "00/00/0000",
                        "2025-06-15".translate(FULL_WIDTH), ""]) | st.integers(min_value=-10, max_value=3_000_000)
row = st.tuples(nik, st.one_of(odd_text, st.sampled_from(["Ani", "Budi Santoso"])), date, wage, wage, odd_text)


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 25)), deadline=None,
          derandomize=bool(os.environ.get("CI")), suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
@given(rows=st.lists(row, min_size=1, max_size=12), duplicate=st.booleans(), blank=st.booleans(),
       as_csv=st.booleans())
def test_odd_forms_never_escape(tmp_path_factory, rows, duplicate, blank, as_csv):
    tmp = tmp_path_factory.mktemp("odd")
    grid = [["NIK", "Nama", "Tgl Lahir", "Gaji Pokok", "Tunjangan Tetap", "Jabatan"]]
    for r in rows:
        grid.append(list(r))
        if blank:
            grid.append([])
    if duplicate:
        grid.append(list(rows[0]))
    try:
        path = write_csv(tmp / "g.csv", grid, ";") if as_csv else write_xlsx(tmp / "g.xlsx", {"Gaji": grid})
    except (ValueError, UnicodeEncodeError, IllegalCharacterError):   # a value the writer refuses (NUL in xlsx)
        return
    result = CliRunner().invoke(main, ["validate", str(path), "--engine", "pandas", "--period", "2025-06",
                                       "--format", "json"])
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        assert result.output.startswith("kesalahan: ") and "Traceback" not in result.output
        assert UnusableInput("unexpected").words("id", RULES.texts).split("(")[0] not in result.output, result.output
        return
    d = json.loads(result.output)
    assert d["source"]["rows_read"] == d["rows_usable"] + d["rows_with_issues"]
    result = CliRunner().invoke(main, ["check", str(path), "--engine", "pandas", "--period", "2025-06"])
    assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output
