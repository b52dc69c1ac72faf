"""Probes: the only code that talks to a device."""
