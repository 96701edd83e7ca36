"""One look for every report: colours, type sizes and the spelling of numbers.

Colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal
Design"), distinguishable with the common forms of colour blindness and the
same as the desktop app's. Lines that carry meaning also differ in style
(solid, dashed, dotted), so the charts survive greyscale printing.

Text sizes are chosen for a projector: a chart drawn at its default size of
10 x 5.6 inches (16:9) and shown full screen has 13-point tick labels.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

#: Okabe & Ito (2008).
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Colour of each site type, as in the desktop app.
TYPE_COLOURS = {
    "supplier": OKABE_ITO["orange"],
    "plant": OKABE_ITO["blue"],
    "dc": OKABE_ITO["bluish_green"],
    "customer": OKABE_ITO["reddish_purple"],
}
TYPE_LABELS = {"supplier": "Suppliers", "plant": "Plants", "dc": "DCs", "customer": "Customers"}
SITE_TYPES = ("supplier", "plant", "dc", "customer")

#: Categorical colours in order of use (series, scenarios, regions).
SERIES = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["yellow"],
    OKABE_ITO["black"],
)

RISK = OKABE_ITO["vermillion"]
SAFE = OKABE_ITO["blue"]
ACCENT = OKABE_ITO["blue"]
TEXT = "#1f2328"
MUTED = "#5b6470"
BORDER = "#d0d7de"
GRID = "#e6e9ee"
SUBTLE = "#eef1f5"

#: Base type size (points) of the report figures.
FONT = 13
#: Default figure size (inches): 16:9, the shape of a slide.
FIGSIZE = (10.0, 5.625)
#: Sequential colour map of risk (light = low, dark red = high); monotone in
#: lightness, so it reads in greyscale and for colour-blind readers.
RISK_CMAP = "YlOrRd"

MISSING = "–"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def finite(*values: object) -> bool:
    """True when every value is a finite real number."""
    return all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
    )


def pct(value: object, decimals: int = 1) -> str:
    """``0.0231`` → ``'2.3%'``."""
    if not finite(value):
        return MISSING
    return f"{float(value) * 100:.{decimals}f}%"  # type: ignore[arg-type]


def _with_ci(head: str, ci: object, bound: Callable[[float], str]) -> str:
    """``head`` followed by the interval ``[lo, hi]`` written with ``bound``; ``head``
    alone when it is missing or ``ci`` is not two finite numbers."""
    if head == MISSING or not isinstance(ci, list | tuple) or not finite(*ci):
        return head
    return f"{head} [{bound(ci[0])}, {bound(ci[1])}]"


def pct_ci(mean: object, ci: object, decimals: int = 1) -> str:
    """A probability with its 95% CI in percentage points: ``'2.3% [2.1, 2.5]'``."""
    return _with_ci(pct(mean, decimals), ci, lambda x: f"{x * 100:.{decimals}f}")


def compact(value: object, decimals: int = 1) -> str:
    """Short number: ``1234`` → ``'1.2k'``, ``3.4e6`` → ``'3.4M'``, ``2.1e9`` → ``'2.1bn'``."""
    if not finite(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    size = abs(v)
    for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{v / limit:.{decimals}f}{suffix}"
    if size >= 100 or v == 0:
        return f"{v:.0f}"
    return f"{v:.{decimals}f}" if size >= 1 else f"{v:.2f}"


def money(value: object, currency: str = "") -> str:
    """``523184`` → ``'EUR 523.2k'``."""
    text = compact(value)
    return f"{currency} {text}" if currency and text != MISSING else text


def money_ci(mean: object, ci: object) -> str:
    """``'523.2k [510.5k, 535.9k]'``."""
    return _with_ci(compact(mean), ci, compact)


def days(value: object, decimals: int = 1) -> str:
    """``12.34`` → ``'12.3'``; ``None`` or infinite → ``'–'``."""
    if not finite(value):
        return MISSING
    return f"{float(value):.{decimals}f}"  # type: ignore[arg-type]


def days_ci(mean: object, ci: object, decimals: int = 1) -> str:
    """``'12.3 [11.0, 13.6]'``."""
    return _with_ci(days(mean, decimals), ci, lambda x: f"{x:.{decimals}f}")


def clean_text(text: object) -> str:
    """Text from the input workbook, safe to store anywhere: control characters
    (which XML, and so xlsx and pptx, cannot hold) become ``'?'``."""
    return _CONTROL.sub("?", str(text))


def plain(text: object, max_chars: int | None = None) -> str:
    """Text from the input workbook as matplotlib must get it: literal.

    Pairs of ``$`` would start mathtext; they are escaped. Long text is
    shortened to ``max_chars`` with an ellipsis.
    """
    s = clean_text(text)
    if max_chars is not None and len(s) > max_chars:
        s = s[: max_chars - 1] + "…"
    return s.replace("$", r"\$")
