"""`stockreport batch --via openai-batch`: the OpenAI Batch API, merged through the normal pipeline.

Rounds (the score needs the first sections' labels before the later prompts exist):
  1. a dry pass of every ticker through `narrate_bundle` with `StoredAnswersChatOpenAI` collects the request
     bodies it has no answer for (round 1: earnings call + events; round 2: factors, financials, technicals, summary;
     round 3+: re-asks, if any answer failed validation or its numbers did not check out);
  2. they are written as JSONL, uploaded (`/v1/files`, purpose=batch), and a batch is created
     (`/v1/batches`, endpoint /v1/chat/completions, 24 h window); the batch is polled with backoff
     (wait = min(poll * 1.5**n, 60 s)) and its output (and error) file downloaded into `answers.jsonl`;
  3. a ticker whose pass needs nothing new is assembled and rendered from the stored answers, through the
     same `ask` validation, number checks and renderers as a live run.
The manifest's "remote" block holds the batch id, its state and the state folder, so
`--resume-remote ID` after a restart picks up the same batch instead of paying for it twice.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from openai import OpenAI
from openai.types import Batch
from rich.console import Console

from pipeline.batch.manifest import MAX_MANIFEST_BYTES, Manifest, TickerResult, new_batch_id
from pipeline.batch.remote_answers import AnswerStore, Deferred, StoredAnswersChatOpenAI
from pipeline.batch.resume import input_hash, read_bundle_head, up_to_date
from pipeline.batch.runner import describe, report_digest, result_of
from pipeline.batch.waiting import Waiting
from pipeline.errors import InputError, StockreportError
from pipeline.files import atomic_write_text, make_folder
from pipeline.inputs.sources import read_json_file
from pipeline.model.cost import TokenUsage, add_costs, cost_text
from pipeline.model.providers import ResolvedModel
from pipeline.model.spend import Spend
from pipeline.render.paths import report_file
from pipeline.run import RunConfig, build_model, finish_report, narrate_bundle

ENDPOINT: Literal["/v1/chat/completions"] = "/v1/chat/completions"
DONE_STATES = {"completed", "failed", "expired", "cancelled"}
STATES = DONE_STATES | {"validating", "in_progress", "finalizing", "cancelling"}
MAX_ROUNDS = 4


def remote_error(what: str, exc: Exception) -> StockreportError:
    """One line for a failed Batch API call: the HTTP status or the connection problem, never a traceback."""
    import openai

    if isinstance(exc, StockreportError):
        return exc
    if isinstance(exc, openai.APIStatusError):
        hint = {
            401: " (check the API key)",
            403: " (check the API key's permissions)",
            404: " (is --base-url an OpenAI Batch API endpoint?)",
            405: " (is --base-url an OpenAI Batch API endpoint?)",
            501: " (is --base-url an OpenAI Batch API endpoint?)",
        }.get(exc.status_code, "")
        return StockreportError(f"{what}: the server answered {exc.status_code}{hint}: {_short(exc.message)}")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        return StockreportError(f"{what}: connection failed ({_short(str(cause or exc))})")
    return StockreportError(f"{what}: {type(exc).__name__}: {_short(str(exc))}")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


def _client(cfg: RunConfig) -> OpenAI:
    import openai

    key = os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_COMPATIBLE_API_KEY") or "not-needed"
    return openai.OpenAI(api_key=key, base_url=cfg.base_url, max_retries=3, timeout=cfg.timeout or 60.0)


def _find_manifest(out: Path, batch_id: str) -> Manifest | None:
    for path in sorted(out.glob("batch-*.json")):
        try:
            data = read_json_file(path, max_bytes=MAX_MANIFEST_BYTES)
        except InputError:
            continue
        remote = data.get("remote") if isinstance(data, dict) else None
        if not isinstance(remote, dict):
            continue
        history = remote.get("history")
        if batch_id == remote.get("batch_id") or (isinstance(history, list) and batch_id in history):
            return Manifest.load(path)
    return None


def submit(client: OpenAI, wanted: dict[str, dict[str, Any]]) -> dict[str, Any]:
    lines = [
        json.dumps({"custom_id": k, "method": "POST", "url": ENDPOINT, "body": b}, ensure_ascii=False)
        for k, b in wanted.items()
    ]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    try:
        uploaded = client.files.create(file=("requests.jsonl", io.BytesIO(data)), purpose="batch")
        batch = client.batches.create(
            input_file_id=uploaded.id,
            endpoint=ENDPOINT,
            completion_window="24h",
            metadata={"tool": "stockreport"},
        )
    except Exception as exc:
        raise remote_error("submitting the remote batch", exc) from None
    return {
        "batch_id": batch.id,
        "status": batch.status,
        "input_file_id": uploaded.id,
        "requests": len(lines),
    }


def _progress(batch: Batch) -> tuple[object, ...]:
    counts = getattr(batch, "request_counts", None)
    return (batch.status, getattr(counts, "completed", None), getattr(counts, "failed", None))


def wait(
    client: OpenAI,
    batch_id: str,
    *,
    waiting: Waiting,
    sleep: Callable[[float], None],
    on_status: Callable[[Batch], None],
    clock: Callable[[], float] = time.monotonic,
) -> Batch:
    """Poll until the batch ends: wait_n = min(poll_s * 1.5**n, 60); refuse an answer that is not a batch,
    and give up (StockreportError) after `waiting.timeout_s`, or `waiting.stall_s` without progress."""
    n = 0
    start = last_change = clock()
    last: tuple[object, ...] | None = None
    while True:
        try:
            batch = client.batches.retrieve(batch_id)
        except Exception as exc:
            raise remote_error(f"remote batch {batch_id}", exc) from None
        if getattr(batch, "status", None) not in STATES or getattr(batch, "id", None) != batch_id:
            raise StockreportError(
                f"remote batch {batch_id}: the server's answer is not an OpenAI batch "
                f"(status {getattr(batch, 'status', None)!r}); is --base-url an OpenAI Batch API endpoint?"
            )
        on_status(batch)
        if batch.status in DONE_STATES:
            return batch
        now = clock()
        if _progress(batch) != last:
            last, last_change = _progress(batch), now
        stalled = now - last_change >= waiting.stall_s
        if stalled or now - start >= waiting.timeout_s:
            why = (
                f"no progress for {now - last_change:.0f} s"
                if stalled
                else f"not done after {now - start:.0f} s"
            )
            raise StockreportError(
                f"remote batch {batch_id}: {why} (still {batch.status!r}); it stays on the server: "
                f"run again later with --resume-remote {batch_id}"
            )
        sleep(min(waiting.poll_s * 1.5**n, 60.0))
        n += 1


def download(client: OpenAI, batch: Batch) -> list[dict[str, Any]]:
    """Rows for the answer store: {"key", "body"} for a 200 reply, {"key", "error"} otherwise."""
    rows: list[dict[str, Any]] = []
    for file_id in (batch.output_file_id, batch.error_file_id):
        if not file_id:
            continue
        try:
            text = client.files.content(file_id).text
        except Exception as exc:
            raise remote_error(f"remote batch {batch.id}: downloading {file_id}", exc) from None
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                item["custom_id"], item.get("response")  # noqa: B018 - the fields every result line has
            except (ValueError, KeyError, TypeError, AttributeError):
                raise StockreportError(
                    f"remote batch {batch.id}: {file_id} holds a line that is not a batch result"
                ) from None
            response = item.get("response") or {}
            if item.get("error") or response.get("status_code") != 200:
                err = item.get("error") or (response.get("body") or {}).get("error") or response
                rows.append({"key": item["custom_id"], "error": json.dumps(err)[:500]})
            else:
                rows.append({"key": item["custom_id"], "body": response["body"]})
    if batch.status != "completed" and not rows:
        raise StockreportError(f"remote batch {batch.id} ended {batch.status!r} with no results")
    return rows


def _one_pass(
    bundle: Path, cfg: RunConfig, resolved: ResolvedModel, store: AnswerStore
) -> TickerResult | None:
    """Report from stored answers, or None when it still needs remote answers (collected in the store)."""
    start = time.perf_counter()
    store.missed_first, store.stand_ins = False, set()
    before = len(store.wanted)
    try:  # stored answers are the cache here: the answer cache stays out of it
        narrated = narrate_bundle(bundle, resolved, cfg.narrate_options(cache=False))
    except Deferred:
        return None
    if len(store.wanted) > before or store.stand_ins:
        return None
    done = finish_report(narrated, resolved, cfg.out, cfg.formats, started=start)
    return result_of(done.report.ticker, bundle, done.report, done.paths, done.seconds)


def _spent(keys: list[str], store: AnswerStore, model_id: str) -> Spend:
    """What the requests `keys` (sent in remote batches) cost, from the usage their answers report."""
    spent = Spend()
    for key in keys:
        body = (store.answers.get(key) or {}).get("body") or {}
        usage = body.get("usage") or {}
        details = usage.get("prompt_tokens_details") or {}
        spent.record(
            model_id,
            TokenUsage(
                int(usage.get("prompt_tokens") or 0),
                int(usage.get("completion_tokens") or 0),
                int(details.get("cached_tokens") or 0),
            ),
        )
    return spent


class SentLog:
    """Request keys each ticker had sent in remote batches (`sent.json` in the state folder, kept across
    restarts), so every ticker, failed ones included, is charged with what the server received for it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.keys: dict[str, list[str]] = {}
        if path.is_file():
            data = read_json_file(path, max_bytes=MAX_MANIFEST_BYTES)
            self.keys = (
                {str(k): [str(x) for x in v] for k, v in data.items() if isinstance(v, list)}
                if isinstance(data, dict)
                else {}
            )

    def add(self, ticker: str, keys: list[str]) -> None:
        self.keys.setdefault(ticker, []).extend(k for k in keys if k not in self.keys.get(ticker, []))

    def save(self) -> None:
        atomic_write_text(self.path, json.dumps(self.keys, indent=0) + "\n")


