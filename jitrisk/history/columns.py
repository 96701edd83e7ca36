"""The columns of a delivery history: their keys, and which header means which.

A history has one row per order line or delivery. Keys (the ``--columns`` and
JSON contract of issue 19):

=====================  ========  ===============================================
key                    required  meaning
=====================  ========  ===============================================
``supplier``           yes       the shipping supplier: a site's ``site_id`` or ``name``
``to``                 no        the receiving site (else every lane of the supplier)
``ordered``            yes       the order (PO) date
``promised``           no        the scheduled / promised delivery date
``delivered``          yes       the delivery date (blank: not delivered yet)
``quantity_ordered``   no        units ordered
``quantity_delivered`` no        units delivered (in full: >= ordered)
``status``             no        line status; cancelled lines are left out
=====================  ========  ===============================================

Headers are matched case- and punctuation-insensitively against the names
planners' ERP exports use (:data:`SYNONYMS`); ``--columns KEY=HEADER,...``
overrides the guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..errors import JitriskError

KEYS = (
    "supplier",
    "to",
    "ordered",
    "promised",
    "delivered",
    "quantity_ordered",
    "quantity_delivered",
    "status",
)
REQUIRED = ("supplier", "ordered", "delivered")
DATE_KEYS = ("ordered", "promised", "delivered")
NUMBER_KEYS = ("quantity_ordered", "quantity_delivered")

#: Header names (normalised: lower case, letters and digits only) for each key, best first.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "supplier": ("supplier", "vendor", "vendorname", "suppliername", "supplierid", "vendorid",
                 "shipfrom", "from", "source"),
    "to": ("to", "shipto", "destination", "receiver", "receivingsite", "plant", "site"),
    "ordered": ("ordered", "orderdate", "podate", "posenttovendordate", "podatesent",
                "orderplaced", "ordercreated", "purchaseorderdate"),
    "promised": ("promised", "promiseddate", "scheduleddeliverydate", "scheduleddate",
                 "duedate", "requesteddate", "confirmeddate", "promisedate"),
    "delivered": ("delivered", "deliverydate", "deliveredtoclientdate", "receiptdate",
                  "receiveddate", "grdate", "goodsreceiptdate", "actualdeliverydate"),
    "quantity_ordered": ("quantityordered", "orderedquantity", "orderqty", "lineitemquantity",
                         "quantity", "qty", "qtyordered"),
    "quantity_delivered": ("quantitydelivered", "deliveredquantity", "receivedquantity",
                           "qtydelivered", "qtyreceived"),
    "status": ("status", "linestatus", "orderstatus"),
}  # fmt: skip


def normalise(header: object) -> str:
    """``"PO Sent to Vendor Date"`` -> ``"posenttovendordate"``."""
    return re.sub(r"[^a-z0-9]", "", str(header or "").lower())


def guess_columns(headers: Iterable[object]) -> dict[str, str]:
    """Key -> header, for every key whose header is found (each header used once)."""
    by_norm: dict[str, str] = {}
    for h in headers:
        text = str(h or "").strip()
        if text and normalise(text) not in by_norm:
            by_norm[normalise(text)] = text
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in KEYS:
        for name in SYNONYMS[key]:
            header = by_norm.get(name)
            if header is not None and header not in used:
                out[key] = header
                used.add(header)
                break
    return out


def parse_columns_option(text: str) -> dict[str, str]:
    """``"supplier=Vendor,ordered=PO Sent to Vendor Date"`` -> a key -> header mapping.

    Raises :class:`JitriskError` for an unknown key or a part without ``=``.
    """
    out: dict[str, str] = {}
    for part in (p for p in text.split(",") if p.strip()):
        key, sep, header = part.partition("=")
        key = key.strip()
        if not sep or not header.strip():
            raise JitriskError(f"--columns: {part.strip()!r} is not KEY=HEADER")
        if key not in KEYS:
            raise JitriskError(f"--columns: unknown key {key!r}; keys are {', '.join(KEYS)}")
        out[key] = header.strip()
    return out


def resolve_columns(
    headers: Iterable[object], given: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The guessed mapping with ``given`` on top; raises :class:`JitriskError` when a
    given header is not in the file or a required key has no column."""
    present = [str(h or "").strip() for h in headers]
    mapping = guess_columns(present)
    for key, header in (given or {}).items():
        match = next((h for h in present if h == header), None)
        match = match or next((h for h in present if normalise(h) == normalise(header)), None)
        if match is None:
            raise JitriskError(f"--columns: the file has no column {header!r} (for {key})")
        mapping[key] = match
    missing = [k for k in REQUIRED if k not in mapping]
    if missing:
        raise JitriskError(
            f"no column for {', '.join(missing)}: name it with --columns "
            f"{missing[0]}=HEADER (the file's columns: {', '.join(present[:12])})"
        )
    return mapping
