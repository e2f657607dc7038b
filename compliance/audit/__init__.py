"""The branch audit: every payroll of a batch checked against one registry, across companies.

    summary = run_audit(inputs, shared, AuditOptions(out=...), runner, register)

Per file the same `check()` as the CLI runs in a worker (compliance.audit.work); this module
feeds the workers, writes what they return, keeps the office register, issues letters, and
builds the branch summary (compliance.outputs.audit writes it)."""
from compliance.audit.run import AuditOptions, run_audit

__all__ = ["AuditOptions", "run_audit"]
