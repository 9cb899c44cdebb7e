"""Constructors of `Figure` shared by every metric family: a value, or why there is none."""

from __future__ import annotations

import math

from pipeline.metrics.types import Figure, Unit


def ok(value: float, unit: Unit, formula: str, note: str | None = None) -> Figure:
    """A computed value; huge or tiny inputs can overflow a division, so inf/NaN becomes not_meaningful."""
    if not math.isfinite(value):
        return not_meaningful(unit, formula, "the result is not a finite number (inputs out of range)")
    return Figure(value=value, unit=unit, formula=formula, note=note)


def not_meaningful(unit: Unit, formula: str, note: str) -> Figure:
    return Figure(value=None, status="not_meaningful", unit=unit, formula=formula, note=note)


def insufficient(unit: Unit, formula: str, note: str) -> Figure:
    return Figure(value=None, status="insufficient_data", unit=unit, formula=formula, note=note)
