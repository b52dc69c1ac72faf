"""Turns a device's history into findings: pure, deterministic, no Home Assistant."""

from .model import (
    Cause,
    Explanation,
    Family,
    Finding,
    Fix,
    FleetSnapshot,
    Settings,
    Severity,
    Step,
)
from .rules import diagnose, format_duration

__all__ = [
    "Cause",
    "Explanation",
    "Family",
    "Finding",
    "Fix",
    "FleetSnapshot",
    "Settings",
    "Severity",
    "Step",
    "diagnose",
    "format_duration",
]
