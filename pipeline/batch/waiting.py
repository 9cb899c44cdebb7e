"""How long `batch --via openai-batch` waits for a remote batch, and how often it looks (no OpenAI import here, so
the command line can show the defaults without loading the SDK).

One remote batch: give up waiting after REMOTE_TIMEOUT_S in all (the completion window is 24 h), or after
STALL_TIMEOUT_S with no change in its state or request counts. The batch stays on the server either way, so
the error says how to pick it up again with --resume-remote.
"""

from __future__ import annotations

from dataclasses import dataclass

REMOTE_TIMEOUT_S = 25 * 3600.0
STALL_TIMEOUT_S = 6 * 3600.0


@dataclass(frozen=True)
class Waiting:
    poll_s: float = 5.0
    timeout_s: float = REMOTE_TIMEOUT_S
    stall_s: float = STALL_TIMEOUT_S
