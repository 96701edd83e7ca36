r"""Willems' (2008) 38 industrial supply chains as jitrisk networks.

Source: S. P. Willems, "Real-world multiechelon supply chains used for
inventory optimization", *Manufacturing & Service Operations Management*
10(1):19-23, 2008 (file ``MSOM-06-038-R2.xlsx``). Chain ``NN`` is two sheets:
``NN_SD``, one row per stage (``Stage Name``, ``stageCost``,
``stageClassification``, ``avgDemand``, ``stdDevDemand`` (per day),
``maxServiceTime``, ``serviceLevel``, ``stageTime`` (its mean), ``stdDev
stageTime``, ``stageTime_1..6`` with probabilities ``stageTime_%_1..6``), and
``NN_LL``, one row per arc (``sourceStage``, ``destinationStage``).

How a chain becomes a workbook (:func:`read_chain`)
---------------------------------------------------
* **Sites.** A stage with no inbound arc is a ``supplier``; a stage with
  several inbound arcs, or a ``Manuf``/``Part`` stage with any, is a ``plant``
  (each inbound arc a component, one unit each: the GSM's :math:`\phi = 1`);
  a ``Dist``, ``Trans`` or ``Retail`` stage with one inbound arc is a ``dc``.
* **Stage times.** The GSM needs whole days, so a fractional mean stage time
  is rounded up. A supplier's or plant's stage time is its
  ``processing_days``; a DC's sits on its inbound lane's ``lead_time_days``
  (the same constraint in the GSM: a stage time can move onto the stage's
  inbound arcs), where a random stage time keeps its distribution: the listed
  values with their probabilities as ``empirical(...)`` (each value repeated
  in proportion), else ``gamma(mean, sd)``. A supplier's or plant's random
  stage time keeps only its mean (``processing_days`` is a whole number); the
  chain's notes count those stages.
* **Value.** ``unit_value`` is the *cumulative* cost: the stage's own cost plus
  the cumulative cost of every input, as Willems' GSM values inventory; the
  holding cost rate is the workbook default (25 % a year), so every holding cost
  is the same multiple of Willems'.
* **Demand.** A stage with ``avgDemand`` ships to a customer ``<stage>~demand``
  (lane of 0 days) whose Demand row has ``normal(avgDemand, stdDevDemand)``,
  the stage's ``maxServiceTime`` as ``service_time_days`` (none given: no
  limit) and its ``serviceLevel`` as ``service_level``; revenue is valued at
  cumulative cost. Any other stage's ``maxServiceTime`` becomes its
  ``max_service_time_days``.
* **Settings.** ``gsm_review_days`` is 0, the continuous-review convention of
  the GSM the data were published for; set it to 1 to compare with the
  simulation (docs/ANALYSIS.md).
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import JitriskError, Problem, WorkbookError
from ..model.distributions import Constant, Distribution, Empirical, Gamma, Normal
from ..model.records import Demand, Lane, Network, Settings, Site

PathLike = str | os.PathLike[str]
#: Most repetitions of one value when probabilities become an ``empirical(...)`` list.
MAX_REPEATS = 100
_REQUIRED = ("Stage Name", "stageCost", "stageClassification", "stageTime")
_LINES = ("sourceStage", "destinationStage")
_SINGLE_ITEM = ("Dist", "Trans", "Retail")
DEMAND_SUFFIX = "~demand"


@dataclass(frozen=True)
class WillemsChain:
    """One chain read from the file.

    Attributes
    ----------
    number : int
        The chain's number (``NN`` of its sheets).
    network : Network
        The chain as a jitrisk network (see the module docstring).
    stages, arcs : int
        As in the file.
    notes : tuple of str
        What the conversion had to round or leave out, in a sentence each.
    """

    number: int
    network: Network
    stages: int
    arcs: int
    notes: tuple[str, ...]


def chain_numbers(path: PathLike) -> list[int]:
    """The chains the file holds (``NN`` of every ``NN_SD`` sheet with its ``NN_LL``)."""
    names = _sheet_names(path)
    return sorted(
        int(n[:-3])
        for n in names
        if n.endswith("_SD") and n[:-3].isdigit() and f"{n[:-3]}_LL" in names
    )


def read_chain(path: PathLike, number: int) -> WillemsChain:
    """Chain ``number`` of Willems' file as a jitrisk network.

    Raises
    ------
    JitriskError
        The file cannot be read or has no such chain.
    WorkbookError
        Cells the conversion cannot accept, each with its sheet, row and column
        in the source file.
    """
    wb = _open(path)
    try:
        sd, ll = f"{number:02d}_SD", f"{number:02d}_LL"
        if sd not in wb.sheetnames or ll not in wb.sheetnames:
            have = sorted(n[:-3] for n in wb.sheetnames if n.endswith("_SD"))
            raise JitriskError(
                f"{Path(path).name} has no chain {number:02d} (sheets {sd} and {ll}); "
                f"it has chains {', '.join(have) or 'none'}"
            )
        problems: list[Problem] = []
        stages = _stages(wb[sd], sd, problems)
        arcs = _arcs(wb[ll], ll, {s["name"] for s in stages}, problems)
    finally:
        wb.close()
    if not problems:
        order = _order(stages, arcs, ll, problems)
    if problems:
        raise WorkbookError(str(path), problems)
    network, notes = _network(stages, arcs, order)
    return WillemsChain(number, network, len(stages), len(arcs), tuple(notes))


# --------------------------------------------------------------------------- reading


def _sheet_names(path: PathLike) -> list[str]:
    wb = _open(path)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _open(path: PathLike) -> Any:
    import openpyxl

    p = Path(path)
    if not p.is_file():
        raise JitriskError(f"cannot read {p}: no such file")
    try:
        return openpyxl.load_workbook(p, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise JitriskError(f"cannot read {p.name} as an Excel workbook: {exc}") from None


def _rows(ws: Any) -> tuple[dict[str, int], list[tuple[int, tuple[Any, ...]]]]:
    rows = ws.iter_rows(values_only=True)
    head = next(rows, ())
    cols = {str(h).strip(): j for j, h in enumerate(head) if h is not None}
    body = [(i, r) for i, r in enumerate(rows, start=2) if r and r[0] is not None]
    return cols, body


def _number(
    value: Any, sheet: str, row: int, col: int, name: str, problems: list[Problem]
) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        problems.append(Problem(sheet, row, col + 1, f"{name}: expected a number, got {value!r}"))
        return None
    if not math.isfinite(x) or x < 0:
        problems.append(Problem(sheet, row, col + 1, f"{name}: must be a number >= 0, got {x}"))
        return None
    return x


def _stages(ws: Any, sheet: str, problems: list[Problem]) -> list[dict[str, Any]]:
    cols, body = _rows(ws)
    missing = [c for c in _REQUIRED if c not in cols]
    if missing:
        problems.append(Problem(sheet, 1, None, f"missing columns: {', '.join(missing)}"))
        return []
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    numeric = ("stageCost", "avgDemand", "stdDevDemand", "maxServiceTime", "serviceLevel",
               "stageTime", "stdDev stageTime")  # fmt: skip
    for row, r in body:
        name = str(r[cols["Stage Name"]]).strip()
        if name in seen:
            problems.append(
                Problem(
                    sheet,
                    row,
                    cols["Stage Name"] + 1,
                    f"duplicate stage {name!r} (first in row {seen[name]})",
                )
            )
            continue
        seen[name] = row
        st: dict[str, Any] = {"name": name, "row": row}
        st["class"] = str(r[cols["stageClassification"]] or "").strip()
        for key in numeric:
            if key in cols:
                st[key] = _number(r[cols[key]], sheet, row, cols[key], key, problems)
        level = st.get("serviceLevel")
        if level is not None and not 0.5 <= level < 1:
            problems.append(
                Problem(
                    sheet,
                    row,
                    cols["serviceLevel"] + 1,
                    f"serviceLevel: must be in [0.5, 1), got {level}",
                )
            )
        st["points"] = _points(r, cols)
        out.append(st)
    return out


def _points(r: tuple[Any, ...], cols: dict[str, int]) -> list[tuple[float, float]]:
    pts = []
    for k in range(1, 7):
        v, p = cols.get(f"stageTime_{k}"), cols.get(f"stageTime_%_{k}")
        if v is None or p is None or r[v] is None or r[p] is None:
            continue
        try:
            pts.append((float(r[v]), float(r[p])))
        except (TypeError, ValueError):
            continue
    return pts


def _arcs(ws: Any, sheet: str, names: set[str], problems: list[Problem]) -> list[tuple[str, str]]:
    cols, body = _rows(ws)
    if any(c not in cols for c in _LINES):
        problems.append(Problem(sheet, 1, None, f"missing columns: {', '.join(_LINES)}"))
        return []
    out, seen = [], set()
    for row, r in body:
        src, dst = (str(r[cols[c]]).strip() for c in _LINES)
        for c, v in zip(_LINES, (src, dst), strict=True):
            if v not in names:
                problems.append(Problem(sheet, row, cols[c] + 1, f"unknown stage {v!r}"))
        if src == dst or (src, dst) in seen:
            problems.append(Problem(sheet, row, None, f"self-loop or repeated arc {src} -> {dst}"))
            continue
        seen.add((src, dst))
        out.append((src, dst))
    return out


def _order(
    stages: list[dict[str, Any]], arcs: list[tuple[str, str]], sheet: str, problems: list[Problem]
) -> list[str]:
    """Stage names upstream first; a directed cycle is a problem."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(s["name"] for s in stages)
    g.add_edges_from(arcs)
    try:
        return list(nx.topological_sort(g))
    except nx.NetworkXUnfeasible:
        cycle = [u for u, _v in nx.find_cycle(g)]
        problems.append(Problem(sheet, None, None, f"arcs form a cycle: {' -> '.join(cycle[:6])}"))
        return []


