"""Stage 2, metrics: every figure that is not the company's own data, computed in code.

One file per family: fundamentals.py, valuation.py, technicals.py, scoring.py; model.py holds the typed
output; compute.py holds `compute_metrics`, the one entry point.
"""

from pipeline.metrics.compute import compute_metrics, rescore

__all__ = ["compute_metrics", "rescore"]
