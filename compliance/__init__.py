"""compliance: an employer compliance checker for BPJS Ketenagakerjaan (Jamsostek) payrolls.

    from compliance import check_file, load_rule_set
    from compliance.audit import audit_branch
"""

__version__ = "0.2.0"

__all__ = ["check_file", "Checked", "Needs", "load_rule_set", "__version__"]


def __getattr__(name: str):
    """The library's calls, imported when first used (`import compliance` stays cheap)."""
    if name in ("check_file", "Checked", "Needs"):
        from compliance import pipeline

        return getattr(pipeline, name)
    if name == "load_rule_set":
        from compliance.ruleset import load_rule_set

        return load_rule_set
    raise AttributeError(f"module 'compliance' has no attribute {name!r}")
