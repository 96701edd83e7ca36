"""What a supply network is: records, distributions, the graph and scenarios. No file I/O.

Everything the engine and the analyses need to know about a network comes
from here; the workbook reader (:mod:`jitrisk.workbook`) builds these objects
and is never needed to use them.
"""

from .records import BASELINE, Demand, Disruption, Lane, Network, Override, Settings, Site

__all__ = ["BASELINE", "Demand", "Disruption", "Lane", "Network", "Override", "Settings", "Site"]
