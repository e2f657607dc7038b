"""The branch audit: every payroll of a batch checked against one registry, across companies.

    subs = find_submissions(inputs, exclude)
    summary = run_audit(subs, shared, AuditOptions(out=...), runner, register)

Per file the same `check()` as the CLI runs in a worker (compliance.audit.work); this module
feeds the workers, writes what they return, keeps the office register, issues letters, and
builds the branch summary (compliance.outputs.audit writes it)."""
from compliance.audit.inputs import find_submissions
from compliance.audit.run import AuditOptions, run_audit

__all__ = ["AuditOptions", "find_submissions", "run_audit"]
