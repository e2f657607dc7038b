"""Headers understood by their words (rules/header_words.yaml): for a header that is not one of
the exact aliases of columns.yaml. Words are folded to one form (Tgl = Tanggal, No = Nomor,
Karyawan = Pegawai = Employee), filler words dropped, order ignored; each field's word sets are
scored by shared words over all words, and a field is taken only above the threshold and without
a tie."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from compliance.errors import RuleFileError
from compliance.resources import check_keys, load_yaml

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class HeaderWords:
    threshold: float
    same: dict            # word -> folded word
    filler: frozenset
    fields: dict          # field -> tuple of frozensets of folded words
    generic: frozenset = frozenset()
    guess_from: float = 0.3   # the least score still shown as a best guess
    negation: frozenset = frozenset()   # "tidak", "non": only a word set that holds it may match

    def words(self, text: object) -> frozenset:
        if not isinstance(text, str):
            return frozenset()
        raw = _SPLIT.split(_CAMEL.sub(" ", text).lower())
        return frozenset(self.same.get(w, w) for w in raw if w and w not in self.filler)

    def scores(self, text: object, specific: bool = False) -> list[tuple[float, str]]:
        """(score, field) for every field, best first; `specific`: only where a shared word is
        not a generic one."""
        h = self.words(text)
        if not h:
            return []
        out = []
        negated = h & self.negation      # "Tunjangan Tidak Tetap" is not the fixed allowance
        for field, sets in self.fields.items():
            best = max((len(h & s) / len(h | s) for s in sets
                        if (not specific or (h & s) - self.generic) and negated <= s), default=0)
            if best > 0:
                out.append((best, field))
        return sorted(out, reverse=True)

    def match(self, text: object) -> tuple[str | None, str | None, float]:
        """(field or None, best guess, its score): a field only above the threshold, unique."""
        ranked = self.scores(text)
        if not ranked:
            return None, None, 0.0
        score, field = ranked[0]
        tied = len(ranked) > 1 and ranked[1][0] == score
        return (field if score >= self.threshold and not tied else None), field, score


def load_header_words(path: Path, known_fields, section: str | None = None) -> HeaderWords:
    """The payroll's header words, or (`section`) a list's: the same folded words, filler and
    threshold, with the list's own fields (`lists: {registry: ..., companies-list: ...}`)."""
    data = load_yaml(path)
    where = str(path)
    check_keys(data, {"version", "threshold", "guess_from", "same", "filler", "fields", "generic", "negation",
                      "lists"}, where)
    if section is not None:
        lists = data.get("lists") or {}
        if not isinstance(lists, dict) or not isinstance(lists.get(section), dict):
            raise RuleFileError(f"{where}: lists.{section} must be a mapping of field -> word lists")
        data = {**data, "fields": lists[section]}
        where = f"{where}: lists.{section}"
    same = {}
    for folded, words in (data.get("same") or {}).items():
        if any(isinstance(w, bool) for w in [folded, *words]):
            raise RuleFileError(f"{where}: same.{folded}: a bare no/yes/on/off is read as true/false: quote it")
        for w in [folded, *words]:
            key = str(w).lower()
            if key in same and same[key] != folded:
                raise RuleFileError(f"{where}: word {w!r} is folded to both {same[key]!r} and {folded!r}")
            same[key] = str(folded)
    for key in ("same", "fields"):
        if not isinstance(data.get(key), dict):
            raise RuleFileError(f"{where}: {key} must be a mapping")
    for folded, words in data["same"].items():
        if not isinstance(words, list):
            raise RuleFileError(f"{where}: same.{folded} must be a list of words")
    fields = {}
    for field, sets in (data.get("fields") or {}).items():
        if field not in known_fields:
            raise RuleFileError(f"{where}: fields.{field}: not a column of columns.yaml")
        if not isinstance(sets, list) or not sets or not all(isinstance(x, list) and x for x in sets):
            raise RuleFileError(f"{where}: fields.{field} must be a list of word lists, e.g. [[tanggal, masuk]]")
        fields[field] = tuple(frozenset(same.get(str(w).lower(), str(w).lower()) for w in s) for s in sets)
    try:
        threshold, guess_from = float(data.get("threshold", 0.6)), float(data.get("guess_from", 0.3))
    except (TypeError, ValueError):
        raise RuleFileError(f"{where}: threshold and guess_from are numbers") from None
    if not 0 < guess_from <= threshold <= 1:
        raise RuleFileError(f"{where}: need 0 < guess_from <= threshold <= 1")
    return HeaderWords(threshold, same, frozenset(str(w).lower() for w in data.get("filler") or []), fields,
                       frozenset(str(w) for w in data.get("generic") or []), guess_from,
                       frozenset(same.get(str(w).lower(), str(w).lower()) for w in data.get("negation") or []))
