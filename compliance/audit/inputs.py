"""The files of a batch: folders (walked in name order), single files and `.zip` archives whose
members are read as bytes, never extracted to disk under their own names. Every file found is
one "file given": it is audited, refused (with the reason) or not tied to a company."""
from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from compliance.errors import UnusableInput
from compliance.ingest.files import MAX_INFLATED_BYTES, inflation_problem

ZIP = ".zip"


@dataclass(frozen=True)
class Submission:
    key: str                  # how the user knows it: a path, or archive.zip!member
    name: str                 # its own file name (type sniffing, tying by name)
    path: str                 # the file on disk; for an archive's member, the archive
    member: str | None = None
    problem: UnusableInput | None = None    # refused before reading (e.g. an archive that would inflate too far)


def find_submissions(inputs: list[Path], exclude: set[Path] = frozenset()) -> list[Submission]:
    """Every file of the inputs, in a stable order (what a re-run compares)."""
    found: list[Submission] = []
    excluded = {Path(p).resolve() for p in exclude}
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            files = sorted(p for p in item.rglob("*") if p.is_file())
        else:
            files = [item]
        for f in files:
            if f.resolve() in excluded or any(x in f.resolve().parents for x in excluded if x.is_dir()):
                continue
            if f.suffix.lower() == ZIP and zipfile.is_zipfile(f):
                found.extend(_members(f))
            else:
                found.append(Submission(str(f), f.name, str(f)))
    return found


def _members(archive: Path) -> list[Submission]:
    with zipfile.ZipFile(archive) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        problem = inflation_problem(infos)
        out = []
        for i in sorted(infos, key=lambda i: i.filename):
            name = i.filename.replace("\\", "/").rsplit("/", 1)[-1]
            why = problem
            if why is None and i.filename.replace("\\", "/").startswith("__MACOSX/"):
                why = UnusableInput("resource-fork")
            elif why is None and name.lower().endswith(ZIP):
                why = UnusableInput("nested-archive")
            out.append(Submission(f"{archive}!{i.filename}", name or i.filename, str(archive), i.filename, why))
        return out


def read_bytes(sub: Submission) -> bytes:
    """A submission's bytes (an archive member is inflated in memory, within the archive limits)."""
    if sub.member is None:
        return Path(sub.path).read_bytes()
    with zipfile.ZipFile(sub.path) as zf, zf.open(sub.member) as fh:
        data = fh.read(MAX_INFLATED_BYTES + 1)
    if len(data) > MAX_INFLATED_BYTES:
        raise UnusableInput("member-too-large")
    return data


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()


def file_digest(path: Path | None) -> str:
    """A file's SHA-256, read in blocks (a province's registry is never held whole for it)."""
    if path is None:
        return "-"
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def folder_digest(folder: Path) -> str:
    """A rules or templates folder, by its files' names and contents."""
    h = hashlib.sha256()
    for f in sorted(p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(f.relative_to(folder)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()
