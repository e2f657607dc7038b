"""Outputs: text and JSON reports (and later spreadsheets and letters)."""
