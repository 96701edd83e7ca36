"""Write the example workbooks: ``teaching.xlsx``, ``automotive.xlsx`` and ``broken.xlsx``.

Run from the repository root::

    .venv/bin/python examples/make_examples.py

The output is byte-for-byte reproducible (fixed zip and document timestamps),
so re-running it leaves git clean unless the examples really changed.

* ``teaching.xlsx``: six sites (two suppliers, an e-bike plant with a
  two-component bill of materials, a warehouse, two customers), one disruption,
  one scenario; every value carries a note explaining it. For a first lesson.
* ``automotive.xlsx``: an electric-vehicle assembly network written out by hand:
  80 sites over four supplier tiers in many countries, a vehicle plant with a
  14-component bill of materials and line-side buffers, a battery-pack plant and
  an e-drive plant, three DCs, five markets, thin buffers, a disruption profile
  and three named scenarios.
* ``broken.xlsx``: a workbook with one of each common mistake, for the
  validation demo (:data:`BROKEN_PROBLEMS` lists where each one is).
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
import sys
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
from openpyxl import Workbook
from openpyxl.comments import Comment

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from jitrisk.model.distributions import parse_distribution  # noqa: E402
from jitrisk.model.graph import build_graph  # noqa: E402
from jitrisk.model.records import (  # noqa: E402
    Demand,
    Disruption,
    Lane,
    Network,
    Override,
    Settings,
    Site,
)
from jitrisk.workbook.fileio import atomic_write_bytes  # noqa: E402
from jitrisk.workbook.template import new_workbook, put_value  # noqa: E402
from jitrisk.workbook.writer import network_workbook  # noqa: E402

HERE = Path(__file__).resolve().parent
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_STAMP = "2026-01-01T00:00:00Z"
AUTHOR = "jitrisk examples"


# =========================================================================== teaching

# fmt: off
TEACHING_NOTES: dict[tuple[str, str, str], str] = {
    ("Sites", "SUP-FRAME", "safety_stock_days"):
        "2 days of cover: the frame supplier keeps two days of the plant's usage on top of "
        "what covers its own 2-day production time.",
    ("Sites", "SUP-FRAME", "processing_days"):
        "A raw supplier (no lanes into it) needs 2 days to make a replenishment order.",
    ("Sites", "SUP-MOTOR", "region"):
        "Region CN: a regional disruption 'region:CN' would hit every site marked CN.",
    ("Sites", "SUP-MOTOR", "safety_stock_days"):
        "Stock at the motor supplier does not help while the supplier itself is down: "
        "compare with the line-side buffer at the plant (scenario motor-buffer).",
    ("Sites", "PLANT", "type"):
        "A plant builds one e-bike from one frame and one motor (its bill of materials is "
        "in the Lanes sheet). Missing either part stops the line.",
    ("Sites", "PLANT", "capacity_per_day"):
        "At most 130 e-bikes a day: about 30 % above the mean demand of 100 a day, so the "
        "plant can catch up after a disruption.",
    ("Sites", "DC", "safety_stock_days"):
        "Two days of demand as safety stock in the warehouse.",
    ("Sites", "SHOP-CITY", "type"):
        "Customers place demand and hold no stock, so their stock columns stay empty.",
    ("Lanes", "SUP-MOTOR", "lead_time_days"):
        "Sea freight from China: about 20 days, sometimes more or less (gamma, mean 20, "
        "sd 4). Sampled for every shipment.",
    ("Lanes", "SUP-MOTOR", "line_buffer_days"):
        "Line-side buffer: 2 days of motors next to the assembly line.",
    ("Lanes", "SUP-FRAME", "component"):
        "The component's name. Two lanes into the plant with the same component would be "
        "alternative sources (dual sourcing).",
    ("Lanes", "SUP-FRAME", "lead_time_days"):
        "A plain number is a fixed lead time: trucks from Poland take 2 days.",
    ("Demand", "SHOP-CITY", "daily_demand"):
        "Normal demand: 60 e-bikes a day on average, standard deviation 12.",
    ("Demand", "SHOP-ONLINE", "daily_demand"):
        "Poisson demand: many small independent orders, 40 a day on average.",
    ("Demand", "SHOP-CITY", "unit_price"):
        "Revenue per e-bike, used to price lost sales.",
    ("Disruptions", "SUP-MOTOR", "events_per_year"):
        "About two outages a year at the motor supplier.",
    ("Disruptions", "SUP-MOTOR", "duration_days"):
        "Each outage lasts 7 days on average; geometric means the supplier recovers with "
        "a 1-in-7 chance every day.",
    ("Scenarios", "motor-buffer", "value"):
        "What-if: keep 10 days of motors at the line instead of 2. Run the scenario and "
        "compare the customers' fill rate with the baseline.",
    ("Settings", "trials", "value"):
        "500 simulated years: quick for a lesson; use 2000 or more for decisions.",
}
# fmt: on


def teaching_network() -> Network:
    """Six sites: a frame and a motor supplier, an e-bike plant, a warehouse, two shops."""
    sites = (
        Site("SUP-FRAME", "supplier", "Frame supplier", "PL", 2.0, None, 2, None, 80.0),
        Site("SUP-MOTOR", "supplier", "Motor supplier", "CN", 3.0, None, 3, None, 150.0),
        Site("PLANT", "plant", "E-bike assembly", "DE", 1.0, None, 1, 130.0, 600.0),
        Site("DC", "dc", "Warehouse", "DE", 2.0, None, 0, None, 620.0),
        Site("SHOP-CITY", "customer", "City shops", "DE"),
        Site("SHOP-ONLINE", "customer", "Online shop", "DE"),
    )
    lanes = (
        Lane("SUP-FRAME", "PLANT", _d("2"), 1.0, 1.0, "frame", 1.0),
        Lane("SUP-MOTOR", "PLANT", _d("gamma(20, 4)"), 1.0, 1.0, "motor", 2.0),
        Lane("PLANT", "DC", _d("1"), component="DC"),
        Lane("DC", "SHOP-CITY", _d("1"), component="SHOP-CITY"),
        Lane("DC", "SHOP-ONLINE", _d("0"), component="SHOP-ONLINE"),
    )
    demand = (
        Demand("SHOP-CITY", _d("normal(60, 12)"), 1200.0),
        Demand("SHOP-ONLINE", _d("poisson(40)"), 1100.0),
    )
    disruptions = (
        Disruption("motor-outage", "SUP-MOTOR", "outage", 2 / 365, _d("geometric(7)"), 1.0),
    )
    overrides = (Override("motor-buffer", "lane:SUP-MOTOR->PLANT", "line_buffer_days", 10),)
    settings = Settings(days=365, trials=500, seed=42, warmup_days=30)
    return Network(sites, lanes, demand, disruptions, overrides, settings)


# =========================================================================== automotive

# id, type, name, region, safety_stock_days, processing_days, unit_value,
# capacity headroom over the mean flow (None = unlimited)
SiteRow = tuple[str, str, str, str, float, int, float, float | None]

AUTO_SITES: tuple[SiteRow, ...] = (
    # --- assembly and sub-assembly plants
    ("OEM-LEIPZIG", "plant", "EV assembly plant Leipzig", "DE", 1.0, 1, 31000, 1.15),
    ("BATT-WROCLAW", "plant", "Battery pack plant Wroclaw", "PL", 1.0, 1, 9000, 1.2),
    ("EDRIVE-MLADA", "plant", "E-drive plant Mlada Boleslav", "CZ", 1.0, 1, 3500, 1.2),
    # --- distribution and markets
    ("DC-BREMEN", "dc", "Vehicle hub Bremerhaven", "DE", 3.0, 0, 31500, None),
    ("DC-MUNICH", "dc", "Vehicle hub Munich", "DE", 2.5, 0, 31500, None),
    ("DC-LYON", "dc", "Vehicle hub Lyon", "FR", 3.0, 0, 31800, None),
    ("MKT-DE", "customer", "Dealers Germany", "DE", 0, 0, 0, None),
    ("MKT-FR", "customer", "Dealers France", "FR", 0, 0, 0, None),
    ("MKT-BNL", "customer", "Dealers Benelux", "BENELUX", 0, 0, 0, None),
    ("MKT-PL", "customer", "Dealers Poland", "PL", 0, 0, 0, None),
    ("MKT-NORDIC", "customer", "Dealers Nordics", "SE", 0, 0, 0, None),
    # --- tier 1: into the three plants
    ("T1-STAMP-ZWICKAU", "supplier", "Body panels stamping", "DE", 0.5, 1, 2200, 1.25),
    ("T1-SEATS-LEIPZIG", "supplier", "Seats (just in sequence)", "DE", 0.5, 1, 1400, 1.2),
    ("T1-HARNESS-PL", "supplier", "Wiring harness Poland", "PL", 1.5, 2, 650, 1.3),
    ("T1-HARNESS-MX", "supplier", "Wiring harness Mexico", "MX", 2.0, 2, 600, None),
    ("T1-COCKPIT-CZ", "supplier", "Cockpit modules", "CZ", 1.0, 1, 900, 1.25),
    ("T1-WHEELS-CZ", "supplier", "Wheel and tyre assembly CZ", "CZ", 1.0, 1, 180, 1.3),
    ("T1-WHEELS-PL", "supplier", "Wheel and tyre assembly PL", "PL", 1.0, 1, 175, 1.3),
    ("T1-GLASS-PL", "supplier", "Automotive glass", "PL", 1.5, 2, 350, 1.3),
    ("T1-LIGHTING-CZ", "supplier", "Headlamps", "CZ", 1.5, 1, 220, 1.3),
    ("T1-ECU-DE", "supplier", "Infotainment and body ECUs", "DE", 2.0, 2, 800, 1.25),
    ("T1-BRAKES-DE", "supplier", "Brake systems DE", "DE", 1.0, 1, 500, 1.3),
    ("T1-BRAKES-CZ", "supplier", "Brake systems CZ", "CZ", 1.0, 1, 480, 1.3),
    ("T1-HVAC-CZ", "supplier", "HVAC modules", "CZ", 1.0, 1, 400, 1.3),
    ("T1-PLASTICS-PL", "supplier", "Bumpers and trim", "PL", 1.0, 1, 150, 1.3),
    ("T1-STEERING-HU", "supplier", "Electric power steering", "HU", 1.5, 2, 450, 1.25),
    ("T1-CELLS-CN", "supplier", "Battery cell modules China", "CN", 3.0, 3, 600, None),
    ("T1-CELLS-PL", "supplier", "Battery cell modules Poland", "PL", 1.0, 2, 640, 1.5),
    ("T1-BMS-DE", "supplier", "Battery management systems", "DE", 2.0, 2, 350, 1.25),
    ("T1-HOUSING-CZ", "supplier", "Battery pack housings", "CZ", 1.0, 1, 420, 1.3),
    ("T1-COOLING-PL", "supplier", "Battery cooling plates", "PL", 1.0, 1, 160, 1.3),
    ("T1-MOTOR-CZ", "supplier", "Stators and rotors", "CZ", 1.0, 1, 900, 1.25),
    ("T1-INVERTER-DE", "supplier", "Traction inverters", "DE", 2.0, 2, 1100, 1.25),
    ("T1-GEARBOX-DE", "supplier", "Reduction gearboxes", "DE", 1.0, 1, 600, 1.25),
    ("T1-CASTING-CZ", "supplier", "Aluminium housings (cast)", "CZ", 1.0, 2, 250, 1.3),
    # --- tier 2
    ("T2-COIL-DE", "supplier", "Steel service centre", "DE", 2.0, 2, 200, None),
    ("T2-FOAM-PL", "supplier", "Seat foam", "PL", 1.5, 2, 60, None),
    ("T2-FABRIC-CN", "supplier", "Seat fabric", "CN", 3.0, 3, 25, None),
    ("T2-SEATFRAME-CZ", "supplier", "Seat frames", "CZ", 1.5, 2, 150, 1.3),
    ("T2-WIRE-PL", "supplier", "Copper wire Poland", "PL", 2.0, 2, 40, None),
    ("T2-WIRE-US", "supplier", "Copper wire USA", "US", 2.0, 2, 42, None),
    ("T2-CONNECTOR-DE", "supplier", "Connectors", "DE", 2.0, 2, 3, None),
    ("T2-MOULDING-CZ", "supplier", "Injection mouldings", "CZ", 1.5, 2, 45, None),
    ("T2-DISPLAY-TW", "supplier", "Displays", "TW", 3.0, 3, 180, None),
    ("T2-RIMS-PL", "supplier", "Alloy rims", "PL", 1.5, 2, 90, None),
    ("T2-TYRES-CZ", "supplier", "Tyres", "CZ", 2.0, 2, 70, 1.3),
    ("T2-FLOATGLASS-PL", "supplier", "Float glass", "PL", 2.0, 3, 60, None),
    ("T2-LED-CN", "supplier", "LED modules", "CN", 3.0, 3, 12, None),
    ("T2-MCU-MY", "supplier", "Microcontrollers Malaysia", "MY", 3.0, 3, 9, None),
    ("T2-MCU-US", "supplier", "Microcontrollers USA", "US", 3.0, 3, 11, None),
    ("T2-PCB-CN", "supplier", "Printed circuit boards", "CN", 3.0, 3, 20, None),
    ("T2-FORGE-CZ", "supplier", "Forgings", "CZ", 2.0, 2, 35, None),
    ("T2-COMPRESSOR-JP", "supplier", "Electric A/C compressors", "JP", 3.0, 3, 160, None),
    ("T2-ALU-CZ", "supplier", "Aluminium extrusions and alloy", "CZ", 2.0, 2, 30, None),
    ("T2-COMPOUND-DE", "supplier", "Plastic compounds", "DE", 2.0, 2, 8, None),
    ("T2-BEARING-DE", "supplier", "Bearings", "DE", 2.0, 2, 15, None),
    ("T2-CATHODE-CN", "supplier", "Cathode material China", "CN", 3.0, 4, 30, None),
    ("T2-CATHODE-PL", "supplier", "Cathode material Poland", "PL", 2.0, 4, 32, None),
    ("T2-ANODE-CN", "supplier", "Graphite anode material", "CN", 3.0, 4, 8, None),
    ("T2-SEPARATOR-JP", "supplier", "Separator film", "JP", 3.0, 3, 5, None),
    ("T2-MAGNET-CN", "supplier", "Rare-earth magnets", "CN", 3.0, 4, 60, None),
    ("T2-SIC-US", "supplier", "SiC power modules", "US", 3.0, 4, 150, 1.2),
    # --- tier 3
    ("T3-STEEL-DE", "supplier", "Steel mill Germany", "DE", 2.0, 3, 10, None),
    ("T3-STEEL-PL", "supplier", "Steel mill Poland", "PL", 2.0, 3, 9, None),
    ("T3-ALUSMELT-NO", "supplier", "Aluminium smelter", "NO", 2.0, 4, 3, None),
    ("T3-COPPER-PL", "supplier", "Copper rod", "PL", 2.0, 3, 9, None),
    ("T3-COPPER-CL", "supplier", "Copper cathode Chile", "CL", 3.0, 4, 8, None),
    ("T3-CHEM-DE", "supplier", "Chemicals (polyols, polymers)", "DE", 2.0, 3, 2, None),
    ("T3-RUBBER-TH", "supplier", "Natural rubber", "TH", 3.0, 5, 2, None),
    ("T3-FOUNDRY-TW", "supplier", "Semiconductor foundry", "TW", 2.0, 5, 4, 1.1),
    ("T3-SICWAFER-US", "supplier", "SiC substrates", "US", 2.0, 5, 50, None),
    ("T3-LITHIUM-CN", "supplier", "Lithium hydroxide refinery", "CN", 3.0, 5, 12, None),
    ("T3-NICKEL-ID", "supplier", "Nickel sulphate", "ID", 3.0, 5, 6, None),
    ("T3-GRAPHITE-CN", "supplier", "Graphite processing", "CN", 3.0, 5, 3, None),
    ("T3-REE-CN", "supplier", "Rare-earth oxides", "CN", 3.0, 5, 20, None),
    # --- tier 4 (raw)
    ("T4-ORE-BR", "supplier", "Iron ore Brazil", "BR", 3.0, 7, 0.5, None),
    ("T4-ORE-SE", "supplier", "Iron ore Sweden", "SE", 3.0, 7, 0.6, None),
    ("T4-WAFER-JP", "supplier", "Silicon wafers", "JP", 3.0, 6, 1, None),
    ("T4-SPODUMENE-AU", "supplier", "Spodumene concentrate", "AU", 3.0, 7, 1, None),
    ("T4-NAPHTHA-NL", "supplier", "Naphtha refinery", "NL", 2.0, 5, 0.5, None),
)

# from, to, lead_time_days, quantity_per_unit, share, component, line_buffer_days
LaneRow = tuple[str, str, str, float, float, str, float | None]

_OEM = "OEM-LEIPZIG"
AUTO_LANES: tuple[LaneRow, ...] = (
    # --- the vehicle's bill of materials: 14 components, line-side buffers at the plant
    ("BATT-WROCLAW", _OEM, "1", 1, 1, "battery-pack", 0.5),
    ("EDRIVE-MLADA", _OEM, "1", 1, 1, "e-drive", 0.5),
    ("T1-STAMP-ZWICKAU", _OEM, "0", 1, 1, "body-panels", 0.5),
    ("T1-SEATS-LEIPZIG", _OEM, "0", 1, 1, "seat-set", 0.5),
    ("T1-HARNESS-PL", _OEM, "triangular(1, 2, 4)", 1, 0.7, "wiring-harness", 2),
    ("T1-HARNESS-MX", _OEM, "gamma(32, 5)", 1, 0.3, "wiring-harness", 2),
    ("T1-COCKPIT-CZ", _OEM, "1", 1, 1, "cockpit", 0.5),
    ("T1-WHEELS-CZ", _OEM, "1", 4, 0.5, "wheel-tyre", 1),
    ("T1-WHEELS-PL", _OEM, "normal(2, 0.5)", 4, 0.5, "wheel-tyre", 1),
    ("T1-GLASS-PL", _OEM, "2", 1, 1, "glazing-set", 1),
    ("T1-LIGHTING-CZ", _OEM, "1", 2, 1, "headlamp", 1),
    ("T1-ECU-DE", _OEM, "1", 1, 1, "ecu-set", 1.5),
    ("T1-BRAKES-DE", _OEM, "1", 1, 0.6, "brake-system", 1),
    ("T1-BRAKES-CZ", _OEM, "1", 1, 0.4, "brake-system", 1),
    ("T1-HVAC-CZ", _OEM, "1", 1, 1, "hvac", 1),
    ("T1-PLASTICS-PL", _OEM, "2", 2, 1, "bumper", 1),
    ("T1-STEERING-HU", _OEM, "normal(2, 0.4)", 1, 1, "steering", 1),
    # --- battery pack plant
    ("T1-CELLS-CN", "BATT-WROCLAW", "gamma(38, 6)", 12, 0.9, "cell-module", 3),
    ("T1-CELLS-PL", "BATT-WROCLAW", "1", 12, 0.1, "cell-module", 3),
    ("T1-BMS-DE", "BATT-WROCLAW", "1", 1, 1, "bms", 1),
    ("T1-HOUSING-CZ", "BATT-WROCLAW", "1", 1, 1, "pack-housing", 1),
    ("T1-COOLING-PL", "BATT-WROCLAW", "0", 2, 1, "cooling-plate", 1),
    # --- e-drive plant
    ("T1-MOTOR-CZ", "EDRIVE-MLADA", "0", 1, 1, "stator-rotor", 1),
    ("T1-INVERTER-DE", "EDRIVE-MLADA", "1", 1, 1, "inverter", 1),
    ("T1-GEARBOX-DE", "EDRIVE-MLADA", "1", 1, 1, "gearbox", 1),
    ("T1-CASTING-CZ", "EDRIVE-MLADA", "0", 1, 1, "housing-casting", 1),
    # --- tier 2 -> tier 1
    ("T2-COIL-DE", "T1-STAMP-ZWICKAU", "1", 8, 1, "steel-coil", None),
    ("T2-FOAM-PL", "T1-SEATS-LEIPZIG", "1", 5, 1, "foam", None),
    ("T2-FABRIC-CN", "T1-SEATS-LEIPZIG", "lognormal(35, 6)", 6, 1, "fabric", None),
    ("T2-SEATFRAME-CZ", "T1-SEATS-LEIPZIG", "1", 5, 1, "seat-frame", None),
    ("T2-WIRE-PL", "T1-HARNESS-PL", "0", 4, 1, "wire", None),
    ("T2-CONNECTOR-DE", "T1-HARNESS-PL", "1", 40, 1, "connector", None),
    ("T2-WIRE-US", "T1-HARNESS-MX", "normal(5, 1)", 4, 1, "wire", None),
    ("T2-CONNECTOR-DE", "T1-HARNESS-MX", "gamma(30, 5)", 40, 1, "connector", None),
    ("T2-MOULDING-CZ", "T1-COCKPIT-CZ", "0", 6, 1, "moulding", None),
    ("T2-DISPLAY-TW", "T1-COCKPIT-CZ", "lognormal(14, 4)", 1, 1, "display", None),
    ("T2-RIMS-PL", "T1-WHEELS-CZ", "1", 1, 1, "rim", None),
    ("T2-TYRES-CZ", "T1-WHEELS-CZ", "0", 1, 1, "tyre", None),
    ("T2-RIMS-PL", "T1-WHEELS-PL", "0", 1, 1, "rim", None),
    ("T2-TYRES-CZ", "T1-WHEELS-PL", "1", 1, 1, "tyre", None),
    ("T2-FLOATGLASS-PL", "T1-GLASS-PL", "1", 4, 1, "float-glass", None),
    ("T2-LED-CN", "T1-LIGHTING-CZ", "gamma(34, 5)", 6, 1, "led", None),
    ("T2-MOULDING-CZ", "T1-LIGHTING-CZ", "1", 2, 1, "moulding", None),
    ("T2-MCU-MY", "T1-ECU-DE", "lognormal(12, 4)", 8, 0.7, "mcu", None),
    ("T2-MCU-US", "T1-ECU-DE", "uniform(4, 8)", 8, 0.3, "mcu", None),
    ("T2-PCB-CN", "T1-ECU-DE", "gamma(30, 5)", 3, 1, "pcb", None),
    ("T2-FORGE-CZ", "T1-BRAKES-DE", "1", 4, 1, "caliper-forging", None),
    ("T2-FORGE-CZ", "T1-BRAKES-CZ", "0", 4, 1, "caliper-forging", None),
    ("T2-COMPRESSOR-JP", "T1-HVAC-CZ", "gamma(36, 5)", 1, 1, "compressor", None),
    ("T2-ALU-CZ", "T1-HVAC-CZ", "0", 3, 1, "aluminium", None),
    ("T2-COMPOUND-DE", "T1-PLASTICS-PL", "2", 5, 1, "compound", None),
    ("T2-BEARING-DE", "T1-STEERING-HU", "2", 4, 1, "bearing", None),
    ("T2-MCU-MY", "T1-STEERING-HU", "lognormal(12, 4)", 2, 1, "mcu", None),
    ("T2-CATHODE-CN", "T1-CELLS-CN", "2", 10, 1, "cathode", None),
    ("T2-ANODE-CN", "T1-CELLS-CN", "2", 8, 1, "anode", None),
    ("T2-SEPARATOR-JP", "T1-CELLS-CN", "normal(7, 1.5)", 15, 1, "separator", None),
    ("T2-CATHODE-CN", "T1-CELLS-PL", "gamma(38, 6)", 10, 0.6, "cathode", None),
    ("T2-CATHODE-PL", "T1-CELLS-PL", "1", 10, 0.4, "cathode", None),
    ("T2-ANODE-CN", "T1-CELLS-PL", "gamma(38, 6)", 8, 1, "anode", None),
    ("T2-SEPARATOR-JP", "T1-CELLS-PL", "gamma(36, 5)", 15, 1, "separator", None),
    ("T2-MCU-MY", "T1-BMS-DE", "lognormal(12, 4)", 4, 1, "mcu", None),
    ("T2-PCB-CN", "T1-BMS-DE", "gamma(30, 5)", 2, 1, "pcb", None),
    ("T2-ALU-CZ", "T1-HOUSING-CZ", "1", 12, 1, "aluminium", None),
    ("T2-ALU-CZ", "T1-COOLING-PL", "1", 3, 1, "aluminium", None),
    ("T2-MAGNET-CN", "T1-MOTOR-CZ", "gamma(35, 6)", 2, 1, "magnet", None),
    ("T2-WIRE-PL", "T1-MOTOR-CZ", "1", 6, 1, "wire", None),
    ("T2-SIC-US", "T1-INVERTER-DE", "uniform(5, 9)", 1, 1, "power-module", None),
    ("T2-PCB-CN", "T1-INVERTER-DE", "gamma(30, 5)", 1, 1, "pcb", None),
    ("T2-FORGE-CZ", "T1-GEARBOX-DE", "1", 3, 1, "gear-forging", None),
    ("T2-BEARING-DE", "T1-GEARBOX-DE", "0", 4, 1, "bearing", None),
    ("T2-ALU-CZ", "T1-CASTING-CZ", "0", 6, 1, "aluminium", None),
    # --- tier 3 -> tier 2
    ("T3-STEEL-DE", "T2-COIL-DE", "1", 1, 0.6, "hot-coil", None),
    ("T3-STEEL-PL", "T2-COIL-DE", "2", 1, 0.4, "hot-coil", None),
    ("T3-STEEL-PL", "T2-SEATFRAME-CZ", "1", 2, 1, "steel-tube", None),
    ("T3-STEEL-DE", "T2-FORGE-CZ", "2", 1, 1, "bar-steel", None),
    ("T3-STEEL-DE", "T2-BEARING-DE", "1", 1, 1, "bearing-steel", None),
    ("T3-ALUSMELT-NO", "T2-RIMS-PL", "triangular(3, 4, 8)", 10, 1, "aluminium-ingot", None),
    ("T3-ALUSMELT-NO", "T2-ALU-CZ", "triangular(3, 4, 8)", 1, 1, "aluminium-ingot", None),
    ("T3-COPPER-PL", "T2-WIRE-PL", "1", 1, 1, "copper-rod", None),
    ("T3-COPPER-PL", "T2-CONNECTOR-DE", "2", 0.05, 1, "copper-strip", None),
    ("T3-COPPER-CL", "T2-WIRE-US", "gamma(25, 4)", 1, 1, "copper-cathode", None),
    ("T3-CHEM-DE", "T2-FOAM-PL", "2", 3, 1, "polyol", None),
    ("T3-CHEM-DE", "T2-COMPOUND-DE", "1", 1, 1, "polymer", None),
    ("T3-CHEM-DE", "T2-MOULDING-CZ", "2", 1, 1, "polymer", None),
    ("T3-CHEM-DE", "T2-TYRES-CZ", "2", 4, 1, "synthetic-rubber", None),
    ("T3-RUBBER-TH", "T2-TYRES-CZ", "lognormal(32, 6)", 3, 1, "natural-rubber", None),
    ("T3-FOUNDRY-TW", "T2-MCU-MY", "normal(5, 1)", 1, 1, "die", None),
    ("T3-FOUNDRY-TW", "T2-MCU-US", "normal(6, 1.5)", 1, 1, "die", None),
    ("T3-FOUNDRY-TW", "T2-DISPLAY-TW", "1", 2, 1, "driver-ic", None),
    ("T3-FOUNDRY-TW", "T2-PCB-CN", "normal(4, 1)", 3, 1, "chip", None),
    ("T3-SICWAFER-US", "T2-SIC-US", "2", 1, 1, "sic-substrate", None),
    ("T3-LITHIUM-CN", "T2-CATHODE-CN", "2", 1, 1, "lithium-hydroxide", None),
    ("T3-LITHIUM-CN", "T2-CATHODE-PL", "gamma(38, 6)", 1, 1, "lithium-hydroxide", None),
    ("T3-NICKEL-ID", "T2-CATHODE-CN", "normal(12, 2)", 2, 1, "nickel-sulphate", None),
    ("T3-NICKEL-ID", "T2-CATHODE-PL", "gamma(40, 6)", 2, 1, "nickel-sulphate", None),
    ("T3-GRAPHITE-CN", "T2-ANODE-CN", "2", 1, 1, "graphite", None),
    ("T3-REE-CN", "T2-MAGNET-CN", "3", 1, 1, "rare-earth-oxide", None),
    # --- tier 4 -> tier 3
    ("T4-ORE-BR", "T3-STEEL-DE", "gamma(24, 4)", 2, 0.6, "iron-ore", None),
    ("T4-ORE-SE", "T3-STEEL-DE", "5", 2, 0.4, "iron-ore", None),
    ("T4-ORE-BR", "T3-STEEL-PL", "gamma(26, 4)", 2, 1, "iron-ore", None),
    ("T4-WAFER-JP", "T3-FOUNDRY-TW", "normal(4, 1)", 0.01, 1, "wafer", None),
    ("T4-SPODUMENE-AU", "T3-LITHIUM-CN", "gamma(18, 3)", 8, 1, "spodumene", None),
    ("T4-NAPHTHA-NL", "T3-CHEM-DE", "2", 1.5, 1, "naphtha", None),
    # --- distribution
    (_OEM, "DC-BREMEN", "2", 1, 1, "", None),
    (_OEM, "DC-MUNICH", "1", 1, 1, "", None),
    (_OEM, "DC-LYON", "normal(3, 0.5)", 1, 1, "", None),
    ("DC-BREMEN", "MKT-DE", "1", 1, 0.5, "", None),
    ("DC-MUNICH", "MKT-DE", "1", 1, 0.5, "", None),
    ("DC-BREMEN", "MKT-BNL", "2", 1, 1, "", None),
    ("DC-BREMEN", "MKT-NORDIC", "triangular(2, 3, 6)", 1, 1, "", None),
    ("DC-MUNICH", "MKT-PL", "2", 1, 1, "", None),
    ("DC-LYON", "MKT-FR", "1", 1, 1, "", None),
)

# customer, daily_demand, unit_price
AUTO_DEMAND: tuple[tuple[str, str, float], ...] = (
    ("MKT-DE", "normal(300, 55)", 48000),
    ("MKT-FR", "normal(160, 35)", 46500),
    ("MKT-BNL", "normal(110, 25)", 47000),
    ("MKT-PL", "normal(90, 22)", 44000),
    ("MKT-NORDIC", "normal(70, 18)", 52000),
)

# disruption_id, scope, kind, events_per_year, duration_days, severity, start_day, scenario
DisruptionRow = tuple[str, str, str, float, str, float, int | None, str]
AUTO_DISRUPTIONS: tuple[DisruptionRow, ...] = (
    ("foundry-outage", "T3-FOUNDRY-TW", "outage", 0.2, "geometric(21)", 1, None, ""),
    ("cells-cn-outage", "T1-CELLS-CN", "outage", 0.5, "geometric(10)", 1, None, ""),
    ("harness-pl-fire", "T1-HARNESS-PL", "outage", 0.5, "geometric(6)", 1, None, ""),
    ("seats-strike", "T1-SEATS-LEIPZIG", "outage", 1, "geometric(2)", 1, None, ""),
    ("magnet-outage", "T2-MAGNET-CN", "outage", 0.3, "geometric(14)", 1, None, ""),
    ("tyres-outage", "T2-TYRES-CZ", "outage", 0.3, "geometric(7)", 1, None, ""),
    ("stamping-press", "T1-STAMP-ZWICKAU", "outage", 1.5, "geometric(3)", 1, None, ""),
    ("oem-line-stops", _OEM, "capacity", 4, "geometric(2)", 0.3, None, ""),
    ("cn-port-closure", "region:CN", "delay", 0.3, "geometric(14)", 10, None, ""),
    ("tw-earthquake", "region:TW", "outage", 0.1, "geometric(20)", 1, None, ""),
    ("red-sea-diversion", "lane:T1-CELLS-CN->BATT-WROCLAW", "delay", 0.3, "geometric(30)", 12,
     None, ""),
    ("de-incentive-boom", "MKT-DE", "demand", 1, "geometric(14)", 1.3, None, ""),
    # scripted stress test: only in the scenario taiwan-strait
    ("ts-tw-blockade", "region:TW", "outage", 0, "90", 1, 60, "taiwan-strait"),
    ("ts-cn-shipping", "region:CN", "delay", 0, "120", 21, 60, "taiwan-strait"),
)  # fmt: skip

TIER1_BUFFER_DAYS = 5
# capacity above mean flow that lets a site work off a backlog after an outage
MIN_HEADROOM = 1.3
TIGHT_CAPACITY: set[str] = set()  # sites kept at their stated headroom
DISTRIBUTION_SITES = {
    "DC-BREMEN",
    "DC-MUNICH",
    "DC-LYON",
    "MKT-DE",
    "MKT-FR",
    "MKT-BNL",
    "MKT-PL",
    "MKT-NORDIC",
}

# fmt: off
AUTOMOTIVE_NOTES: dict[tuple[str, str, str], str] = {
    ("Sites", "OEM-LEIPZIG", "capacity_per_day"):
        "30 % above the mean demand of the five markets (730 vehicles a day).",
    ("Sites", "T1-SEATS-LEIPZIG", "safety_stock_days"):
        "Seats are built just in sequence next door: half a day of cover.",
    ("Sites", "T3-FOUNDRY-TW", "capacity_per_day"):
        "30 % headroom: enough to work off a backlog, slowly.",
    ("Lanes", "T1-HARNESS-PL", "share"):
        "Wiring harnesses are dual-sourced: 70 % from Poland, 30 % by sea from Mexico.",
    ("Lanes", "T1-CELLS-CN", "share"):
        "90 % of the battery cells come by sea from China; the Polish source makes 10 % "
        "(scenario dual-source-battery moves to 50/50).",
    ("Disruptions", "T3-FOUNDRY-TW", "events_per_year"):
        "A foundry outage every five years or so, lasting three weeks on average.",
    ("Disruptions", "lane:T1-CELLS-CN->BATT-WROCLAW", "severity"):
        "12 extra days at sea while ships avoid the Red Sea.",
    ("Disruptions", "region:CN", "severity"):
        "Port closure: 10 extra days on every shipment leaving China.",
    ("Scenarios", "dual-source-battery", "value"):
        "Cells half from China, half from Poland; the Polish plant ramps up capacity.",
    ("Scenarios", "buffer-up-tier1", "value"):
        "Every tier-1 supplier keeps 5 days of cover instead of 0.5-3.",
}
# fmt: on


def automotive_network() -> Network:
    """The EV assembly network of ``automotive.xlsx``, built from the tables above."""
    lanes = _same_buffer_for_alternatives(tuple(_auto_lane(row) for row in AUTO_LANES))
    demand = tuple(Demand(c, _d(dist), float(price)) for c, dist, price in AUTO_DEMAND)
    flow = mean_flow(lanes, demand)
    sites = tuple(_auto_site(row, flow) for row in AUTO_SITES)
    disruptions = tuple(
        Disruption(did, scope, kind, per_year / 365.0, _d(dur), float(sev), start, scen)
        for did, scope, kind, per_year, dur, sev, start, scen in AUTO_DISRUPTIONS
    )
    net = Network(sites, lanes, demand, disruptions, (), Settings(365, 2000, 42, warmup_days=30))
    return Network(sites, lanes, demand, disruptions, _auto_overrides(net, flow), net.settings)


def _auto_site(row: SiteRow, flow: Mapping[str, float]) -> Site:
    sid, stype, name, region, ss, proc, value, headroom = row
    if stype == "customer":
        return Site(sid, stype, name, region)
    if headroom is not None and sid not in TIGHT_CAPACITY:
        headroom = max(headroom, MIN_HEADROOM)
    capacity = None if headroom is None else _round_up(flow[sid] * headroom)
    return Site(sid, stype, name, region, float(ss), None, proc, capacity, float(value))


def _auto_lane(row: LaneRow) -> Lane:
    src, dst, lead, qpu, share, comp, buffer = row
    dist = _d(lead)
    if buffer is None and dst not in DISTRIBUTION_SITES:
        # suppliers' own line-side stock: what a planner would hold against the lane's
        # lead-time spread (about 1.65 sd of the lead time, one to three days: thin, JIT)
        buffer = min(3.0, max(1.0, math.ceil(1.65 * dist.std)))
    buf = None if buffer is None else float(buffer)
    return Lane(src, dst, dist, float(qpu), float(share), comp or dst, buf)


def _same_buffer_for_alternatives(lanes: tuple[Lane, ...]) -> tuple[Lane, ...]:
    """Alternative sources of one component share one line-side buffer: use the largest."""
    best: dict[tuple[str, str], float] = {}
    for lane in lanes:
        if lane.line_buffer_days is not None:
            key = (lane.target, lane.component)
            best[key] = max(best.get(key, 0.0), lane.line_buffer_days)
    return tuple(
        dataclasses.replace(lane, line_buffer_days=best[(lane.target, lane.component)])
        if (lane.target, lane.component) in best
        else lane
        for lane in lanes
    )


#: What the second battery-cell source costs a year (a higher unit price from the
#: Polish plant and its qualification), so the scenario is priced like a buffer.
DUAL_SOURCE_COST = 4_000_000


def _auto_overrides(net: Network, flow: Mapping[str, float]) -> tuple[Override, ...]:
    """The three named what-ifs of the Scenarios sheet."""
    cells_pl = "T1-CELLS-PL"
    ramped = _round_up(flow["BATT-WROCLAW"] * 12 * 0.5 * 1.3)
    overrides = [
        Override("dual-source-battery", "lane:T1-CELLS-CN->BATT-WROCLAW", "share", 0.5),
        Override("dual-source-battery", "lane:T1-CELLS-PL->BATT-WROCLAW", "share", 0.5),
        Override("dual-source-battery", cells_pl, "capacity_per_day", ramped),
        Override("dual-source-battery", "scenario", "cost_per_year", DUAL_SOURCE_COST),
    ]
    g = build_graph(net)
    tier1 = [n for n in g if g.nodes[n]["type"] == "supplier" and g.nodes[n]["tier"] == 1]
    overrides += [
        Override("buffer-up-tier1", sid, "safety_stock_days", TIER1_BUFFER_DAYS) for sid in tier1
    ]
    return tuple(overrides)


def mean_flow(lanes: Sequence[Lane], demand: Sequence[Demand]) -> dict[str, float]:
    """Mean daily units through each site: demand pushed upstream along shares and BOMs."""
    g = nx.DiGraph()
    for lane in lanes:
        g.add_edge(lane.source, lane.target, lane=lane)
    flow: dict[str, float] = defaultdict(float)
    for d in demand:
        flow[d.site_id] = d.daily_demand.mean
    for node in reversed(list(nx.topological_sort(g))):
        for src, _dst, data in g.in_edges(node, data=True):
            lane = data["lane"]
            flow[src] += flow[node] * lane.share * lane.quantity_per_unit
    return dict(flow)


def _round_up(x: float) -> float:
    """Round a capacity up to two significant figures' worth of tens."""
    step = 10 ** max(0, math.floor(math.log10(max(x, 1))) - 1)
    return float(math.ceil(x / step) * step)


