"""Alternative sources of one component must agree: shares sum to 1, same BOM and buffer.

Checked for the Lanes sheet (:mod:`.validation`) and again after a scenario's
overrides (:mod:`.overrides`), which may change shares.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..model.records import Lane

SHARE_TOLERANCE = 1e-6


def source_group_problems(
    lanes: Iterable[Lane],
) -> list[tuple[list[Lane], str, str]]:
    """Alternative sources of one component that do not fit together.

    Returns ``(lanes of the group, Lanes column at fault, message)`` for shares
    that do not sum to 1, and for different line-side buffers or BOM quantities.
    """
    groups: dict[tuple[str, str], list[Lane]] = defaultdict(list)
    for lane in lanes:
        groups[(lane.target, lane.component)].append(lane)
    out: list[tuple[list[Lane], str, str]] = []
    for (site, comp), group in groups.items():
        total = sum(lane.share for lane in group)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            srcs = ", ".join(lane.source for lane in group)
            what = f"component '{comp}' of '{site}'" if comp != site else f"'{site}'"
            out.append(
                (
                    group,
                    "share",
                    f"shares of the sources of {what} ({srcs}) sum to {total:g}, not 1",
                )
            )
        bufs = {
            (lane.line_buffer_days, lane.line_buffer_units)
            for lane in group
            if lane.line_buffer_days is not None or lane.line_buffer_units is not None
        }
        if len(bufs) > 1:
            out.append(
                (
                    group,
                    "line_buffer_days",
                    f"alternative sources of '{comp}' at '{site}' give different line-side "
                    "buffers; give the same value on each (or on one)",
                )
            )
        qpus = {lane.quantity_per_unit for lane in group}
        if len(qpus) > 1:
            out.append(
                (
                    group,
                    "quantity_per_unit",
                    f"alternative sources of '{comp}' at '{site}' give different "
                    "quantity_per_unit values",
                )
            )
    return out


#: Largest mean daily flow through a site (units/day) that results stay finite for.
