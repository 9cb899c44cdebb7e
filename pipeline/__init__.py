"""stockreport: structured company data in, a checked analyst report out.

Stages, one package each, in order: inputs (load) -> metrics -> narrate -> report (assemble) -> render, wired
by one run path (run.py). narrate uses model/ (chat models) and checks/ (every number checked); batch/ runs
many tickers, review/ records and replays answers, cli/ is the command line. docs/architecture.md.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stockreport")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+local"