# --------------------------------------------------------------------------- converting


def stage_time(st: dict[str, Any]) -> Distribution:
    """The stage time as a distribution (module docstring): listed values with their
    probabilities, else ``gamma(mean, sd)``, else the mean."""
    mean = st.get("stageTime") or 0.0
    pts = [(v, p) for v, p in st["points"] if p > 0]
    if pts:
        weights = [Fraction(p).limit_denominator(MAX_REPEATS) for _v, p in pts]
        scale = math.lcm(*(w.denominator for w in weights))
        counts = [int(w * scale) for w in weights]
        if 0 < sum(counts) <= 10 * MAX_REPEATS:
            return Empirical(
                tuple(v for (v, _p), c in zip(pts, counts, strict=True) for _ in range(c))
            )
    sd = st.get("stdDev stageTime") or 0.0
    if sd > 0 and mean > 0:
        return Gamma(mean, sd)
    return Constant(float(mean))


def _network(
    stages: list[dict[str, Any]], arcs: list[tuple[str, str]], order: list[str]
) -> tuple[Network, list[str]]:
    by = {s["name"]: s for s in stages}
    ups: dict[str, list[str]] = defaultdict(list)
    for u, d in arcs:
        ups[d].append(u)
    cumulative: dict[str, float] = {}
    for n in order:
        cumulative[n] = (by[n].get("stageCost") or 0.0) + sum(cumulative[u] for u in ups[n])
    horizon = sum(math.ceil(s.get("stageTime") or 0.0) for s in stages) + 1
    sites: list[Site] = []
    lanes: list[Lane] = []
    demand: list[Demand] = []
    rounded = dropped = 0
    for n in order:
        st = by[n]
        mean = st.get("stageTime") or 0.0
        days = math.ceil(mean - 1e-9)
        rounded += days != mean
        inputs = ups[n]
        random_time = stage_time(st)
        if not inputs:
            kind = "supplier"
        elif len(inputs) == 1 and st["class"] in _SINGLE_ITEM:
            kind = "dc"
        else:
            kind = "plant"
        dropped += kind != "dc" and not random_time.is_constant
        own_limit = st.get("maxServiceTime")
        has_demand = st.get("avgDemand") is not None
        sites.append(
            Site(
                n,
                kind,
                name=st["class"],
                processing_days=days if kind != "dc" else 0,
                unit_value=cumulative[n],
                max_service_time_days=None
                if has_demand or own_limit is None
                else math.ceil(own_limit),
            )
        )
        for u in inputs:
            if kind == "dc":
                lead = random_time if not random_time.is_constant else Constant(float(days))
            else:
                lead = Constant(0.0)
            lanes.append(Lane(u, n, lead))
        if has_demand:
            customer = n + DEMAND_SUFFIX
            sites.append(Site(customer, "customer", name=f"demand at {n}"))
            lanes.append(Lane(n, customer, Constant(0.0)))
            limit = horizon if own_limit is None else math.ceil(own_limit)
            demand.append(
                Demand(
                    customer,
                    Normal(st["avgDemand"], st.get("stdDevDemand") or 0.0),
                    unit_price=cumulative[n],
                    service_time_days=limit,
                    service_level=st.get("serviceLevel"),
                )
            )
    notes = []
    if rounded:
        notes.append(f"{rounded} fractional mean stage times rounded up to whole days")
    if dropped:
        notes.append(
            f"{dropped} suppliers or plants with a random stage time keep its mean only "
            "(processing_days is a whole number)"
        )
    settings = Settings(gsm_review_days=0)
    return Network(tuple(sites), tuple(lanes), tuple(demand), settings=settings), notes
