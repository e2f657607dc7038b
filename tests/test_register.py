"""The office's case register, on SQLite and on a real PostgreSQL server: numbering under
concurrency, reuse and reissue, escalation as the law allows it, cases closed by a compliant
re-check, migrations, and the import of an earlier version's ledger.jsonl.

PostgreSQL: .ci/run starts a throw-away server and sets COMPLIANCE_TEST_POSTGRES (a SQLAlchemy URL
of a database the tests may create databases from). Without it these tests skip, except under
CI=true, where a missing server fails them."""
import datetime as dt
import json
import multiprocessing
import os
import uuid
from pathlib import Path

import pytest

from compliance.outputs import letters
from compliance.outputs.letters import issue
from compliance.register import Register, RegisterError
from tests.conftest import RULES, SAMPLES, check, read_payroll, report_dict

PG = os.environ.get("COMPLIANCE_TEST_POSTGRES")
DATE = dt.date(2025, 7, 14)


def fresh_postgres_url() -> str:
    from sqlalchemy import create_engine, text

    name = f"reg_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    base, _, query = PG.partition("?")
    return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "kantor" / "register.sqlite")
    if not PG:
        if os.environ.get("CI") == "true":
            pytest.fail("COMPLIANCE_TEST_POSTGRES is not set: .ci/run must start PostgreSQL for these tests")
        pytest.skip("no PostgreSQL server: set COMPLIANCE_TEST_POSTGRES (as .ci/run does) to run these")
    return fresh_postgres_url()


def office():
    return letters.load_office(overrides={"signer_name": "Budi Hartono, S.E.", "phone": "(0736) 123456"})


def document(npp="17030456", name="CV SINAR BENGKULU", sample="cv-sinar-bengkulu-juni-2025.csv"):
    d = report_dict(check(read_payroll(SAMPLES / sample, engine="pandas")), "id")
    d["company"] = {**d["company"], "npp": npp, "name": name}
    return d


def settings(**values):
    return letters.Settings(**{"date": DATE, **values})


def test_a_new_register_is_migrated_to_the_latest_schema(location):
    reg = Register.open(location)
    assert reg.revision() == "0003"
    assert reg.cases(DATE) == []


def test_an_earlier_schema_is_upgraded_keeping_its_letters(location, tmp_path):
    reg = Register.open(location, migrate=False)
    reg.migrate("0001")                                  # the previous version: letters only
    ledger = tmp_path / "ledger.jsonl"
    ledger.write_text(json.dumps({"number": "001/PDS/BKL/VII/2025", "seq": 1, "office": "BKL", "year": 2025,
                                  "date": "2025-07-14", "stage": 1, "kind": "warning", "lang": "id",
                                  "company": "CV LAMA", "npp": "17000001", "period": "2025-06"}) + "\n")
    from sqlalchemy import text

    with reg.engine.begin() as conn:                    # what the 0001 schema can hold
        conn.execute(text("INSERT INTO companies (key, npp, name, vendor) VALUES ('17000001', '17000001', 'CV LAMA', "
                          "false)"))
        conn.execute(text("INSERT INTO letter_sequences (office, year, last_seq) VALUES ('BKL', 2025, 1)"))
        conn.execute(text("INSERT INTO letters (number, office, year, seq, company_id, period, stage, kind, lang, date,"
                          " status, draft) VALUES ('001/PDS/BKL/VII/2025', 'BKL', 2025, 1, 1, '2025-06', 1, "
                          "'warning', 'id', '2025-07-14', 'issued', false)"))
    reg = Register.open(location)
    assert reg.revision() == "0003"
    history = reg.history("17000001")
    assert [x["number"] for x in history["letters"]] == ["001/PDS/BKL/VII/2025"] and history["checks"] == []