# =========================================================================== broken

BROKEN_ROWS: dict[str, list[list[Any]]] = {
    "Sites": [
        ["SUP-BRAKES", "supplier", "Brake supplier", "CZ", 2, None, 1, None, 50],
        ["SUP-SEATS", "supplier", "Seat supplier", "DE", 1, None, 1, None, 80],
        ["SUP-SEATS2", "supplier", "Second seat supplier", "PL", 1, None, 1, None, 85],
        ["PLANT", "plant", "Assembly plant", "DE", 1, None, 1, 500, 400],
        ["DC", "dc", "Warehouse", "DE", 2, None, None, None, 410],
        ["CUST", "customer", "Dealers", "DE"],
        ["SUP-SEATS", "supplier", "Seat supplier (pasted twice)", "DE", 1, None, 1, None, 80],
        ["PAINT-SHOP", "plant", "Paint shop", "DE", 1, None, 1, None, 30],
        ["SUP-GLASS", "warehouse", "Glass supplier", "PL", 1, None, 1, None, 40],
        ["LOOP-A", "supplier", "Trim supplier A", "CZ", 1, None, 1, None, 10],
        ["LOOP-B", "supplier", "Trim supplier B", "CZ", 1, None, 1, None, 12],
        ["SUP-TYRES", "supplier", "Tyre supplier", "CZ", 1, None, 1, None, 60],
        ["SUP-MIRRORS", "supplier", "Mirror supplier", "HU", 1, None, 1, None, 25],
    ],
    "Lanes": [
        ["SUP-BRAKE", "PLANT", 2, 1, 1, "brakes"],
        ["SUP-SEATS", "PLANT", 1, 1, 0.5, "seats"],
        ["SUP-SEATS2", "PLANT", 2, 1, 0.4, "seats"],
        ["PAINT-SHOP", "PLANT", 0, 1, 1, "paint"],
        ["LOOP-A", "LOOP-B", 1, 1, 1, "trim-part"],
        ["LOOP-B", "LOOP-A", 1, 1, 1, "trim-part"],
        ["LOOP-B", "PLANT", 1, 1, 1, "trim"],
        ["SUP-TYRES", "PLANT", -2, 4, 1, "tyres"],
        ["SUP-MIRRORS", "PLANT", None, 2, 1, "mirrors"],
        ["PLANT", "DC", 1],
        ["DC", "CUST", 1],
    ],
    "Demand": [
        ["CUST", "norml(5,1)", 30000],
    ],
    "Disruptions": [
        ["SUP-SEATS", "outage", None, 2, "geometric(5)", None, None, None, "seat-outage"],
    ],
}

