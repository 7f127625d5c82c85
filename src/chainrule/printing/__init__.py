"""Printers, one per format: text (re-parseable), LaTeX, JSON. Precedences in one table."""
