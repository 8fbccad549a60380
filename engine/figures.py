"""Figures shown beside the threshold they were tested against, rounded so a reader's comparison agrees."""

from __future__ import annotations

import math

MAX_PLACES = 6


def beside(value: float, threshold: float, places: int = 2) -> tuple[str, str]:
    """`value` and `threshold` as text that compares the way the numbers do.

    Two decimals are enough almost always; where rounding would make them contradict the test (0.6999 shown as
    "0.70 is below the threshold of 0.70"), more decimals are shown, just enough to tell them apart. Past
    MAX_PLACES the value is cut towards its side of the threshold, never rounded across it.
    """
    below = value < threshold
    for p in range(places, MAX_PLACES + 1):
        v, t = f"{value:.{p}f}", f"{threshold:.{p}f}"
        if (float(v) < float(t)) == below:
            return v, t
    scale = 10**MAX_PLACES
    cut = math.floor(value * scale) if below else math.ceil(value * scale)
    t = f"{threshold:.{MAX_PLACES}f}"
    v = f"{cut / scale:.{MAX_PLACES}f}"
    if (float(v) < float(t)) != below:  # threshold itself rounds across the value: show it cut the other way
        t_cut = math.ceil(threshold * scale) if below else math.floor(threshold * scale)
        t = f"{t_cut / scale:.{MAX_PLACES}f}"
    return v, t


def shown(value: float, threshold: float, places: int = 2) -> str:
    """Just the value's text from `beside` (for sentences that name the threshold elsewhere)."""
    return beside(value, threshold, places)[0]
