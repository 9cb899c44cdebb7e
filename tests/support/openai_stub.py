"""A tiny local OpenAI-compatible HTTP server for tests: scripted replies, recorded requests.

Bound to 127.0.0.1 on a free port, served from a thread. `/v1/chat/completions` answers from a queue of
`Reply`s (a JSON body with a status and headers, optionally after a delay). Each request is recorded with its
body and headers, except that the Authorization / api-key header values are never stored: the record keeps
only whether one was sent (`auth_sent`).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "recorded_http"
_SECRET_HEADERS = {"authorization", "api-key", "x-api-key"}


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Recorded:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]  # secret headers removed
    auth_sent: bool


def recorded(name: str) -> Reply:
    """A reply stored as fixtures/recorded_http/<name>.json: {"status", "headers", "body"}."""
    data = json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))
    return Reply(data.get("status", 200), data["body"], data.get("headers", {}))


def completion(
    content: str,
    *,
    prompt_tokens: int = 100,
    completion_tokens: int = 20,
    cached_tokens: int = 0,
    model: str = "gpt-5.2-2025-12-11",
) -> Reply:
    """A chat.completion reply in OpenAI's response shape with `content` as the assistant message."""
    return Reply(
        200,
        {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": 1767225600,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "logprobs": None,
                    "message": {"role": "assistant", "content": content, "refusal": None, "annotations": []},
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": cached_tokens, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
            },
            "service_tier": "default",
            "system_fingerprint": None,
        },
    )


class OpenAIStub:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"_unparsed": raw.decode("utf-8", "replace")}
                headers = {k.lower(): v for k, v in self.headers.items() if k.lower() not in _SECRET_HEADERS}
                auth = any(k.lower() in _SECRET_HEADERS and v for k, v in self.headers.items())
                with stub._lock:
                    stub.requests.append(Recorded(self.path, body, headers, auth))
                    reply = (
                        stub.replies.popleft()
                        if stub.replies
                        else Reply(
                            500,
                            {"error": {"message": "stub: no scripted reply left", "type": "server_error"}},
                        )
                    )
                if not self.path.endswith("/chat/completions"):
                    reply = Reply(404, {"error": {"message": f"stub: no route {self.path}"}})
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def enqueue(self, *replies: Reply) -> OpenAIStub:
        self.replies.extend(replies)
        return self

    def __enter__(self) -> OpenAIStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
