"""Asks for a new login when a device refuses the saved one, as Home Assistant does."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant, callback

from .coordinator import DeviceStatus, RedLightDoctorConfigEntry
from .diagnosis import Cause


@callback
def async_follow_login(
    hass: HomeAssistant, entry: RedLightDoctorConfigEntry, status: DeviceStatus
) -> None:
    """Start a reauth flow when the login is refused; end it once a login works.

    The login may be mended from the repair card instead: the reauth flow
    left waiting would then ask for something already done.
    """
    if any(finding.cause is Cause.LOGIN_REFUSED for finding in status.opened):
        entry.async_start_reauth(hass)
    elif any(finding.cause is Cause.LOGIN_REFUSED for finding in status.closed):
        for flow in entry.async_get_active_flows(hass, {SOURCE_REAUTH}):
            hass.config_entries.flow.async_abort(flow["flow_id"])
