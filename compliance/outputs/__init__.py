"""Outputs: the Report and a read payroll as text, JSON (the contracts in docs/schemas/), CSV,
spreadsheets and letters. Nothing here reads payroll files or runs rules."""
