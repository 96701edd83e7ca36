r"""Guaranteed-service safety-stock placement (Graves & Willems 2000).

The guaranteed-service model (GSM)
----------------------------------
Every stage :math:`j` of an acyclic supply network quotes a *committed outbound
service time* :math:`S_j` (whole days) to its downstream stages and waits an
*inbound service time* :math:`SI_j` for its inputs. With processing time
:math:`T_j`, the stage must cover the demand of its *net lead time*

.. math:: \tau_j = SI_j + T_j - S_j \ge 0

from stock. Demand over :math:`\tau` days is bounded by
:math:`\mu_j \tau + z \sigma_j \sqrt{\tau}`, so the safety stock is
:math:`z \sigma_j \sqrt{\tau_j}` and the problem (Graves & Willems 2000;
Snyder & Shen 2019, chapter 6) is

.. math::

    \min \sum_j h_j z \sigma_j \sqrt{SI_j + T_j - S_j}
    \quad\text{s.t.}\quad
    SI_j \ge S_i + L_{ij} \;\; \forall (i, j), \qquad
    SI_j \ge si_j, \qquad 0 \le S_j \le s_j, \qquad S_j \le SI_j + T_j,

with :math:`h_j` the holding cost per unit, :math:`si_j` the service time of an
external supplier (sources), :math:`s_j` the maximum service time a customer
accepts (demand stages) and :math:`L_{ij}` an optional transit time on the edge
(:math:`L_{ij} = 0` in the textbook model; a positive transit is the same as
adding a zero-cost transport stage).

Demand of internal stages
-------------------------
External demands at different stages are independent normals. A unit of demand
at stage :math:`c` needs :math:`m_{jc} = \sum_{\text{paths } j \to c}
\prod \phi_{ik}` units of stage :math:`j` (:math:`\phi_{ik}` = units of
:math:`i` per unit of :math:`k`), so

.. math:: \mu_j = \sum_c m_{jc} \mu_c, \qquad
          \sigma_j = \sqrt{\textstyle\sum_c (m_{jc} \sigma_c)^2}.

On a tree this is :math:`\sigma_j = \sqrt{\sum_k (\phi_{jk}\sigma_k)^2}` over the
downstream stages :math:`k` (the :math:`p = 2` case of Graves & Willems' internal
demand bounds), the convention of Snyder & Shen's stockpyl
(``gsm_tree.net_demand``: :math:`\sqrt{4.1^2 + 6.2^2}` above the two demand
stages of their Problem 6.9). On a network with several paths from :math:`j` to
a customer the paths carry the *same* customer's demand, and summing over
customers (not over downstream stages) keeps that correlation.

Algorithms
----------
* ``"dp"``: the exact dynamic programme of Graves & Willems (2000) for
  spanning trees (and forests), as in Snyder & Shen (2019, chapter 6): stages are
  labelled so that each has one neighbour of higher label; stage :math:`k`
  computes :math:`f_k(S)` (its parent is downstream) or :math:`g_k(SI)` (its
  parent is upstream) over the integer grid, from

  .. math::

      c_k(S, SI) = h_k z \sigma_k \sqrt{SI + T_k - S}
        + \sum_{i \to k} \min_{x \le SI - L_{ik}} f_i(x)
        + \sum_{k \to d} \min_{y \ge S + L_{kd}} g_d(y).

* ``"lagrangian"``: general acyclic networks, proven to a gap. A source
  with several customers on undirected cycles (its :math:`SI` fixed) costs
  :math:`\max_k f_i(SI_k - L_{ik})` at an optimum (it quotes what all its
  customers wait for), a sink with several suppliers on cycles
  :math:`\max_j f_k(S_j + L_{jk})`; such a *star* is taken out of the network,
  and each of its edges gets a copy of its service time inside the
  neighbour, charged :math:`\lambda_c f_i` with :math:`\lambda` on the
  simplex (:math:`\max \ge` any weighted mean, so the bound keeps the square
  root's curvature). What is left keeps a maximum-weight spanning forest;
  every other edge :math:`(i, j)` gives stage :math:`j` a private copy
  :math:`S'_{ij}` of :math:`S_i` with :math:`SI_j \ge S'_{ij} + L_{ij}`. The
  copies' equalities are relaxed with multipliers (Lagrangian
  decomposition), the tree DP (compiled with numba) gives the bound for any
  multipliers, and projected subgradient steps maximise it. Policies come
  from the relaxed solutions made feasible (:math:`SI_j = \max_i S_i + L_{ij}`,
  :math:`S_j \le SI_j + T_j`) and a large-neighbourhood search that re-solves
  the DP exactly on a random spanning tree with every other edge fixed
  through a threshold :math:`S_i + L_e \le \theta_e \le SI_j`. While the gap
  is open, branch and bound splits the range of the service time whose
  copies disagree most (:mod:`.branch`), best bound first. The reported
  ``gap`` is proven: (policy cost − lowest open bound) / policy cost. On
  Willems' (2008) 38 industrial chains the bound alone leaves up to 0.7 %, and
  the branch and bound closes all 38 to 1e-4 in both review conventions,
  in 49 s (continuous) and 37 s (daily) for all 38 on one core
  (``benchmarks/bench_gsm_willems.py``).
* ``"milp"``: general acyclic networks, exact given time. The constraints are difference
  constraints (a totally unimodular matrix), so every vertex of the feasible
  polyhedron is integral, and a concave objective attains its minimum at a
  vertex: the integer GSM equals the continuous one. Each
  :math:`\sqrt{\tau_j}` is replaced by its piecewise-linear interpolant at a
  few integer breakpoints (incremental formulation, one binary per extra
  segment), which is :math:`\le \sqrt{\cdot}` everywhere and exact at the
  breakpoints. The MILP (SciPy's HiGHS) gives a lower bound (its dual bound);
  its solution, evaluated with the true :math:`\sqrt{\cdot}`, an upper bound;
  the net lead times of the solution are added as breakpoints and the MILP is
  solved again until the bounds meet or time runs out (the iterative
  refinement of Magnanti, Shen, Shu, Simchi-Levi & Teo 2006). The reported
  ``gap`` is the proven relative gap :math:`(UB - LB)/UB`. Exact and fast on
  small networks; on large ones the convex envelope (a chord) of each
  :math:`\sqrt{\cdot}` makes the relaxations weak and the branch and bound slow.
* ``"auto"``: ``"dp"`` on trees and forests, otherwise ``"lagrangian"``.

References
----------
S. C. Graves, S. P. Willems. Optimizing strategic safety stock placement in
supply chains. *Manufacturing & Service Operations Management* 2(1):68-83, 2000.

L. V. Snyder, Z.-J. M. Shen. *Fundamentals of Supply Chain Theory*, 2nd ed.,
Wiley, 2019, chapter 6.

T. L. Magnanti, Z.-J. M. Shen, J. Shu, D. Simchi-Levi, C.-P. Teo. Inventory
placement in acyclic supply chain networks. *Operations Research Letters*
34(2):228-238, 2006.
"""

from .dp import is_forest
from .problem import GSMEdge, GSMSolution, GSMStage, StageResult, propagate_demand
from .solver import DEFAULT_SERVICE_LEVEL, METHODS, solve_gsm
from .stages import network_stages, place_gsm

__all__ = [
    "DEFAULT_SERVICE_LEVEL",
    "METHODS",
    "GSMEdge",
    "GSMSolution",
    "GSMStage",
    "StageResult",
    "is_forest",
    "network_stages",
    "place_gsm",
    "propagate_demand",
    "solve_gsm",
]
