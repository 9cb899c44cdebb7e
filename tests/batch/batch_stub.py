"""A local stub of OpenAI's /v1/files and /v1/batches endpoints (the Batch API), answering with the offline
writer, so the whole remote path runs without the internet.

A batch is `in_progress` for `polls_before_done` retrievals, then `completed` with an output file holding
one chat.completion per request (the offline model's answer as JSON content). `fail_keys` lists custom_ids
answered with an error line instead.
"""

from __future__ import annotations

import email.parser
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from pipeline.narrate.offline_chat import offline_reply
from pipeline.narrate.offline_model import OFFLINE_MODEL_ID
from tests.support.prompt_reader import offline_answer


def offline_completion(body: dict[str, Any]) -> dict[str, Any]:
    """The offline writer's answer to a chat request body, as an OpenAI chat.completion (also bench_batch)."""
    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    messages = [kinds[m["role"]](content=m.get("content") or "") for m in body["messages"]]
    msg = offline_reply(messages, offline_answer(messages), [], OFFLINE_MODEL_ID).generations[0].message
    usage = msg.usage_metadata or {}
    return {
        "id": "chatcmpl-b",
        "object": "chat.completion",
        "created": 1767225600,
        "model": body["model"],
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "logprobs": None,
                "message": {"role": "assistant", "content": msg.content, "refusal": None},
            }
        ],
        "usage": {
            "prompt_tokens": usage.get("input_tokens", 0),
            "completion_tokens": usage.get("output_tokens", 0),
            "total_tokens": usage.get("total_tokens", 0),
        },
    }


class BatchStub:
    def __init__(self, polls_before_done: int = 1) -> None:
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        self.polls_before_done = polls_before_done
        self.fail_keys: set[str] = set()
        self.requests_seen: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: Any, raw: bytes | None = None) -> None:
                data = raw if raw is not None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header(
                    "content-type", "application/json" if raw is None else "application/octet-stream"
                )
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                with stub._lock:
                    stub.paths.append(f"POST {self.path}")
                    if self.path.endswith("/files"):
                        msg = email.parser.BytesParser().parsebytes(
                            b"content-type: " + self.headers["content-type"].encode() + b"\r\n\r\n" + raw
                        )
                        parts = {
                            p.get_param("name", header="content-disposition"): p.get_payload(decode=True)
                            for p in msg.get_payload()
                        }
                        fid = f"file-{len(stub.files) + 1}"
                        stub.files[fid] = parts["file"]
                        assert parts["purpose"] == b"batch"
                        return self._send(
                            200,
                            {
                                "id": fid,
                                "object": "file",
                                "bytes": len(parts["file"]),
                                "created_at": 0,
                                "filename": "requests.jsonl",
                                "purpose": "batch",
                                "status": "processed",
                            },
                        )
                    if self.path.endswith("/batches"):
                        body = json.loads(raw)
                        bid = f"batch_{len(stub.batches) + 1}"
                        stub.batches[bid] = {
                            "id": bid,
                            "object": "batch",
                            "endpoint": body["endpoint"],
                            "input_file_id": body["input_file_id"],
                            "completion_window": "24h",
                            "status": "validating",
                            "created_at": 0,
                            "output_file_id": None,
                            "error_file_id": None,
                        }
                        stub.polls[bid] = 0
                        return self._send(200, stub.batches[bid])
                return self._send(404, {"error": {"message": f"no route {self.path}"}})

            def do_GET(self) -> None:  # noqa: N802
                with stub._lock:
                    stub.paths.append(f"GET {self.path}")
                    parts = self.path.rstrip("/").split("/")
                    if "batches" in parts:
                        bid = parts[-1]
                        stub.polls[bid] += 1
                        if (
                            stub.polls[bid] > stub.polls_before_done
                            and stub.batches[bid]["status"] != "completed"
                        ):
                            stub._complete(bid)
                        elif stub.batches[bid]["status"] == "validating":
                            stub.batches[bid]["status"] = "in_progress"
                        return self._send(200, stub.batches[bid])
                    if parts[-1] == "content":
                        return self._send(200, None, raw=stub.files[parts[-2]])
                return self._send(404, {"error": {"message": f"no route {self.path}"}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def _complete(self, bid: str) -> None:
        batch = self.batches[bid]
        ok, bad = [], []
        for line in self.files[batch["input_file_id"]].decode().splitlines():
            req = json.loads(line)
            self.requests_seen.append(req)
            if req["custom_id"] in self.fail_keys:
                bad.append(
                    {
                        "id": "r",
                        "custom_id": req["custom_id"],
                        "response": None,
                        "error": {"code": "server_error", "message": "stub failure"},
                    }
                )
            else:
                ok.append(
                    {
                        "id": "r",
                        "custom_id": req["custom_id"],
                        "error": None,
                        "response": {
                            "status_code": 200,
                            "request_id": "q",
                            "body": offline_completion(req["body"]),
                        },
                    }
                )
        for rows, key in ((ok, "output_file_id"), (bad, "error_file_id")):
            if rows:
                fid = f"file-{len(self.files) + 1}"
                self.files[fid] = ("\n".join(json.dumps(r) for r in rows) + "\n").encode()
                batch[key] = fid
        batch["status"] = "completed"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> BatchStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
