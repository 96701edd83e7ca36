"""Analyses built on the network model: safety-stock placement, risk, buffer sweeps."""
