"""Record a bundle through the real OpenAI-compatible HTTP path, against the local stub server.

The stub is scripted with the offline writer's answers (as JSON text, the way a json_schema model replies),
so the recording exercises ChatOpenAI, the HTTP round trip, `ask`'s parsing and the recorder's callback.
Run from the repository root to refresh the committed set:

    .venv/bin/python -m tests.review.stub_recording fixtures/bundles/HK_3896 --out fixtures/recorded
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from pipeline.model.providers import resolve_model
from pipeline.review.record import record_bundle
from tests.support.openai_stub import OpenAIStub, completion

STUB_MODEL = "openai-compatible:stub-gpt"
FAKE_KEY = "sk-FAKE-review-key-0123456789abcdef"


def offline_answers(bundle_dir: Path) -> list[str]:
    """The offline model's answer of each section, in the order the pipeline asks them."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = record_bundle(bundle_dir, resolve_model("offline"), Path(tmp))
        return [
            json.dumps(json.loads(p.read_text())["calls"][0]["tool_calls"][0]["args"], ensure_ascii=False)
            for p in paths
        ]


def record_via_stub(bundle_dir: Path, root: Path) -> tuple[list[Path], OpenAIStub]:
    """Record `bundle_dir` as STUB_MODEL under `root`, sending FAKE_KEY; returns the files and the stub."""
    answers = offline_answers(bundle_dir)
    old = os.environ.get("OPENAI_COMPATIBLE_API_KEY")
    os.environ["OPENAI_COMPATIBLE_API_KEY"] = FAKE_KEY
    try:
        with OpenAIStub() as stub:
            stub.enqueue(
                *(completion(a, prompt_tokens=900 + i, completion_tokens=150) for i, a in enumerate(answers))
            )
            resolved = resolve_model(STUB_MODEL, base_url=stub.base_url, timeout=10)
            return record_bundle(bundle_dir, resolved, root), stub
    finally:
        if old is None:
            os.environ.pop("OPENAI_COMPATIBLE_API_KEY", None)
        else:
            os.environ["OPENAI_COMPATIBLE_API_KEY"] = old


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--out", type=Path, default=Path("fixtures/recorded"))
    args = parser.parse_args()
    files, _ = record_via_stub(args.bundle, args.out)
    print("\n".join(map(str, files)))