def run_remote(
    bundles: list[Path],
    cfg: RunConfig,
    *,
    resume_id: str | None = None,
    poll_s: float = 5.0,
    waiting: Waiting | None = None,
    console: Console | None = None,
    sleep: Callable[[float], None] = time.sleep,
    client: OpenAI | None = None,
    wait_for_folder: bool = False,
) -> list[TickerResult]:
    """Run the whole batch through the Batch API; returns the failed tickers.

    The output folder is held for the run (`outdir.claim`). A failure of the Batch API itself (401,
    connection reset, a server that is not a batch endpoint, a batch that never finishes) marks every
    unfinished ticker failed with that reason, finishes the manifest, and raises one StockreportError
    naming the manifest.
    """
    from pipeline.outdir import claim

    with claim(cfg.out, wait=wait_for_folder):
        return _run_remote(
            bundles,
            cfg,
            resume_id=resume_id,
            waiting=waiting or Waiting(poll_s=poll_s),
            console=console,
            sleep=sleep,
            client=client,
        )


def _run_remote(
    bundles: list[Path],
    cfg: RunConfig,
    *,
    resume_id: str | None,
    waiting: Waiting,
    console: Console | None,
    sleep: Callable[[float], None],
    client: OpenAI | None,
) -> list[TickerResult]:
    base = build_model(cfg)
    if base.provider not in ("openai", "openai-compatible"):
        raise StockreportError(f"--via openai-batch needs an OpenAI model (openai:...), not {cfg.model!r}")
    client = client or _client(cfg)
    say = console.print if console else (lambda *a, **k: None)
    manifest = (_find_manifest(cfg.out, resume_id) if resume_id else None) or Manifest(
        cfg.out, new_batch_id(), model=cfg.model, formats=list(cfg.formats)
    )
    make_folder(cfg.out, "the output folder (--out)")
    remote: dict[str, Any] = manifest.data.get("remote") or {
        "state_dir": str(cfg.out / f".batch-{manifest.data['id']}"),
        "round": 0,
        "history": [],
    }
    store = AnswerStore(Path(remote["state_dir"]) / "answers.jsonl")
    sent_log = SentLog(Path(remote["state_dir"]) / "sent.json")
    replay = StoredAnswersChatOpenAI(
        model=base.model_id,
        api_key="replay",
        base_url=cfg.base_url,  # type: ignore[call-arg]
        use_responses_api=False,
        max_retries=0,
    ).with_store(store)
    resolved = base.with_chat(replay)

    results: dict[str, TickerResult] = {}
    ticker_of: dict[Path, str] = {}
    pending: list[Path] = []
    for bundle in bundles:
        try:
            head = read_bundle_head(bundle)
            ticker = str(head["profile"]["ticker"])
            if not cfg.force and up_to_date(
                report_file(cfg.out, ticker), input_hash(bundle, head), cfg.models, cfg.formats
            ):
                results[str(bundle)] = TickerResult(ticker, str(bundle), "cached")
                continue
        except Exception as exc:
            results[str(bundle)] = TickerResult(bundle.name, str(bundle), "failed", describe(exc))
            continue
        manifest.add_pending(ticker, str(bundle))
        ticker_of[bundle] = ticker
        pending.append(bundle)

    def fetch(batch_id: str) -> None:
        def on_status(b: Batch) -> None:
            remote.update(
                batch_id=b.id, status=b.status, output_file_id=b.output_file_id, error_file_id=b.error_file_id
            )
            manifest.set_remote(remote)
            say(f"remote batch {b.id}: {b.status}", markup=False)

        batch = wait(client, batch_id, waiting=waiting, sleep=sleep, on_status=on_status)
        store.add(download(client, batch))
        remote["fetched"] = batch_id
        manifest.set_remote(remote)

    def fail(bundle: Path, why: str) -> None:
        results[str(bundle)] = TickerResult(ticker_of[bundle], str(bundle), "failed", why)

    stopped: StockreportError | None = None
    try:
        if resume_id and remote.get("fetched") != resume_id:
            remote.setdefault("history", [])
            fetch(resume_id)
        while pending:
            store.wanted = {}
            asked: dict[Path, list[str]] = {}
            still: list[Path] = []
            for bundle in pending:
                before = set(store.wanted)
                try:
                    done = _one_pass(bundle, cfg, resolved, store)
                except Exception as exc:
                    done = TickerResult(ticker_of[bundle], str(bundle), "failed", describe(exc))
                if done is not None:
                    done = dataclasses.replace(done, report_sha256=report_digest(done))
                asked[bundle] = [k for k in store.wanted if k not in before]
                if done is None:
                    still.append(bundle)
                else:
                    results[str(bundle)] = done
                    manifest.record(done)
            pending = still
            if not pending:
                break
            if remote["round"] >= MAX_ROUNDS or not store.wanted:
                for bundle in pending:
                    fail(bundle, f"no usable remote answer after {remote['round']} rounds")
                pending = []
                break
            sent = submit(client, store.wanted)
            remote["round"] += 1
            for bundle, keys in asked.items():
                sent_log.add(ticker_of[bundle], keys)
            sent_log.save()
            remote.update(sent)
            remote["history"] = [*remote.get("history", []), sent["batch_id"]]
            manifest.set_remote(remote)
            say(
                f"round {remote['round']}: {sent['requests']} requests in remote batch {sent['batch_id']} "
                f"(resume after a restart with --resume-remote {sent['batch_id']})",
                markup=False,
            )
            fetch(sent["batch_id"])
    except StockreportError as exc:
        stopped = exc
        for bundle in pending:
            fail(bundle, str(exc))
    for key, r in results.items():
        sent_keys = sent_log.keys.get(r.ticker)
        if sent_keys and r.status in ("done", "failed"):
            spent = _spent(sent_keys, store, base.model_id)
            results[key] = dataclasses.replace(
                r,
                model_calls=spent.calls,
                input_tokens=spent.usage.input,
                output_tokens=spent.usage.output,
                cached_tokens=spent.usage.cached,
                cost_usd=add_costs([spent.cost_usd]),
            )
    for r in results.values():
        manifest.record(r)
    manifest.flush(finished=True)
    failed = [r for r in results.values() if r.status == "failed"]
    if stopped is not None:
        raise StockreportError(f"{stopped} ({len(failed)} ticker(s) failed; manifest {manifest.path})")
    for r in failed:
        say(f"error: {r.ticker}: {r.error}", markup=False)
    t = manifest.totals()
    cost = cost_text(t["cost_usd"], [base.model_id])
    say(
        f"openai-batch: done {t['done']} cached {t['cached']} failed {t['failed']} | "
        f"{t['input_tokens']}+{t['output_tokens']} tokens {cost} | manifest {manifest.path}",
        markup=False,
    )
    return failed
