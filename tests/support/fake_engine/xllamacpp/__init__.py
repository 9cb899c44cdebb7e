"""A stand-in for xllamacpp in tests: the same in-process server interface (`CommonParams`, `Server`,
`listening_address`), answering like the offline model (tests/hardening/model_server.py), so the `local:`
provider's lifecycle (lazy start, slots, one server per run, shutdown on exit and Ctrl-C) is tested in seconds.

Put `tests/support/fake_engine` first on sys.path (or PYTHONPATH for a subprocess). Environment:
    FAKE_LLAMA_LOG     a file: one JSON line per event ("start" with the params, "request", "stop")
    FAKE_LLAMA_HANG_S  seconds each request waits before answering (a slow model, for Ctrl-C tests)
"""

from __future__ import annotations

import json
import os
import time
from types import SimpleNamespace
from typing import Any

__version__ = "0.0-fake"


def _log(event: str, **data: Any) -> None:
    path = os.environ.get("FAKE_LLAMA_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"event": event, "pid": os.getpid(), "t": time.time(), **data}) + "\n")


class CommonParams:
    def __init__(self) -> None:
        self.model = SimpleNamespace(path="")
        self.cpuparams = SimpleNamespace(n_threads=-1)
        self.cpuparams_batch = SimpleNamespace(n_threads=-1)
        self.hostnames: list[str] = []
        self.port = 8080
        self.n_parallel = 1
        self.n_ctx = 0
        self.model_alias: set[str] = set()
        self.api_keys: list[str] = []
        self.ui = True
        self.verbosity = 3


class Server:
    def __init__(self, params: CommonParams) -> None:
        from tests.hardening.model_server import ModelServer

        if not os.path.isfile(params.model.path):
            raise RuntimeError("Failed to init server, please check the input params.")
        hang = float(os.environ.get("FAKE_LLAMA_HANG_S") or 0)

        def answer(ans: dict[str, Any]) -> dict[str, Any]:
            _log("request")
            if hang:
                time.sleep(hang)
            return ans

        self._stub = ModelServer(transform=answer).__enter__()
        _log(
            "start",
            n_parallel=params.n_parallel,
            n_ctx=params.n_ctx,
            threads=params.cpuparams.n_threads,
            hostnames=params.hostnames,
            port=params.port,
            verbosity=params.verbosity,
            keys=len(params.api_keys),
        )
        self.listening_address = self._stub.base_url.removesuffix("/v1")

    def __del__(self) -> None:
        self._stub.__exit__(None, None, None)
        _log("stop")
