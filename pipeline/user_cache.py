"""The user's cache folder: model answers (model/cache.py), HTTP responses (fetch), compiled templates
(template_cache.py). Location: env `STOCKREPORT_CACHE`, else `~/.cache/stockreport/`."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "STOCKREPORT_CACHE"


def default_cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "stockreport")
