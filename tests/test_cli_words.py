"""The command line's own edges (issue 21): --debug after the subcommand, a folder that cannot be
written named in the user's words, a workbook refused under a name that is not .xlsx, and click's
usage errors in the user's language with exit code 2."""
from click.testing import CliRunner

from compliance.cli import main
from tests.conftest import SAMPLES

PAYROLL = SAMPLES / "pt-maju-bersama-juni-2025.xlsx"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_debug_is_understood_after_the_subcommand():
    code, out, err = run("check", PAYROLL, "--engine", "pandas", "--debug")
    assert code == 1 and "No such option" not in err and "NPP 17010234" in out


def test_a_folder_that_cannot_be_written_is_named_in_the_users_words(tmp_path):
    blocker = tmp_path / "berkas.txt"
    blocker.write_text("x")
    code, _, err = run("check", PAYROLL, "--engine", "pandas", "--out", blocker / "hasil")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert f"folder {blocker / 'hasil'} tidak dapat ditulis (bagian jalurnya adalah berkas, bukan folder)" in err
    code, _, err = run("template", "--out", blocker / "t.xlsx", "--lang", "en")
    assert code == 2 and err.strip() == f"error: the folder {blocker} cannot be written (a file of that name exists, " \
                                         "not a folder)"


def test_an_audit_names_its_unwritable_folder_before_it_starts(tmp_path):
    from tests.conftest import SAMPLES

    blocker = tmp_path / "berkas.txt"
    blocker.write_text("x")
    code, _, err = run("audit", SAMPLES / "branch" / "kiriman", "--out", blocker / "audit", "--no-letters", "--register",
                       tmp_path / "r.sqlite", "--jobs", "1")
    assert code == 2 and err.strip() == f"kesalahan: folder {blocker / 'audit'} tidak dapat ditulis (bagian jalurnya " \
                                         "adalah berkas, bukan folder)", err
    code, _, err = run("cases", "list", "--register", blocker / "r.sqlite", "--lang", "en")
    assert code == 2 and err.strip() == f"error: {blocker / 'r.sqlite'}: the register cannot be opened (a file of " \
                                         "that name exists, not a folder)", err


def test_a_workbook_is_not_written_under_another_name(tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    for args in (("template", "--out", tmp_path / "t.csv"),
                 ("annotate", PAYROLL, "--engine", "pandas", "--out", tmp_path / "a.csv"),
                 ("cases", "list", "--register", tmp_path / "r.sqlite", "--format", "xlsx", "--out", tmp_path / "k.csv")):
        code, _, err = run(*args)
        assert code == 2 and len(err.strip().splitlines()) == 1, (args, err)
        assert "berakhiran .xlsx" in err and str(args[-1].with_suffix(".xlsx")) in err
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("r.sqlite")) == []
    code, _, err = run("template", "--out", tmp_path / "t.CSV", "--lang", "en")
    assert code == 2 and "give a name ending in .xlsx" in err


def test_click_usage_errors_speak_the_users_language():
    code, _, err = run("check", "--bogus", "x")
    assert code == 2
    assert "Cara pakai: " in err and "untuk bantuan" in err and "--bogus" in err
    # click words this message "No such option '--bogus'." or, before 8.4, "No such option: --bogus"
    assert "kesalahan: opsi '--bogus' tidak dikenal." in err or "kesalahan: opsi tidak dikenal: --bogus" in err, err
    assert not {"Usage", "Try", "Error", "No", "such", "option"} & set(err.replace(":", " ").replace("'", " ").split()), err
    code, _, err = run("chek")
    assert code == 2 and "perintah 'chek' tidak dikenal." in err, err
    code, _, en = run("chek", "--lang", "en")
    if "Did you mean 'check'?" in en:         # click suggests a command's name only from 8.4 on
        assert "Maksud Anda 'check'?" in err
    code, _, err = run("cases", "list", "--status", "bad")
    assert code == 2 and "Nilai tidak sah untuk '--status': 'bad' bukan salah satu dari" in err
    code, _, err = run("check", "--bogus", "x", "--lang", "en")
    assert code == 2 and "Usage: " in err
    assert "error: No such option '--bogus'" in err or "error: No such option: --bogus" in err, err
    # the help, whose option texts are English, stays as click writes it
    code, out, _ = run("check", "--help")
    assert code == 0 and out.startswith("Usage: ")
