"""compliance: an employer compliance checker for BPJS Ketenagakerjaan (Jamsostek) payrolls."""

__version__ = "0.2.0"