def test_letters_an_earlier_version_issued_twice_are_kept_as_duplicates(location):
    from sqlalchemy import text

    reg = Register.open(location, migrate=False)
    reg.migrate("0002")                                  # before one letter per stage was the database's rule
    with reg.engine.begin() as conn:
        conn.execute(text("INSERT INTO companies (key, npp, name, vendor) VALUES ('17000001', '17000001', 'CV LAMA', "
                          "false)"))
        for seq in (1, 2, 3):                            # the race: three first warnings for one period
            conn.execute(text("INSERT INTO letters (number, office, year, seq, company_id, period, stage, kind, lang, "
                              "date, status, draft) VALUES (:n, 'BKL', 2025, :seq, 1, '2025-06', 1, 'warning', 'id', "
                              "'2025-07-14', 'issued', false)"), {"n": f"00{seq}/PDS/BKL/VII/2025", "seq": seq})
    reg = Register.open(location)
    assert [(x["number"], x["status"]) for x in reg.history("17000001")["letters"]] == [
        ("001/PDS/BKL/VII/2025", "issued"), ("002/PDS/BKL/VII/2025", "duplicate"),
        ("003/PDS/BKL/VII/2025", "duplicate")]


def _issue_in_process(args):
    location, npp, out = args
    reg = Register.open(location)
    d = json.loads(Path(out).with_suffix(".json").read_text())
    d["company"] = {**d["company"], "npp": npp, "name": f"PT {npp}"}
    issued = issue(reg, d, Path(out), office(), settings(), RULES)
    return issued.number


