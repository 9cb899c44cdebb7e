from __future__ import annotations

import pytest

from pipeline.metrics import rolling, rolling_compiled


@pytest.fixture(params=["numpy", "compiled"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test on both engines of `rolling`, each forced for every array size: NumPy's blockwise forms
    and the compiled loops (Numba, the `fast` extra; skipped without it)."""
    if request.param == "compiled" and not rolling_compiled.available():
        pytest.skip("Numba is not installed (the `fast` extra)")
    monkeypatch.setattr(rolling, "COMPILED_FROM", 0 if request.param == "compiled" else 1 << 62)
    return str(request.param)
