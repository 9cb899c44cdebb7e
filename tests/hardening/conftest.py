"""Hardening suite: the count of fuzz cases that ran is printed by tests/conftest.py (xdist workers summed)."""