BROKEN_SETTINGS = {"unmet_demand": "backlog"}

#: Each intended mistake of ``broken.xlsx``: (sheet, cells where it may be reported,
#: words of the message). The cycle is reported on one of its two lanes.
BROKEN_PROBLEMS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Sites", ("A8",), "duplicate site_id 'SUP-SEATS'"),
    ("Sites", ("B9",), "plant 'PAINT-SHOP' has no components"),
    ("Sites", ("B10",), "'warehouse' is not one of supplier, plant, dc, customer"),
    ("Lanes", ("A2",), "unknown site 'SUP-BRAKE' (did you mean 'SUP-BRAKES'?)"),
    ("Lanes", ("E3",), "sum to 0.9, not 1"),
    ("Lanes", ("C9",), "negative mean"),
    ("Lanes", ("C10",), "lead_time_days is required"),
    ("Lanes", ("6:6", "7:7"), "material flows in a cycle"),
    ("Demand", ("B2",), "unknown distribution 'norml' (did you mean 'normal'?)"),
    ("Settings", ("B5",), "'backlog' is not one of backorder, lost (did you mean 'backorder'?)"),
)


def broken_workbook() -> Workbook:
    """The template layout holding :data:`BROKEN_ROWS` cell for cell."""
    wb = new_workbook(BROKEN_SETTINGS)
    for name, rows in BROKEN_ROWS.items():
        ws = wb[name]
        for i, row in enumerate(rows, start=2):
            for j, value in enumerate(row, start=1):
                if value is not None:
                    put_value(ws.cell(row=i, column=j), value)
    return wb


