"""stockreport: structured company data in, a checked analyst report out.

Stages, one module (or package) each: inputs -> metrics -> prompts -> model -> checks -> report -> render,
wired together by the CLI.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stockreport")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+local"
