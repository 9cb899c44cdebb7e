"""Downloading source data: a polite cached HTTP client (http.py) and SEC EDGAR (sec.py, `fetch sec`).

Nothing here runs unless the user asks (`stockreport fetch ...`); tests point it at a local server."""
