"""The one token estimate, for counts needed before a provider reports its own: characters / 4, rounded up.

Used by the transcript budget (narrate/transcript_cut.py), the offline model's usage and the client-side
tokens-per-minute limiter (batch/ratelimit.py). Providers' own counts replace it wherever they exist.
"""

from __future__ import annotations

CHARS_PER_TOKEN = 4


def tokens_for_chars(chars: int) -> int:
    """ceil(chars / 4)."""
    return -(-chars // CHARS_PER_TOKEN)


def estimate_tokens(text: str) -> int:
    """ceil(len(text) / 4)."""
    return tokens_for_chars(len(text))