# =========================================================================== writing


def annotate(wb: Workbook, notes: Mapping[tuple[str, str, str], str]) -> None:
    """Attach notes to cells found by (sheet, value in column A, column header)."""
    for (sheet, key, column), text in notes.items():
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        j = header.index(column) + 1
        rows = [c.row for c in ws["A"] if c.value == key]
        if not rows:
            raise KeyError(f"{sheet}: no row with {key!r} in column A")
        note = Comment(text, AUTHOR)
        note.width, note.height = 300, 120
        ws.cell(row=rows[0], column=j).comment = note


def reproducible_bytes(wb: Workbook) -> bytes:
    """The saved workbook with fixed zip and document timestamps (same input, same bytes)."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fix_core_dates(data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)
    return out.getvalue()


def _fix_core_dates(xml: bytes) -> bytes:
    text = xml.decode("utf-8")
    for tag in ("created", "modified"):
        text = re.sub(
            rf"(<dcterms:{tag}[^>]*>)[^<]*(</dcterms:{tag}>)", rf"\g<1>{FIXED_STAMP}\g<2>", text
        )
    return text.encode("utf-8")


def write_examples(folder: Path = HERE) -> list[Path]:
    """Write the three example workbooks into ``folder``; return their paths."""
    teaching = network_workbook(teaching_network())
    annotate(teaching, TEACHING_NOTES)
    automotive = network_workbook(automotive_network())
    annotate(automotive, AUTOMOTIVE_NOTES)
    books = {
        "teaching.xlsx": teaching,
        "automotive.xlsx": automotive,
        "broken.xlsx": broken_workbook(),
    }
    paths = []
    for name, wb in books.items():
        wb.properties.creator = AUTHOR
        paths.append(atomic_write_bytes(folder / name, reproducible_bytes(wb)))
    return paths


def _d(text: str) -> Any:
    return parse_distribution(text)


def main(argv: Iterable[str] | None = None) -> int:
    """Command line: ``make_examples.py [FOLDER]`` (default: this script's folder)."""
    args = list(sys.argv[1:] if argv is None else argv)
    folder = Path(args[0]) if args else HERE
    for path in write_examples(folder):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
