"""Adding, reconfiguring and tuning a watched plug, error paths included."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_DEVICE, CONF_HOST, CONF_MAC
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.device_registry import format_mac
import pytest

from custom_components.red_light_doctor.const import (
    CONF_GRACE_PERIOD,
    CONF_MODEL,
    CONF_POLL_INTERVAL,
    CONF_WEAK_SIGNAL_DBM,
    DOMAIN,
)
from simulator import SimulatedPlug, Simulator

from .conftest import watch


async def start(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "network"}
    )


async def submit(hass: HomeAssistant, flow_id: str, **data: Any) -> dict[str, Any]:
    return await hass.config_entries.flow.async_configure(flow_id, data)


async def test_a_discovered_plug_is_added_with_its_alias_and_mac(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    lamp = await simulator.add_plug(alias="Desk lamp")
    heater = await simulator.add_plug(alias="Heater", emeter=True)
    watched = await simulator.add_plug(alias="Already watched")
    await watch(hass, watched)

    result = await start(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "network"
    result = await submit(hass, result["flow_id"], host="")
    assert result["step_id"] == "pick_device"
    choices = result["data_schema"].schema[CONF_DEVICE].container
    # Compared by MAC: another simulator on the same machine may answer too.
    assert {format_mac(lamp.mac), format_mac(heater.mac)} <= set(choices)
    assert format_mac(watched.mac) not in choices
    assert choices[format_mac(heater.mac)] == f"Heater (HS110, {heater.host})"

    result = await submit(hass, result["flow_id"], device=format_mac(heater.mac))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Heater"
    assert result["result"].unique_id == format_mac(heater.mac)
    assert result["data"][CONF_HOST] == heater.host
    assert result["data"][CONF_MAC] == format_mac(heater.mac)
    assert result["data"][CONF_MODEL] == "HS110"


async def test_a_manual_host_is_added(hass: HomeAssistant, plug: SimulatedPlug) -> None:
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=f" {plug.host} ")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Desk lamp"


async def test_no_device_found_says_so_and_offers_a_host(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host="")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "network"
    assert result["errors"] == {"base": "no_devices_found"}


@pytest.mark.parametrize("host", ["not a host", "-bad-.example", "999.1.1.1", "1.2.3"])
async def test_an_invalid_host_is_refused_without_network(
    hass: HomeAssistant, host: str
) -> None:
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=host)
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_each_connection_failure_is_named(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    plug = await simulator.add_plug(alias="Faulty")
    result = await start(hass)
    flow_id = result["flow_id"]

    await plug.power_off()
    result = await submit(hass, flow_id, host=plug.host)
    assert result["errors"] == {"base": "cannot_connect"}
    assert result["description_placeholders"]["host"] == plug.host

    await plug.power_on()
    await plug.refuse(True)
    result = await submit(hass, flow_id, host=plug.host)
    assert result["errors"] == {"base": "connection_refused"}

    await plug.refuse(False)
    await plug.malformed(True)
    result = await submit(hass, flow_id, host=plug.host)
    assert result["errors"] == {"base": "not_kasa_device"}

    await plug.malformed(False)
    result = await submit(hass, flow_id, host=plug.host)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_a_device_that_is_not_a_plug_is_unsupported(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    bulb = await simulator.add_plug(alias="Bulb")
    bulb.profile = replace(bulb.profile, device_type="IOT.SMARTBULB")
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=bulb.host)
    assert result["errors"] == {"base": "unsupported_device"}
    assert result["description_placeholders"]["model"] == "HS100"


async def test_a_watched_plug_cannot_be_added_twice(
    hass: HomeAssistant, plug: SimulatedPlug
) -> None:
    await watch(hass, plug)
    result = await start(hass)
    result = await submit(hass, result["flow_id"], host=plug.host)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_reconfigure_follows_the_plug_to_a_new_address(
    hass: HomeAssistant, simulator: Simulator, plug: SimulatedPlug
) -> None:
    entry = await watch(hass, plug)
    other = await simulator.add_plug(alias="Other")
    old_host = plug.host
    new_host = await plug.move_to()

    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await submit(hass, result["flow_id"], host=old_host)
    assert result["errors"] == {"base": "connection_refused"}
    result = await submit(hass, result["flow_id"], host="bad host")
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    result = await submit(hass, result["flow_id"], host=other.host)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert entry.data[CONF_HOST] == old_host

    result = await entry.start_reconfigure_flow(hass)
    result = await submit(hass, result["flow_id"], host=new_host)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_HOST] == new_host


async def test_options_are_stored_as_whole_numbers(
    hass: HomeAssistant, plug: SimulatedPlug
) -> None:
    entry = await watch(hass, plug)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_POLL_INTERVAL: 60.0,
            CONF_GRACE_PERIOD: 10.0,
            CONF_WEAK_SIGNAL_DBM: -65.0,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_POLL_INTERVAL: 60,
        CONF_GRACE_PERIOD: 10,
        CONF_WEAK_SIGNAL_DBM: -65,
    }


async def test_options_out_of_range_are_rejected(
    hass: HomeAssistant, plug: SimulatedPlug
) -> None:
    from homeassistant.data_entry_flow import InvalidData

    entry = await watch(hass, plug)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {CONF_POLL_INTERVAL: 5, CONF_GRACE_PERIOD: 3, CONF_WEAK_SIGNAL_DBM: -70},
        )
    assert entry.options == {}
