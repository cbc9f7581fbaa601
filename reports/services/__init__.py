"""Writes of the reports app, one module per sub-domain: built reports, work plans."""
