"""The offline model with a fixed delay per call (env STOCKREPORT_OFFLINE_DELAY_S), for resume tests."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from langchain_core.outputs import ChatResult

from pipeline.model.offline import OfflineChatModel


class SlowOfflineChatModel(OfflineChatModel):
    delay_s: float = 0.0

    def _generate(
        self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        time.sleep(self.delay_s)
        return super()._generate(messages, stop, run_manager, **kwargs)

    async def _agenerate(
        self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        await asyncio.sleep(self.delay_s)
        return super()._generate(messages, stop, None, **kwargs)
