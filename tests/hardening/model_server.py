"""A local OpenAI-compatible chat server that answers like the offline model, with injectable faults.

Each POST to /v1/chat/completions is answered from the offline writer (so every section gets a valid,
checkable answer), optionally rewritten by `transform` (hostile model output), or, with probability
`fault_rate`, replaced by a fault drawn from `faults`:

    timeout         no answer within the client's timeout (the handler sleeps `hang_s`)
    429             Too Many Requests with Retry-After (seconds, small)
    500             server error
    truncated_body  200 with a Content-Length the body never reaches, then the connection closes
    truncated_json  a complete HTTP reply whose message content is cut mid-JSON (a re-ask case)
    slow            the body trickles out in chunks (slow but within the timeout: must succeed)
    reset           the TCP connection is reset (SO_LINGER 0) before any reply
    cut             the reply stopped at the output limit: half the JSON, finish_reason "length"

`cut_first` cuts the first N replies (deterministic re-ask tests); `requests` keeps what each request asked
for (max_tokens, whether the schema sent carries length limits).

Secret headers are never stored; `auth_seen` keeps only the Authorization values' count per value hash.
"""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from tests.support.prompt_reader import offline_answer

FAULTS = ("timeout", "429", "500", "truncated_body", "truncated_json", "slow", "reset")


def _messages(body: dict[str, Any]) -> list[BaseMessage]:
    kinds = {
        "system": SystemMessage,
        "developer": SystemMessage,
        "user": HumanMessage,
        "assistant": AIMessage,
    }
    out: list[BaseMessage] = []
    for m in body.get("messages", []):
        content = m.get("content") or ""
        if isinstance(content, list):  # content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        out.append(kinds.get(m.get("role"), HumanMessage)(content=content))
    return out


def completion_body(content: str, model: str = "stub-model", finish_reason: str = "stop") -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-hardening",
            "object": "chat.completion",
            "created": 1767225600,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish_reason,
                    "logprobs": None,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                }
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        }
    ).encode()


class ModelServer:
    def __init__(
        self,
        *,
        fault_rate: float = 0.0,
        faults: tuple[str, ...] = FAULTS,
        seed: int = 0,
        hang_s: float = 0.5,
        transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        error_reply: tuple[int, dict[str, Any]] | None = None,
        fault_weights: dict[str, float] | None = None,
        cut_first: int = 0,
    ) -> None:
        self.cut_first = cut_first
        self.requests: list[dict[str, Any]] = []
        self.rng = random.Random(seed)
        self.fault_rate, self.faults, self.hang_s = fault_rate, faults, hang_s
        # relative weight of each fault kind (default 1): timeouts cost the client its whole timeout each
        self.weights = [float((fault_weights or {}).get(f, 1.0)) for f in faults]
        self.transform, self.error_reply = transform, error_reply
        self.counts: Counter[str] = Counter()
        self.auth_headers = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(
                self,
                status: int,
                payload: bytes,
                headers: dict[str, str] | None = None,
                chunks: int = 1,
                pause: float = 0.0,
                cut: int | None = None,
            ) -> None:
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    data = payload[:cut] if cut is not None else payload
                    step = max(1, len(data) // chunks)
                    for i in range(0, len(data), step):
                        self.wfile.write(data[i : i + step])
                        self.wfile.flush()
                        if pause:
                            time.sleep(pause)
                    if cut is not None:
                        self._reset()
                except OSError:  # the client gave up (timeout) and left
                    pass

            def _reset(self) -> None:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                with server._lock:
                    server.auth_headers += bool(self.headers.get("authorization"))
                    fault = (
                        server.rng.choices(server.faults, weights=server.weights)[0]
                        if server.rng.random() < server.fault_rate
                        else "ok"
                    )
                    if server.cut_first > 0:
                        server.cut_first -= 1
                        fault = "cut"
                    server.counts[fault] += 1
                    try:  # a chat request; a file upload (Batch API) is not JSON
                        body = json.loads(raw)
                    except ValueError:
                        body = {}
                    body = body if isinstance(body, dict) else {}
                    schema = json.dumps((body.get("response_format") or {}).get("json_schema") or {})
                    cap = body.get("max_tokens") or body.get("max_completion_tokens")
                    server.requests.append({"max_tokens": cap, "limits_sent": '"maxLength"' in schema})
                if server.error_reply is not None:
                    status, err = server.error_reply
                    return self._send(status, json.dumps(err).encode())
                if fault == "reset":
                    return self._reset()
                if fault == "timeout":
                    time.sleep(server.hang_s)
                    return self._send(500, b'{"error": {"message": "too late"}}')
                if fault == "429":
                    return self._send(
                        429,
                        b'{"error": {"message": "rate limited", "type": "rate_limit"}}',
                        {"retry-after": "0.01"},
                    )
                if fault == "500":
                    return self._send(
                        500, b'{"error": {"message": "internal error", "type": "server_error"}}'
                    )
                answer = offline_answer(_messages(json.loads(raw)))
                if server.transform is not None:
                    answer = server.transform(answer)
                content = json.dumps(answer, ensure_ascii=False)
                if fault in ("truncated_json", "cut"):
                    content = content[: len(content) // 2]
                payload = completion_body(content, finish_reason="length" if fault == "cut" else "stop")
                if fault == "truncated_body":
                    return self._send(200, payload, cut=len(payload) // 2)
                if fault == "slow":
                    return self._send(200, payload, chunks=4, pause=0.01)
                return self._send(200, payload)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:  # resets are on purpose
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> ModelServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
