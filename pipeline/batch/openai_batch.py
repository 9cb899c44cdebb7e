"""`stockreport batch --via openai-batch`: the OpenAI Batch API, merged through the normal pipeline.

Rounds (the score needs the first sections' labels before the later prompts exist):
  1. a dry pass of every ticker through `narrate` with `ReplayChatOpenAI` collects the request bodies it has
     no answer for (round 1: earnings call + events; round 2: factors, financials, technicals, summary;
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
from typing import Any

from rich.console import Console

from pipeline.batch.manifest import Manifest, TickerResult, new_batch_id
from pipeline.batch.replay import AnswerStore, Deferred, ReplayChatOpenAI
from pipeline.batch.resume import input_hash, read_bundle_head, report_path, up_to_date
from pipeline.batch.runner import RunConfig, build_model, describe, result_of
from pipeline.errors import StockreportError

ENDPOINT = "/v1/chat/completions"
DONE_STATES = {"completed", "failed", "expired", "cancelled"}
MAX_ROUNDS = 4


def _client(cfg: RunConfig) -> Any:
    import openai

    key = os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_COMPATIBLE_API_KEY") or "not-needed"
    return openai.OpenAI(api_key=key, base_url=cfg.base_url, max_retries=3, timeout=cfg.timeout)


def _find_manifest(out: Path, batch_id: str) -> Manifest | None:
    for path in sorted(out.glob("batch-*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        remote = data.get("remote") or {}
        if batch_id in (remote.get("batch_id"), *remote.get("history", [])):
            return Manifest.load(path)
    return None


def submit(client: Any, wanted: dict[str, dict[str, Any]]) -> dict[str, Any]:
    lines = [
        json.dumps({"custom_id": k, "method": "POST", "url": ENDPOINT, "body": b}, ensure_ascii=False)
        for k, b in wanted.items()
    ]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    uploaded = client.files.create(file=("requests.jsonl", io.BytesIO(data)), purpose="batch")
    batch = client.batches.create(
        input_file_id=uploaded.id,
        endpoint=ENDPOINT,
        completion_window="24h",
        metadata={"tool": "stockreport"},
    )
    return {
        "batch_id": batch.id,
        "status": batch.status,
        "input_file_id": uploaded.id,
        "requests": len(lines),
    }


def wait(
    client: Any,
    batch_id: str,
    *,
    poll_s: float,
    sleep: Callable[[float], None],
    on_status: Callable[[Any], None],
) -> Any:
    """Poll until the batch ends: wait_n = min(poll_s * 1.5**n, 60)."""
    n = 0
    while True:
        batch = client.batches.retrieve(batch_id)
        on_status(batch)
        if batch.status in DONE_STATES:
            return batch
        sleep(min(poll_s * 1.5**n, 60.0))
        n += 1


def download(client: Any, batch: Any) -> list[dict[str, Any]]:
    """Rows for the answer store: {"key", "body"} for a 200 reply, {"key", "error"} otherwise."""
    rows: list[dict[str, Any]] = []
    for file_id in (batch.output_file_id, batch.error_file_id):
        if not file_id:
            continue
        text = client.files.content(file_id).text
        for line in text.splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            response = item.get("response") or {}
            if item.get("error") or response.get("status_code") != 200:
                err = item.get("error") or (response.get("body") or {}).get("error") or response
                rows.append({"key": item["custom_id"], "error": json.dumps(err)[:500]})
            else:
                rows.append({"key": item["custom_id"], "body": response["body"]})
    if batch.status != "completed" and not rows:
        raise StockreportError(f"remote batch {batch.id} ended {batch.status!r} with no results")
    return rows


def _one_pass(bundle: Path, cfg: RunConfig, resolved: Any, store: AnswerStore) -> TickerResult | None:
    """Report from stored answers, or None when it still needs remote answers (collected in the store)."""
    from pipeline.assemble import assemble_report
    from pipeline.inputs.load import load_bundle
    from pipeline.narrate import NarrateOptions, narrate
    from pipeline.render import write_report

    start = time.perf_counter()
    store.missed_first, store.stand_ins = False, set()
    before = len(store.wanted)
    loaded = load_bundle(bundle)
    opts = NarrateOptions(strict_numbers=cfg.strict_numbers, max_transcript_tokens=cfg.max_transcript_tokens)
    try:
        narrative = narrate(loaded, resolved, opts)
    except Deferred:
        return None
    if len(store.wanted) > before or store.stand_ins:
        return None
    report = assemble_report(loaded, resolved, narrative)
    paths = write_report(report, cfg.out, cfg.formats)
    return result_of(report.ticker, bundle, report, paths, time.perf_counter() - start)


def run_remote(
    bundles: list[Path],
    cfg: RunConfig,
    *,
    resume_id: str | None = None,
    poll_s: float = 5.0,
    console: Console | None = None,
    sleep: Callable[[float], None] = time.sleep,
    client: Any = None,
) -> list[TickerResult]:
    """Run the whole batch through the Batch API; returns the failed tickers."""
    base = build_model(cfg)
    if base.provider not in ("openai", "openai-compatible"):
        raise StockreportError(f"--via openai-batch needs an OpenAI model (openai:...), not {cfg.model!r}")
    client = client or _client(cfg)
    say = console.print if console else (lambda *a, **k: None)
    manifest = (_find_manifest(cfg.out, resume_id) if resume_id else None) or Manifest(
        cfg.out, new_batch_id(), model=cfg.model, formats=list(cfg.formats)
    )
    cfg.out.mkdir(parents=True, exist_ok=True)
    remote: dict[str, Any] = manifest.data.get("remote") or {
        "state_dir": str(cfg.out / f".batch-{manifest.data['id']}"),
        "round": 0,
        "history": [],
    }
    store = AnswerStore(Path(remote["state_dir"]) / "answers.jsonl")
    replay = ReplayChatOpenAI(
        model=base.model_id,
        api_key="replay",
        base_url=cfg.base_url,  # type: ignore[call-arg]
        use_responses_api=False,
        max_retries=0,
    ).with_store(store)
    resolved = dataclasses.replace(base, chat_model=replay)

    results: dict[str, TickerResult] = {}
    pending: list[Path] = []
    for bundle in bundles:
        try:
            head = read_bundle_head(bundle)
            ticker = str(head["profile"]["ticker"])
            if not cfg.force and up_to_date(
                report_path(cfg.out, ticker), input_hash(bundle, head), cfg.model, cfg.formats
            ):
                results[str(bundle)] = TickerResult(ticker, str(bundle), "cached")
                continue
        except Exception as exc:
            results[str(bundle)] = TickerResult(bundle.name, str(bundle), "failed", describe(exc))
            continue
        manifest.add_pending(ticker, str(bundle))
        pending.append(bundle)

    def fetch(batch_id: str) -> None:
        def on_status(b: Any) -> None:
            remote.update(
                batch_id=b.id, status=b.status, output_file_id=b.output_file_id, error_file_id=b.error_file_id
            )
            manifest.set_remote(remote)
            say(f"remote batch {b.id}: {b.status}", markup=False)

        batch = wait(client, batch_id, poll_s=poll_s, sleep=sleep, on_status=on_status)
        store.add(download(client, batch))
        remote["fetched"] = batch_id
        manifest.set_remote(remote)

    if resume_id and remote.get("fetched") != resume_id:
        remote.setdefault("history", [])
        fetch(resume_id)
    while pending:
        store.wanted = {}
        still: list[Path] = []
        for bundle in pending:
            try:
                done = _one_pass(bundle, cfg, resolved, store)
            except Exception as exc:
                done = TickerResult(bundle.name, str(bundle), "failed", describe(exc))
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
                results[str(bundle)] = TickerResult(
                    bundle.name,
                    str(bundle),
                    "failed",
                    f"no usable remote answer after {remote['round']} rounds",
                )
            break
        remote["round"] += 1
        sent = submit(client, store.wanted)
        remote.update(sent)
        remote["history"] = [*remote.get("history", []), sent["batch_id"]]
        manifest.set_remote(remote)
        say(
            f"round {remote['round']}: {sent['requests']} requests in remote batch {sent['batch_id']} "
            f"(resume after a restart with --resume-remote {sent['batch_id']})",
            markup=False,
        )
        fetch(sent["batch_id"])
    for r in results.values():
        manifest.record(r)
    manifest.flush(finished=True)
    failed = [r for r in results.values() if r.status == "failed"]
    for r in failed:
        say(f"error: {r.ticker}: {r.error}", markup=False)
    t = manifest.totals()
    say(
        f"openai-batch: done {t['done']} cached {t['cached']} failed {t['failed']} | "
        f"{t['input_tokens']}+{t['output_tokens']} tokens ${t['cost_usd']:.4f} | manifest {manifest.path}",
        markup=False,
    )
    return failed
