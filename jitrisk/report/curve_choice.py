"""Which site a report's buffer curve varies, and at which buffer levels."""

from __future__ import annotations

import math
from typing import Any


def curve_target(doc: dict[str, Any]) -> tuple[str, str]:
    """The buffer curve's target for a simulation document, and why (see the module doc).

    The planner's own stock points come first: the plant or DC with the highest
    stockout-day probability (ties: lost revenue). A supplier is taken only when
    no plant or DC ran out; its own buffer cannot help while it is down itself,
    which is often why it runs out. With no stockout anywhere: ``network``.
    """
    ranked = sorted(
        ((sid, st) for sid, st in doc["sites"].items() if st.get("type") != "customer"),
        key=lambda kv: (
            -kv[1]["stockout_day_probability"]["mean"],
            -kv[1]["lost_revenue"]["mean"],
            kv[0],
        ),
    )
    for kinds, what in ((("plant", "dc"), "plant or DC"), (("supplier",), "stocking site")):
        hit = [kv for kv in ranked if kv[1].get("type") in kinds]
        if hit and hit[0][1]["stockout_day_probability"]["mean"] > 0:
            sid, st = hit[0]
            p = st["stockout_day_probability"]["mean"]
            return sid, (
                f"{sid} is the {what} most at risk (stockout-day probability {p * 100:.1f}%): "
                "the curve varies its safety stock, all else unchanged"
            )
    return "network", (
        "no stocking site ran out, so the curve sets every stocking site's safety stock "
        "to each level"
    )


#: Buffer levels of a report's curve: dense near zero, where the JIT cliff is.
NICE_LEVELS = (
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    8,
    10,
    12,
    15,
    20,
    25,
    30,
    40,
    50,
    60,
    80,
    100,
    120,
    150,
    200,
    250,
    300,
    365,
)


def curve_levels(current: float | None) -> list[float]:
    """Buffer levels (days) of a report's curve: from 0 to at least 20 days and twice the
    current buffer, dense near zero, with the current buffer itself included."""
    cur = current if current is not None and math.isfinite(current) and current >= 0 else None
    top = min(max(20.0, 2.0 * (cur or 0.0)), 365.0)
    levels = {float(x) for x in NICE_LEVELS if x <= top}
    bigger = [x for x in NICE_LEVELS if x >= top]
    levels.add(float(bigger[0]) if bigger else 365.0)
    if cur is not None and cur <= 365.0:
        levels.add(float(round(cur, 6)))
    return sorted(levels)
