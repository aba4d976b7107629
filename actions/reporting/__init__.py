"""Reporting problems: missed bins, Open311 problem reports, report progress, and county matters."""
