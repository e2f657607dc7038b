"""Where the bundled data files live, and strict YAML loading.

`rules/` and `templates/` ship inside the wheel as package data (compliance/rules,
compliance/templates); in a source checkout they are the top-level folders. `--rules DIR` and
`--templates DIR` override both.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from compliance.errors import RuleFileError

PACKAGE = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE.parent


def _bundled(name: str) -> Path:
    inside = PACKAGE / name          # an installed wheel
    return inside if inside.is_dir() else PROJECT_ROOT / name


def rules_dir() -> Path:
    """The bundled `rules/` folder."""
    return _bundled("rules")


def templates_dir() -> Path:
    """The bundled `templates/` folder (letter layouts and the office configuration)."""
    return _bundled("templates")


class LineDict(dict):
    """A mapping that remembers the line it starts on."""

    line = 0


class StrictLoader(yaml.SafeLoader):
    """Safe YAML (no tags, no code): mappings remember their line, and a date that does not
    exist (2015-13-01) is an error at its line rather than a bare ValueError."""


def _mapping(loader, node, deep=False):
    out = LineDict(loader.construct_mapping(node, deep=True))
    out.line = node.start_mark.line + 1
    return out


def _timestamp(loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(None, None, f"{node.value!r} is not a date ({exc})",
                                                node.start_mark) from None


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def parse_yaml(text: str, where: str) -> object:
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise RuleFileError(f"{where}{line}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None


def load_yaml(path: Path) -> object:
    """Parse a YAML data file safely (no tags, no code); errors name the file and line."""
    try:
        with open(path, encoding="utf-8") as fh:
            return parse_yaml(fh.read(), str(path))
    except FileNotFoundError:
        raise RuleFileError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"{path}: cannot be read ({exc})") from None


def check_keys(mapping: dict, allowed: set[str], where: str) -> None:
    """Strict loading: an unknown key is an error, never ignored."""
    if not isinstance(mapping, dict):
        raise RuleFileError(f"{where}: expected a mapping")
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise RuleFileError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
