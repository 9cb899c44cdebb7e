"""Run many bundles: bounded concurrency, client-side rate limit, resume, failure isolation, manifest.

Hosted models: a thread pool of `concurrency` tickers, each running the (sync) pipeline; model calls wait on
one shared `SlidingWindowLimiter` (requests and tokens per minute). The offline model is CPU-bound Python, so
it runs in `workers` processes instead (no limiter needed). A local llama.cpp model (`local:`) runs in threads
too: its one server in this process answers `concurrency` requests at once in its slots, where worker
processes would each start a server of their own. Either way each ticker is isolated: any exception
marks only that ticker failed, with its reason, and the others go on (unless `fail_fast`).
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import functools
import hashlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.batch.manifest import Manifest, TickerResult, interrupted_manifests, new_batch_id
from pipeline.batch.resume import input_hash, read_bundle_head, up_to_date
from pipeline.errors import InputError, StockreportError, os_problem
from pipeline.model.cost import add_costs
from pipeline.model.providers import ResolvedModel
from pipeline.render.paths import report_file, report_files
from pipeline.run_config import RunConfig, build_model, build_more_models

if TYPE_CHECKING:  # the run path imports the model stack; a batch whose reports are up to date needs none
    from langchain_core.language_models import BaseChatModel

    from pipeline.batch.ratelimit import LangChainLimiter
    from pipeline.narrate.narration import NarrateOptions
    from pipeline.report.document import Report


@dataclass
class Limits:
    concurrency: int = 4
    rpm: int | None = None
    tpm: int | None = None
    workers: int = 0  # processes for the offline model; 0 = one per CPU
    fail_fast: bool = False
    wait: bool = False  # queue behind another run holding the output folder instead of failing


@dataclass
class Outcome:
    manifest: Manifest
    results: list[TickerResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[TickerResult]:
        return [r for r in self.results if r.status == "failed"]


def describe(exc: BaseException) -> str:
    if isinstance(exc, InputError):
        return "; ".join(str(p) for p in exc.problems)
    if isinstance(exc, StockreportError):
        return str(exc)
    if isinstance(exc, OSError) and exc.filename:
        return os_problem(exc)
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"


def result_of(
    ticker: str, bundle: Path, report: Report, paths: dict[str, Path], seconds: float
) -> TickerResult:
    prov = report.provenance
    return TickerResult(
        ticker,
        str(bundle),
        "done",
        None,
        prov.input_hash,
        {k: str(v) for k, v in paths.items()},
        prov.usage.input_tokens,
        prov.usage.output_tokens,
        prov.usage.cached_tokens,
        prov.cost_usd,
        round(seconds, 4),
        sum(s.attempts for s in prov.sections),
    )


def _cached_result(
    bundle: Path, head: dict[str, Any], ticker: str, cfg: RunConfig, start: float
) -> TickerResult | None:
    """The 'cached' result when the ticker's report is up to date, else None (so it is generated).

    An input that cannot be hashed (a refused or missing file) is not up to date: `run_report` then
    validates the whole bundle and names every problem.
    """
    report_json = report_file(cfg.out, ticker)
    if not report_json.is_file():
        return None  # nothing to reuse: no need to hash the inputs
    try:
        in_hash = input_hash(bundle, head)
    except StockreportError:
        return None
    prov = up_to_date(report_json, in_hash, cfg.models, cfg.formats)
    if prov is None:
        return None
    paths = {f: str(p) for f, p in report_files(report_json.parent, cfg.formats).items()}
    return TickerResult(
        ticker, str(bundle), "cached", None, in_hash, paths, seconds=round(time.perf_counter() - start, 4)
    )


def report_digest(result: TickerResult) -> str | None:
    """sha256 of the report.json the result names (done or cached), so a report can be matched to its row."""
    path = result.paths.get("json")
    if result.status not in ("done", "cached") or path is None:
        return None
    try:
        return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def run_ticker(
    bundle: Path,
    cfg: RunConfig,
    resolved: ResolvedModel,
    options: NarrateOptions | Callable[[], NarrateOptions],
    more_models: tuple[ResolvedModel, ...] = (),
) -> TickerResult:
    """One ticker, never raising: done, cached (report up to date) or failed with the reason. `options` may
    be a function making them: called only when a report is generated (making them imports the model stack,
    which a ticker whose report is up to date never needs).

    Calls, tokens and cost come from the ticker's spend ledger, so a failed ticker still shows what it
    spent before it failed.
    """
    from pipeline.model.spend import tracking

    with tracking() as spent:
        result = _run_ticker(bundle, cfg, resolved, options, more_models)
    return dataclasses.replace(
        result,
        report_sha256=report_digest(result),
        model_calls=spent.calls,
        input_tokens=spent.usage.input,
        output_tokens=spent.usage.output,
        cached_tokens=result.cached_tokens if result.status == "done" else spent.usage.cached,
        cost_usd=add_costs([spent.cost_usd]),
    )


def _run_ticker(
    bundle: Path,
    cfg: RunConfig,
    resolved: ResolvedModel,
    options: NarrateOptions | Callable[[], NarrateOptions],
    more_models: tuple[ResolvedModel, ...],
) -> TickerResult:
    start = time.perf_counter()
    ticker = bundle.name
    try:
        try:
            head = read_bundle_head(bundle)
        except StockreportError:
            from pipeline.inputs.load import load_bundle

            load_bundle(bundle)  # raises InputError naming every problem, which says more than we can
            raise
        ticker = str(head["profile"]["ticker"])
        if not cfg.force and (cached := _cached_result(bundle, head, ticker, cfg, start)) is not None:
            return cached
        from pipeline.run import run_report

        opts = options() if callable(options) else options
        done = run_report(
            bundle, resolved, cfg.out, options=opts, formats=cfg.formats, more_models=more_models
        )
        return result_of(done.report.ticker, bundle, done.report, done.paths, time.perf_counter() - start)
    except Exception as exc:  # isolation: whatever went wrong belongs to this ticker only
        return TickerResult(
            ticker, str(bundle), "failed", describe(exc), seconds=round(time.perf_counter() - start, 4)
        )


def _head_or_none(bundle: Path) -> dict[str, Any] | None:
    try:
        return read_bundle_head(bundle)
    except Exception:  # noqa: BLE001 - only a name for the pending row; the worker reports why
        return None


def _up_to_date_result(bundle: Path, head: dict[str, Any] | None, cfg: RunConfig) -> TickerResult | None:
    """The 'cached' row of a ticker whose report is up to date (what `run_ticker` would give), else None."""
    if head is None or cfg.force:
        return None
    try:
        cached = _cached_result(bundle, head, str(head["profile"]["ticker"]), cfg, time.perf_counter())
    except Exception:  # noqa: BLE001 - a ticker that names no usable folder, say: its worker reports why
        return None
    return None if cached is None else dataclasses.replace(cached, report_sha256=report_digest(cached))


@dataclass(frozen=True)
class _Worker:
    cfg: RunConfig
    resolved: ResolvedModel
    options: Callable[[], NarrateOptions]
    more_models: tuple[ResolvedModel, ...]


_WORKER: list[_Worker] = []  # the one worker context of this process (set by the pool's initializer)


def _init_worker(cfg: RunConfig, parent: int) -> None:
    from pipeline.batch.lifeline import die_with_parent

    die_with_parent(parent)
    _WORKER[:] = [
        _Worker(cfg, build_model(cfg), functools.cache(cfg.narrate_options), build_more_models(cfg))
    ]


def _in_worker(bundle: Path) -> TickerResult:
    w = _WORKER[0]
    return run_ticker(bundle, w.cfg, w.resolved, w.options, w.more_models)


def _executor(
    cfg: RunConfig, limits: Limits, resolved: ResolvedModel
) -> tuple[cf.Executor, Callable[[Path], TickerResult]]:
    if resolved.local and (limits.workers or os.cpu_count() or 1) > 1:
        workers = limits.workers or os.cpu_count() or 1
        ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        procs = cf.ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_init_worker, initargs=(cfg, os.getpid())
        )
        return procs, _in_worker
    options = functools.cache(cfg.narrate_options)
    more = build_more_models(cfg)
    if limits.rpm or limits.tpm:
        rpm, tpm = limits.rpm, limits.tpm

        @functools.cache  # one limiter for every model of the run, made when a ticker first needs it
        def hook() -> LangChainLimiter:
            from pipeline.batch.ratelimit import LangChainLimiter, SlidingWindowLimiter

            return LangChainLimiter(SlidingWindowLimiter(rpm, tpm))

        def limited(chat: BaseChatModel) -> BaseChatModel:
            earlier = list(chat.callbacks) if isinstance(chat.callbacks, list) else []
            return chat.model_copy(update={"rate_limiter": hook(), "callbacks": [*earlier, hook()]})

        # built with each model, when a ticker first needs it
        resolved, more = resolved.wrapped(limited), tuple(m.wrapped(limited) for m in more)
    pool = cf.ThreadPoolExecutor(max(1, limits.concurrency), thread_name_prefix="ticker")
    return pool, lambda bundle: run_ticker(bundle, cfg, resolved, options, more)


def run_batch(
    bundles: list[Path],
    cfg: RunConfig,
    limits: Limits,
    *,
    on_result: Callable[[TickerResult], None] | None = None,
    batch_id: str | None = None,
    resolved: ResolvedModel | None = None,
    write_manifest: bool = True,
) -> Outcome:
    """Run every bundle; the manifest is updated as each ticker finishes and flushed at the end.

    The output folder is held for the whole run (`outdir.claim`: a second writer is refused, or waits with
    `limits.wait`); leftovers of a killed run are cleared first and its unfinished manifest folded into this one.
    """
    from pipeline.outdir import claim

    with claim(cfg.out, wait=limits.wait):
        return _run_batch(
            bundles,
            cfg,
            limits,
            on_result=on_result,
            batch_id=batch_id,
            resolved=resolved,
            write_manifest=write_manifest,
        )


def _run_batch(
    bundles: list[Path],
    cfg: RunConfig,
    limits: Limits,
    *,
    on_result: Callable[[TickerResult], None] | None,
    batch_id: str | None,
    resolved: ResolvedModel | None,
    write_manifest: bool,
) -> Outcome:

    start = time.perf_counter()
    model = resolved or build_model(cfg)
    try:
        return _run_all(bundles, cfg, limits, model, on_result, batch_id, write_manifest, start)
    finally:
        if resolved is None:  # built here, so freed here (a local model server); else the caller's
            model.close()


def _run_all(
    bundles: list[Path],
    cfg: RunConfig,
    limits: Limits,
    model: ResolvedModel,
    on_result: Callable[[TickerResult], None] | None,
    batch_id: str | None,
    write_manifest: bool,
    start: float,
) -> Outcome:
    owner: dict[str, Path] = {}  # ticker -> its first bundle; a second bundle would overwrite its report
    key_of: dict[Path, str] = {}
    duplicates: list[TickerResult] = []
    fresh: dict[Path, TickerResult] = {}
    for b in bundles:
        head = _head_or_none(b)
        key = str(head["profile"]["ticker"]) if head is not None else b.name
        if key in owner:
            duplicates.append(
                TickerResult(
                    f"{key} [{b}]", str(b), "failed", f"duplicate ticker {key} (also in {owner[key]})"
                )
            )
            continue
        owner[key], key_of[b] = b, key
        # Reports that are up to date are found here, before any model is built or worker started: a batch
        # whose reports are all up to date imports no model stack and starts no process.
        if (cached := _up_to_date_result(b, head, cfg)) is not None:
            fresh[b] = cached
    todo_bundles = [b for b in key_of if b not in fresh]
    if todo_bundles:
        model.chat_model  # noqa: B018 - built now: a provider that cannot be set up fails before any report
        if not cfg.no_cache and model.cacheable:
            from pipeline.model.cache import AnswerCache

            AnswerCache(cfg.cache_dir).check()  # an unusable cache is one line now, not a failure per ticker
    manifest = Manifest(
        cfg.out, batch_id or new_batch_id(), model=cfg.model, formats=list(cfg.formats), write=write_manifest
    )
    if write_manifest:
        manifest.data["interrupted"] = interrupted_manifests(cfg.out, keep=manifest.path)
    outcome = Outcome(manifest)

    def record(result: TickerResult) -> None:
        manifest.record(result)
        outcome.results.append(result)
        if on_result:
            on_result(result)

    for dup in duplicates:
        record(dup)
    for b, key in key_of.items():
        manifest.add_pending(key, str(b))
    manifest.flush()
    for cached in fresh.values():
        record(cached)
    # Every bundle left needs its report made (checked above): no second check in the workers. A pool
    # starts no process before its first job.
    pool, job = _executor(dataclasses.replace(cfg, force=True), limits, model)
    window = max(1, limits.concurrency) * 2  # bounded queue: fail-fast stops soon, memory stays flat
    todo: Iterator[Path] = iter(todo_bundles)
    stop = False
    with pool:
        running: dict[cf.Future[TickerResult], Path] = {}

        def top_up() -> None:
            while not stop and len(running) < window:
                nxt = next(todo, None)
                if nxt is None:
                    return
                running[pool.submit(job, nxt)] = nxt

        try:
            top_up()
            while running:
                finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for fut in finished:
                    bundle = running.pop(fut)
                    if fut.cancelled():  # --fail-fast: never started, stays pending in the manifest
                        continue
                    try:
                        result = fut.result()
                    except Exception as exc:  # a dead worker process, say
                        result = TickerResult(bundle.name, str(bundle), "failed", describe(exc))
                    pending = key_of[bundle]
                    if pending != result.ticker:  # the bundle changed under us: drop its pending row
                        manifest.drop_pending(pending)
                    record(result)
                    if result.status == "failed" and limits.fail_fast:
                        stop = True
                if stop:
                    for fut in running:
                        fut.cancel()
                top_up()
        except BaseException:
            # Ctrl-C (or a bug): leaving `with pool` waits for every ticker in flight, so cancel the queued
            # ones and stop the model first (a local server cuts its requests), then let the pool finish.
            for fut in running:
                fut.cancel()
            model.close()
            raise
    manifest.flush(finished=True)
    if write_manifest or any(r.status == "done" for r in outcome.results):
        from pipeline.render.index import write_index

        try:
            write_index(cfg.out)  # every report in the folder, this run's and earlier ones
        except (StockreportError, OSError) as exc:  # the reports stand; only the list of them failed
            logging.getLogger(__name__).warning("index of %s not written: %s", cfg.out, describe(exc))
    outcome.seconds = time.perf_counter() - start
    return outcome
