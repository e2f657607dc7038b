"""The files of a batch: folders (walked in name order), single files and `.zip` archives whose
members are read as bytes, never extracted to disk under their own names. Every file found is
one "file given": it is audited, refused (with the reason) or not tied to a company.

A symbolic link found in a folder is followed only where it points inside the given inputs (a
link to a folder there is not walked twice); one that points elsewhere is refused with its target,
unless `follow_symlinks` (`--follow-symlinks`). A file found as a plain file is read without
following a link put in its place since (O_NOFOLLOW)."""
from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterator
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
    nofollow: bool = False                  # found as a plain file: read without following a link


def find_submissions(inputs: list[Path], exclude: set[Path] = frozenset(),
                     follow_symlinks: bool = False) -> list[Submission]:
    """Every file of the inputs, in a stable order (what a re-run compares)."""
    found: list[Submission] = []
    excluded = {Path(p).resolve() for p in exclude}
    roots = [Path(p).resolve() for p in inputs]
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            files = sorted(_walk(item, roots, follow_symlinks, {item.resolve()}), key=lambda found: found[0])
        else:
            files = [(item, None)]
        for f, problem in files:
            if f.resolve() in excluded or any(x in f.resolve().parents for x in excluded if x.is_dir()):
                continue
            if problem is not None:
                found.append(Submission(str(f), f.name, str(f), problem=problem))
            elif f.suffix.lower() == ZIP and zipfile.is_zipfile(f):
                found.extend(_members(f))
            else:
                found.append(Submission(str(f), f.name, str(f), nofollow=not f.is_symlink() and not follow_symlinks))
    return found


def _walk(folder: Path, roots: list[Path], follow: bool,
          walked: set[Path]) -> Iterator[tuple[Path, UnusableInput | None]]:
    """A folder's files, each with the problem that refuses it unread (a link pointing outside)."""
    for entry in folder.iterdir():
        if entry.is_symlink():
            target = entry.resolve()
            if not follow and not any(target == r or r in target.parents for r in roots):
                yield entry, UnusableInput("symlink-outside", target=str(target))
                continue
            if target.is_dir():
                if follow and target not in walked:      # a link back up the tree is walked once
                    walked.add(target)
                    yield from _walk(entry, roots, follow, walked)
                continue
        if entry.is_dir():
            yield from _walk(entry, roots, follow, walked)
        elif entry.is_file():
            yield entry, None


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
    if sub.member is None and sub.nofollow:
        fd = os.open(sub.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with open(fd, "rb") as fh:
            return fh.read()
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
