"""The branch audit: every payroll of a batch checked against one registry, across companies.

    from compliance.audit import audit_branch, BranchOptions
    result = audit_branch(["kiriman/"], registry="peserta.csv", companies="perusahaan.csv",
                          options=BranchOptions(out=Path("audit-juni")))

Per file the same `check_file` as the command line and the page runs in a worker
(compliance.audit.work); compliance.audit.run feeds the workers, writes what they return, keeps
the office register, issues letters, and builds the branch summary (compliance.outputs.audit
writes it)."""
from compliance.audit.branch import AuditResult, BranchOptions, audit_branch

__all__ = ["audit_branch", "AuditResult", "BranchOptions"]
