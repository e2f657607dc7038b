"""The office's case register: one database shared by every command and every worker process.

    reg = Register.open("kantor/register.sqlite")        # or "postgresql+psycopg://..."
    check_id = reg.record_check(document, "check", checked_on)
    reserved = reg.reserve_letter(document, office, settings, rule_set, check_id)   # outputs.letters.issue renders
    reg.cases(as_of=date.today(), status="due-stage-2")

SQLite (WAL mode, a write lock taken at the start of each transaction) is the embedded default;
the same code runs on PostgreSQL (the company's row locked before any decision about its letters,
a row lock on the office's letter sequence, the schema migrated under an advisory lock). A letter
number is allocated inside the transaction that records the letter, under a unique constraint, so
processes issuing letters at once never share a number or leave a gap; a letter is *reserved*
until its files are written and *issued* only then, and a company has at most one issued and one
reserved letter per period and stage (partial unique indexes). Escalation follows the law (domain
6.3-6.5): a second warning only after the first's deadline and a later check that still finds the
employer's violations; no third warning; after the second's deadline the case is due for the fine
and then for withheld services: a list and a recommendation, never a letter.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from compliance.errors import UnusableInput, os_reason
from compliance.register.models import Case, Check, Company, Letter, Sequence

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x636F6D706C69        # PostgreSQL advisory lock key held while migrating ("compli")
STATUSES = ("open", "due-stage-2", "due-sanction", "closed")


class RegisterError(UnusableInput):
    """The register cannot do what was asked (one line, exit 2)."""


def database_url(location: str | Path) -> str:
    """A path is a SQLite file; anything with `://` is a SQLAlchemy URL (PostgreSQL)."""
    text = str(location)
    if "://" in text:
        return text
    path = Path(text).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


class Register:
    def __init__(self, url: str):
        from sqlalchemy import create_engine, event

        self.url = url
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.engine = create_engine(url, connect_args={"timeout": 60})

            @event.listens_for(self.engine, "connect")
            def _connect(dbapi_connection, _record):
                dbapi_connection.isolation_level = None     # transactions are begun below, not by pysqlite
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA busy_timeout=60000")
                cursor.close()

            @event.listens_for(self.engine, "begin")
            def _begin(conn):
                conn.exec_driver_sql("BEGIN IMMEDIATE")      # the write lock from the start: no lost updates
        else:
            self.engine = create_engine(url, pool_pre_ping=True)

    @classmethod
    def open(cls, location: str | Path, migrate: bool = True) -> "Register":
        try:
            reg = cls(database_url(location))
            if migrate:
                reg.migrate()
        except RegisterError:
            raise
        except Exception as exc:  # noqa: BLE001 - a database that cannot be opened is one line, exit 2
            reason = os_reason(exc) if isinstance(exc, OSError) else _one_line(exc)
            raise RegisterError("register-cannot-open", file=str(location), reason=reason) from None
        return reg

    # -- schema -----------------------------------------------------------------------------------
    def migrate(self, revision: str = "head") -> None:
        """Create or upgrade the schema (Alembic); a database from an earlier version keeps its data."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:    # SQLite: BEGIN IMMEDIATE, one writer at a time
            if not self.sqlite:              # processes opening a fresh register at once migrate one after another
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def session(self):
        from sqlalchemy.orm import Session

        return Session(self.engine, expire_on_commit=False)

    # -- companies and checks ---------------------------------------------------------------------
    def _insert(self):
        """The dialect's INSERT, which has ON CONFLICT DO NOTHING."""
        if self.sqlite:
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        return insert

    def _company(self, s, company: dict) -> Company:
        """The company's row, made if new (INSERT ... ON CONFLICT DO NOTHING: processes meeting a new
        company at once never collide on its key) and locked until the caller's transaction ends,
        so that every decision about its checks, cases and letters is taken one at a time."""
        from sqlalchemy import select

        key = company.get("npp") or company.get("name") or ""
        if not key:
            raise RegisterError("register-needs-key")
        s.execute(self._insert()(Company).values(key=key, vendor=False).on_conflict_do_nothing(index_elements=["key"]))
        row = s.scalars(select(Company).where(Company.key == key).with_for_update()).one()
        for field in ("npp", "name", "address", "size", "jkk_risk"):
            if company.get(field):
                setattr(row, field, company[field])
        s.flush()
        return row

    def record_check(self, document: dict, command: str, checked_on: dt.date, input_sha256: str | None = None,
                     now: dt.datetime | None = None) -> int:
        """Record one check (a report as the contract). A compliant check closes the company's
        open cases for that period and earlier ones."""
        from sqlalchemy import select

        t = document["totals"]
        with self.session() as s, s.begin():
            company = self._company(s, document["company"])
            check = Check(company_id=company.id, period=document["period"], checked_on=checked_on,
                          recorded_at=now or dt.datetime.now(), command=command,
                          ruleset_version=document["ruleset_version"], input_sha256=input_sha256,
                          report_sha256=hashlib.sha256(json.dumps(document, sort_keys=True, default=str)
                                                       .encode()).hexdigest(),
                          workers=t["workers"], participants=t["participants"], violations=t["violations"],
                          findings_by_family={k: v["violation"] for k, v in document["by_family"].items()},
                          shortfall_idr=t["monthly_shortfall_idr"],
                          vendor_shortfall_idr=t.get("vendor_shortfall_idr", 0), compliant=document["compliant"])
            s.add(check)
            s.flush()
            if check.compliant:
                for case in s.scalars(select(Case).where(Case.company_id == company.id, Case.closed_on.is_(None),
                                                         Case.period <= check.period)):
                    case.closed_on, case.closed_by_check_id = checked_on, check.id
            return check.id

    # -- letters ----------------------------------------------------------------------------------
    def reserve_letter(self, document: dict, office, settings, rule_set, check_id: int | None = None):
        """The number of the letter for a report, reserved and recorded (or the one already issued
        for the company, period and stage, or the one an earlier attempt reserved but never wrote):
        a Reservation to render, or an Issued that says why no letter is due. Rendering is apart so
        that a batch renders in its workers; `letter_files` issues the letter once it is written."""
        from compliance import office as letters

        kind = "confirmation" if document["compliant"] else "warning"
        if kind == "confirmation" and not settings.all_letters:
            return letters.Issued(None, [], skipped="letter-skipped-compliant")
        if office.signer_is_placeholder and not settings.draft:
            raise letters.LetterError("signer-placeholder", signer=office.signer_name)
        stage = 0 if kind == "confirmation" else settings.stage
        period = document["period"]
        letters.check_letter_date(period, settings.date)
        with self.session() as s, s.begin():
            company = self._company(s, document["company"])     # locked: one decision at a time
            existing = self._letter(s, company.id, period, stage)
            pending = self._letter(s, company.id, period, stage, "reserved")
            first = self._letter(s, company.id, period, 1) if stage == 2 else None
            if stage == 2:
                self._may_escalate(s, company, period, first, settings.date)
            if pending is not None:
                # reserved by an attempt that wrote no files (a template error, a kill) or by one
                # writing them now: its number and date again, never a second letter
                letter, reused = pending, False
                settings = replace(settings, date=pending.date)
            elif existing is not None and not settings.reissue:
                letter, reused = existing, True
                settings = replace(settings, date=existing.date)
            else:
                seq = self._next_seq(s, office.code, settings.date.year)
                letter = Letter(number=letters.letter_number(office, seq, settings.date, stage), office=office.code,
                                year=settings.date.year, seq=seq, company_id=company.id, period=period, stage=stage,
                                kind=kind, date=settings.date, files=[], status="reserved",
                                supersedes_id=existing.id if existing is not None else None)
                s.add(letter)
                reused = False
            if letter.status == "reserved":      # not issued yet: described by this attempt
                days = letters.deadline_days(office, settings, rule_set)
                letter.lang, letter.draft, letter.deadline_days = settings.lang, settings.draft, days
                letter.deadline = letters.add_working_days(settings.date, days) if stage else None
                letter.check_id = check_id or self._latest_check_id(s, company.id, period)
                letter.ruleset_version = document["ruleset_version"]
                letter.shortfall_idr = document["totals"]["monthly_shortfall_idr"]
                s.flush()
            first_info = {"number": first.number, "date": first.date.isoformat()} if first is not None else None
            return Reservation(letter.id, letter.number, kind, replace(settings, stage=max(stage, 1)), first_info,
                               reused, list(letter.files or []), letter.sha256_pdf)

    def letter_files(self, letter_id: int, paths: list[Path], pdf: bytes) -> None:
        """Record where a letter was written and the digest of its PDF. A reserved letter is
        issued only now: it supersedes the one it replaces, and a first warning opens the case."""
        from sqlalchemy import select

        with self.session() as s, s.begin():
            company_id = s.scalar(select(Letter.company_id).where(Letter.id == letter_id))
            s.execute(select(Company.id).where(Company.id == company_id).with_for_update())
            row = s.get(Letter, letter_id)
            row.files = [str(p) for p in paths]
            row.sha256_pdf = hashlib.sha256(pdf).hexdigest()
            if row.status != "reserved":          # issued already (rendered again, or by another process)
                return
            for old in s.scalars(select(Letter).where(Letter.company_id == row.company_id, Letter.period == row.period,
                                                      Letter.stage == row.stage, Letter.status == "issued")):
                old.status = "superseded"
                row.supersedes_id = row.supersedes_id or old.id
            s.flush()                             # the old one superseded before the new one is issued
            row.status = "issued"
            if row.stage == 1:
                self._open_case(s, row.company_id, row.period, row.date)

    def stage_due(self, company: dict, period: str, date: dt.date) -> int:
        """The warning a company's violations call for now: the second once the first's deadline
        has passed (and a later check still finds violations, which `reserve_letter` verifies),
        else the first (a new one, or the one already issued, reused)."""
        from sqlalchemy import select

        key = company.get("npp") or company.get("name") or ""
        with self.session() as s:
            row = s.scalars(select(Company).where(Company.key == key)).first()
            if row is None:
                return 1
            if self._letter(s, row.id, period, 2) is not None:
                return 2
            first = self._letter(s, row.id, period, 1)
            check = self._latest_check(s, row.id, period)
            if (first is not None and first.deadline is not None and date > first.deadline and check is not None
                    and check.checked_on > first.deadline and not check.compliant):
                return 2
            return 1

    def check_with_fingerprint(self, fingerprint: str) -> dict | None:
        """A recorded check of exactly these inputs and rules (a batch re-run skips it)."""
        from sqlalchemy import select

        with self.session() as s:
            row = s.scalars(select(Check).where(Check.input_sha256 == fingerprint).order_by(Check.id.desc())).first()
            return None if row is None else {"id": row.id, "period": row.period, "checked_on": row.checked_on}

    @staticmethod
    def _letter(s, company_id: int, period: str, stage: int, status: str = "issued") -> Letter | None:
        from sqlalchemy import select

        return s.scalars(select(Letter).where(Letter.company_id == company_id, Letter.period == period,
                                              Letter.stage == stage, Letter.status == status)
                         .order_by(Letter.id.desc())).first()

    @staticmethod
    def _latest_check(s, company_id: int, period: str) -> Check | None:
        from sqlalchemy import select

        return s.scalars(select(Check).where(Check.company_id == company_id, Check.period == period)
                         .order_by(Check.checked_on.desc(), Check.id.desc())).first()

    def _latest_check_id(self, s, company_id: int, period: str) -> int | None:
        check = self._latest_check(s, company_id, period)
        return check.id if check is not None else None

    def _may_escalate(self, s, company: Company, period: str, first: Letter | None, date: dt.date) -> None:
        """A second warning cites the first, comes after its deadline, and rests on a later check
        that still finds the employer's violations (PP 86/2013; domain 6.4)."""
        if first is None:
            raise RegisterError("second-needs-first", company=company.key, period=period)
        if date <= first.deadline:
            raise RegisterError("second-before-deadline", number=first.number, deadline=first.deadline.isoformat())
        check = self._latest_check(s, company.id, period)
        if check is None or check.checked_on <= first.deadline or check.compliant:
            raise RegisterError("second-needs-recheck", deadline=first.deadline.isoformat())

    def _next_seq(self, s, office: str, year: int) -> int:
        """The next number of the office's year, inside the caller's transaction: SQLite holds the
        database's write lock since BEGIN IMMEDIATE; PostgreSQL locks the sequence's row."""
        from sqlalchemy import select, update

        s.execute(self._insert()(Sequence).values(office=office, year=year, last_seq=0).on_conflict_do_nothing())
        current = s.execute(select(Sequence.last_seq).where(Sequence.office == office, Sequence.year == year)
                            .with_for_update()).scalar_one()
        s.execute(update(Sequence).where(Sequence.office == office, Sequence.year == year)
                  .values(last_seq=current + 1))
        return current + 1

    @staticmethod
    def _open_case(s, company_id: int, period: str, opened_on: dt.date) -> None:
        from sqlalchemy import select

        case = s.scalars(select(Case).where(Case.company_id == company_id, Case.period == period)).first()
        if case is None:
            s.add(Case(company_id=company_id, period=period, opened_on=opened_on))
        elif case.closed_on is not None:
            case.closed_on, case.closed_by_check_id, case.opened_on = None, None, opened_on

    # -- cases ------------------------------------------------------------------------------------
    def cases(self, as_of: dt.date, status: str | None = None) -> list[dict]:
        """Every case with its status on `as_of`: open, due-stage-2 (the first warning's deadline
        passed), due-sanction (the second's passed: the fine, then withheld services), closed."""
        from sqlalchemy import select

        out = []
        with self.session() as s:
            for case, company in s.execute(select(Case, Company).join(Company, Case.company_id == Company.id)
                                           .order_by(Company.key, Case.period)):
                first = self._letter(s, company.id, case.period, 1)
                second = self._letter(s, company.id, case.period, 2)
                last = second or first
                # the state only; what to do about it is worded by compliance.outputs.cases
                if case.closed_on is not None:
                    state = "closed"
                elif second is not None and as_of > second.deadline:
                    state = "due-sanction"
                elif second is None and first is not None and as_of > first.deadline:
                    state = "due-stage-2"
                else:
                    state = "open"
                if status and state != status:
                    continue
                check = self._latest_check(s, company.id, case.period)
                out.append({
                    "npp": company.npp, "company": company.name, "period": case.period, "status": state,
                    "stage": last.stage if last else 0, "last_letter": last.number if last else None,
                    "letter_date": last.date.isoformat() if last else None,
                    "deadline": last.deadline.isoformat() if last and last.deadline else None,
                    "opened_on": case.opened_on.isoformat(),
                    "closed_on": case.closed_on.isoformat() if case.closed_on else None,
                    "last_check": check.checked_on.isoformat() if check else None,
                    "violations": check.violations if check else None,
                    "shortfall_idr": check.shortfall_idr if check else None,
                })
        return out

    def history(self, npp: str) -> dict:
        """A company's checks and letters, oldest first."""
        from sqlalchemy import or_, select

        with self.session() as s:
            company = s.scalars(select(Company).where(or_(Company.npp == npp, Company.key == npp))).first()
            if company is None:
                raise RegisterError("register-no-company", npp=npp)
            checks = s.scalars(select(Check).where(Check.company_id == company.id)
                               .order_by(Check.checked_on, Check.id)).all()
            letters = s.scalars(select(Letter).where(Letter.company_id == company.id).order_by(Letter.id)).all()
            return {
                "company": {"npp": company.npp, "name": company.name, "address": company.address,
                            "size": company.size, "jkk_risk": company.jkk_risk},
                "checks": [{"id": c.id, "period": c.period, "checked_on": c.checked_on.isoformat(),
                            "command": c.command, "workers": c.workers, "participants": c.participants,
                            "violations": c.violations, "shortfall_idr": c.shortfall_idr,
                            "vendor_shortfall_idr": c.vendor_shortfall_idr, "compliant": c.compliant,
                            "ruleset_version": c.ruleset_version, "report_sha256": c.report_sha256}
                           for c in checks],
                "letters": [{"number": x.number, "period": x.period, "stage": x.stage, "kind": x.kind,
                             "date": x.date.isoformat(), "deadline": x.deadline.isoformat() if x.deadline else None,
                             "status": x.status, "draft": x.draft, "sha256_pdf": x.sha256_pdf, "check_id": x.check_id}
                            for x in letters],
            }

    # -- the old per-folder ledger ----------------------------------------------------------------
    def import_ledger(self, path: Path) -> int:
        """Bring in a ledger.jsonl of an earlier version (one letter per line); a letter already
        in the register (same office, year and number) is skipped. Returns letters imported."""
        from sqlalchemy import select

        from compliance.office import add_working_days

        path = Path(path)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise RegisterError("ledger-unreadable", file=str(path), reason=_one_line(exc)) from None
        entries = []
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                e = json.loads(line)
                entries.append((n, e, dt.date.fromisoformat(e["date"]), int(e["seq"]), str(e["office"])))
            except (ValueError, KeyError, TypeError):
                raise RegisterError("ledger-bad-line", file=str(path), line=n) from None
        imported = 0
        with self.session() as s, s.begin():
            for n, e, date, seq, office in entries:
                if s.scalars(select(Letter).where(Letter.office == office, Letter.year == date.year,
                                                  Letter.seq == seq)).first() is not None:
                    continue
                company = self._company(s, {"npp": e.get("npp"), "name": e.get("company")})
                stage = int(e.get("stage", 1))
                # an entry of an older version has no deadline: the longest the law allows (10 working days)
                deadline = (dt.date.fromisoformat(e["deadline"]) if e.get("deadline") else
                            add_working_days(date, 10) if stage else None)
                # a second letter issued for the same company, period and stage (the race of an
                # earlier version) is kept as a duplicate: one issued letter each
                status = ("superseded" if any(x[1].get("reissue_of") == e["number"] for x in entries) else
                          "duplicate" if self._letter(s, company.id, e["period"], stage) is not None else "issued")
                s.add(Letter(number=e["number"], office=office, year=date.year, seq=seq, company_id=company.id,
                             period=e["period"], stage=stage, kind=e.get("kind", "warning"), lang=e.get("lang", "id"),
                             date=date, deadline=deadline, files=e.get("files", []), sha256_pdf=e.get("sha256_pdf"),
                             status=status, ruleset_version=e.get("ruleset_version"),
                             shortfall_idr=e.get("monthly_shortfall_idr")))
                seq_row = s.get(Sequence, (office, date.year))
                if seq_row is None:
                    s.add(Sequence(office=office, year=date.year, last_seq=seq))
                else:
                    seq_row.last_seq = max(seq_row.last_seq, seq)
                if stage == 1:
                    s.flush()
                    self._open_case(s, company.id, e["period"], date)
                imported += 1
        return imported


@dataclass(frozen=True)
class Reservation:
    """A letter's number, reserved and recorded (or issued already, `reused`), waiting to be
    rendered; `Register.letter_files` issues it once its files are written."""

    letter_id: int
    number: str
    kind: str
    settings: object
    first: dict | None
    reused: bool
    files: list
    sha256_pdf: str | None


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
