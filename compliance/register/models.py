"""The office's case register, as SQLAlchemy 2 tables: companies, checks, letters, cases, and the
letter-number sequences. The same models run on SQLite (the embedded default) and PostgreSQL (a
branch server); the schema is made and changed by the Alembic migrations beside this module."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Sequence(Base):
    """The last letter number issued per office and year (allocated under a row lock)."""

    __tablename__ = "letter_sequences"
    office: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Company(Base):
    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)      # the NPP, else the name
    npp: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(500))
    size: Mapped[str | None] = mapped_column(String(16))
    jkk_risk: Mapped[str | None] = mapped_column(String(16))
    vendor: Mapped[bool] = mapped_column(Boolean, default=False)


class Check(Base):
    __tablename__ = "checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    period: Mapped[str] = mapped_column(String(7))
    checked_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    command: Mapped[str] = mapped_column(String(32))
    ruleset_version: Mapped[str] = mapped_column(String(32))
    input_sha256: Mapped[str | None] = mapped_column(String(64))
    report_sha256: Mapped[str] = mapped_column(String(64))
    workers: Mapped[int] = mapped_column(Integer)
    participants: Mapped[int] = mapped_column(Integer)
    violations: Mapped[int] = mapped_column(Integer)
    findings_by_family: Mapped[dict] = mapped_column(JSON)
    shortfall_idr: Mapped[int] = mapped_column(Integer)
    vendor_shortfall_idr: Mapped[int] = mapped_column(Integer)
    compliant: Mapped[bool] = mapped_column(Boolean)


class Letter(Base):
    __tablename__ = "letters"
    __table_args__ = (
        UniqueConstraint("office", "year", "seq", name="uq_letter_number"),
        # one issued and one reserved letter at most per company, period and stage (migration 0003)
        *(Index(f"uq_letter_{status}", "company_id", "period", "stage", unique=True,
                sqlite_where=text(f"status = '{status}'"), postgresql_where=text(f"status = '{status}'"))
          for status in ("issued", "reserved")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(100))
    office: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    period: Mapped[str] = mapped_column(String(7))
    stage: Mapped[int] = mapped_column(Integer)                  # 0 confirmation, 1 and 2 warnings
    kind: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(2))
    date: Mapped[dt.date] = mapped_column(Date)
    deadline_days: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    files: Mapped[list] = mapped_column(JSON, default=list)
    sha256_pdf: Mapped[str | None] = mapped_column(String(64))
    check_id: Mapped[int | None] = mapped_column(ForeignKey("checks.id"))
    # reserved (numbered, its files not written yet) | issued | superseded | duplicate (an earlier
    # version's race issued it twice)
    status: Mapped[str] = mapped_column(String(16), default="issued")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    draft: Mapped[bool] = mapped_column(Boolean, default=False)
    ruleset_version: Mapped[str | None] = mapped_column(String(32))
    shortfall_idr: Mapped[int | None] = mapped_column(Integer)


class Case(Base):
    """One company's case for one period: opened by its first warning, closed by a later check
    that finds it compliant. Whether it is due for the second warning or for sanctions follows
    from its letters' deadlines and the date asked about."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("company_id", "period", name="uq_case"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    period: Mapped[str] = mapped_column(String(7))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_by_check_id: Mapped[int | None] = mapped_column(ForeignKey("checks.id"))
