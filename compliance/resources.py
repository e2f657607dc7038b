"""Where the bundled data files live, and strict YAML loading."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml

from compliance.errors import RuleFileError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def rules_dir() -> Path:
    """The bundled `rules/` folder (overridable with COMPLIANCE_RULES for installed copies)."""
    override = os.environ.get("COMPLIANCE_RULES")
    return Path(override) if override else PROJECT_ROOT / "rules"


@lru_cache(maxsize=32)
def load_yaml(path: Path) -> object:
    """Parse a YAML data file safely (no tags, no code); errors name the file and line."""
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise RuleFileError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise RuleFileError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None


def check_keys(mapping: dict, allowed: set[str], where: str) -> None:
    """Strict loading: an unknown key is an error, never ignored."""
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise RuleFileError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