def test_eight_processes_issuing_at_once_never_share_a_number_or_leave_a_gap(location, tmp_path):
    Register.open(location)
    base = tmp_path / "report"
    base.with_suffix(".json").write_text(json.dumps(document()))
    jobs = [(location, f"170{i:05d}", str(tmp_path / f"out{i}")) for i in range(8)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(8) as pool:
        numbers = pool.map(_issue_in_process, [(loc, npp, str(base)) for loc, npp, _ in jobs])
    seqs = sorted(int(n.split("/")[0]) for n in numbers)
    assert seqs == list(range(1, 9))


def test_rendering_again_reuses_the_number_and_reissue_supersedes(location, tmp_path):
    reg = Register.open(location)
    d = document()
    first = issue(reg, d, tmp_path / "a", office(), settings(), RULES)
    again = issue(reg, d, tmp_path / "b", office(), settings(date=dt.date(2025, 8, 1)), RULES)
    assert again.number == first.number == "001/PDS/BKL/VII/2025" and again.reused
    new = issue(reg, d, tmp_path / "c", office(), settings(reissue=True), RULES)
    assert new.number == "002/PDS/BKL/VII/2025"
    other = issue(reg, document(npp="17099999", name="PT LAIN"), tmp_path / "d", office(), settings(), RULES)
    assert other.number == "003/PDS/BKL/VII/2025"                  # the sequence is the office's, not a folder's
    statuses = [(x["number"], x["status"]) for x in reg.history("17030456")["letters"]]
    assert statuses == [("001/PDS/BKL/VII/2025", "superseded"), ("002/PDS/BKL/VII/2025", "issued")]


def test_a_template_error_leaves_no_issued_letter_and_the_number_is_reused(location, tmp_path):
    import shutil

    from compliance.office import LetterError
    from compliance.resources import templates_dir

    broken = tmp_path / "templates"
    shutil.copytree(templates_dir(), broken)
    page = broken / "letter_id.html.j2"
    page.write_text(page.read_text(encoding="utf-8") + "{{ no_such_value }}", encoding="utf-8")
    reg = Register.open(location)
    d = document()
    with pytest.raises(LetterError) as failed:
        issue(reg, d, tmp_path / "a", office(), settings(templates=broken), RULES)
    assert failed.value.code == "letter-template-value" and not (tmp_path / "a").exists()
    # the number is reserved, not issued: no case opened, nothing to escalate from
    assert [(x["number"], x["status"]) for x in reg.history("17030456")["letters"]] == \
        [("001/PDS/BKL/VII/2025", "reserved")]
    assert reg.cases(DATE) == [] and reg.stage_due(d["company"], d["period"], dt.date(2025, 9, 1)) == 1
    done = issue(reg, d, tmp_path / "b", office(), settings(date=dt.date(2025, 7, 15)), RULES)
    assert done.number == "001/PDS/BKL/VII/2025" and not done.reused and (tmp_path / "b" / "letter.pdf").exists()
    assert "14 Juli 2025" in (tmp_path / "b" / "letter.html").read_text(encoding="utf-8")   # its reserved date
    assert [(x["number"], x["status"]) for x in reg.history("17030456")["letters"]] == \
        [("001/PDS/BKL/VII/2025", "issued")]
    assert [c["status"] for c in reg.cases(DATE)] == ["open"]
    other = issue(reg, document(npp="17099999", name="PT LAIN"), tmp_path / "c", office(), settings(), RULES)
    assert other.number == "002/PDS/BKL/VII/2025"                   # no number lost, none given twice


def test_escalation_is_refused_before_the_deadline_and_allowed_after_a_recheck(location, tmp_path):
    reg = Register.open(location)
    d = document()
    reg.record_check(d, "check", DATE)
    issue(reg, d, tmp_path / "1", office(), settings(), RULES)          # deadline 28 July 2025
    assert [c["status"] for c in reg.cases(dt.date(2025, 7, 20))] == ["open"]
    with pytest.raises(RegisterError, match="runs until 2025-07-28") as refused:
        issue(reg, d, tmp_path / "2", office(), settings(stage=2, date=dt.date(2025, 7, 28)), RULES)
    assert refused.value.code == "second-before-deadline"
    assert "berlaku sampai 2025-07-28" in refused.value.words("id", RULES.texts)
    assert [c["status"] for c in reg.cases(dt.date(2025, 7, 29))] == ["due-stage-2"]
    with pytest.raises(RegisterError, match="needs a check after 2025-07-28"):
        issue(reg, d, tmp_path / "2", office(), settings(stage=2, date=dt.date(2025, 8, 4)), RULES)
    reg.record_check(d, "check", dt.date(2025, 8, 4))                         # still not compliant
    second = issue(reg, d, tmp_path / "2", office(), settings(stage=2, date=dt.date(2025, 8, 4)), RULES)
    assert second.number == "002/PDS/BKL/VIII/2025"
    text = (tmp_path / "2" / "letter.html").read_text()
    assert "Teguran Tertulis Kedua" in text and "001/PDS/BKL/VII/2025" in text
    [case] = reg.cases(dt.date(2025, 9, 1))
    from compliance.outputs.cases import case_rows

    [worded] = case_rows([case], "en", RULES)
    assert case["status"] == "due-sanction" and "0.1%" in worded["recommendation"]
    assert "letter" not in worded["recommendation"]
    assert "denda 0,1% per bulan" in case_rows([case], "id", RULES)[0]["recommendation"]


def test_a_compliant_recheck_closes_the_case(location, tmp_path):
    reg = Register.open(location)
    d = document()
    reg.record_check(d, "check", DATE)
    issue(reg, d, tmp_path / "1", office(), settings(), RULES)
    fixed = {**d, "compliant": True, "totals": {**d["totals"], "violations": 0, "monthly_shortfall_idr": 0}}
    reg.record_check(fixed, "check", dt.date(2025, 7, 25))
    [case] = reg.cases(dt.date(2025, 8, 1))
    assert case["status"] == "closed" and case["closed_on"] == "2025-07-25"
    assert reg.cases(dt.date(2025, 8, 1), status="open") == []


def test_an_earlier_ledger_is_imported(location, tmp_path):
    reg = Register.open(location)
    ledger = tmp_path / "ledger.jsonl"
    entries = [{"number": "004/PDS/BKL/VII/2025", "seq": 4, "office": "BKL", "year": 2025, "date": "2025-07-14",
                "stage": 1, "kind": "warning", "lang": "id", "company_key": "17030456", "company": "CV SINAR",
                "npp": "17030456", "period": "2025-06", "monthly_shortfall_idr": 433440, "files": ["letter.pdf"],
                "sha256_pdf": "0" * 64}]
    ledger.write_text("".join(json.dumps(e) + "\n" for e in entries))
    assert reg.import_ledger(ledger) == 1
    assert reg.import_ledger(ledger) == 0                                    # once only
    nxt = issue(reg, document(npp="17011111", name="PT BARU"), tmp_path / "o", office(), settings(), RULES)
    assert nxt.number == "005/PDS/BKL/VII/2025"                              # numbering goes on after it
    assert [c["status"] for c in reg.cases(dt.date(2025, 7, 20))] == ["open", "open"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    with pytest.raises(RegisterError, match=r"bad.jsonl: line 1 is not a ledger entry"):
        reg.import_ledger(bad)


def test_cases_commands(tmp_path):
    from click.testing import CliRunner

    from compliance.cli import main

    reg = str(tmp_path / "register.sqlite")
    sample = str(SAMPLES / "cv-sinar-bengkulu-juni-2025.csv")
    run = CliRunner().invoke
    r = run(main, ["check", sample, "--engine", "pandas", "--out", str(tmp_path / "o"), "--letter", "--letter-date",
                   "2025-07-14", "--signer-name", "Budi", "--office-phone", "(0736) 123456", "--register", reg])
    assert r.exit_code == 1, r.output
    r = run(main, ["cases", "list", "--register", reg, "--as-of", "2025-07-30", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)[0]["status"] == "due-stage-2"
    r = run(main, ["cases", "list", "--register", reg, "--status", "closed"])
    assert r.exit_code == 0 and r.output.startswith("0 kasus per ")
    r = run(main, ["cases", "list", "--register", reg, "--format", "xlsx", "--out", str(tmp_path / "k.xlsx")])
    assert r.exit_code == 0 and (tmp_path / "k.xlsx").stat().st_size > 0
    r = run(main, ["cases", "show", "17030456", "--register", reg])
    assert r.exit_code == 0 and "001/PDS/BKL/VII/2025" in r.output
    r = run(main, ["cases", "show", "99999999", "--register", reg])
    assert r.exit_code == 2 and "tidak ada perusahaan dengan NPP 99999999" in r.output


def _start_together(barrier, results, job, *args):
    """One process of a crowd: `job(*args)` once all are ready, its result (or its error) reported."""
    try:
        prepared = job(*args, barrier)
        results.put(("ok", prepared))
    except BaseException as exc:  # noqa: BLE001 - a process that dies is what these tests count
        results.put(("error", f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"))


def _crowd(n, job, *args, timeout=300):
    """`n` spawned processes running `job` at the same moment (a barrier): their results."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_start_together, args=(barrier, results, job, *args)) for _ in range(n)]
    for p in procs:
        p.start()
    out = [results.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    return out


def _check_and_issue(location, report, out, barrier):
    reg = Register.open(location)
    d = json.loads(Path(report).read_text())
    folder = Path(out) / str(os.getpid())
    barrier.wait(timeout=240)
    reg.record_check(d, "check", DATE)
    return issue(reg, d, folder, office(), settings(), RULES).number


def test_eight_processes_checking_one_company_issue_one_first_warning(location, tmp_path):
    Register.open(location)                              # a register without the company yet
    report = tmp_path / "report.json"
    report.write_text(json.dumps(document()))
    results = _crowd(8, _check_and_issue, location, str(report), str(tmp_path / "out"))
    assert [r for r in results if r[0] == "error"] == []
    assert {r[1] for r in results} == {"001/PDS/BKL/VII/2025"}
    history = Register.open(location).history("17030456")
    assert [(x["number"], x["stage"], x["status"]) for x in history["letters"]] == \
        [("001/PDS/BKL/VII/2025", 1, "issued")]
    assert len(history["checks"]) == 8


def _open_fresh(location, barrier):
    barrier.wait(timeout=240)
    return Register.open(location).revision()


def test_eight_processes_opening_a_fresh_register_all_migrate_it(location):
    results = _crowd(8, _open_fresh, location)          # nothing made yet: all eight create the schema at once
    assert results == [("ok", "0003")] * 8
