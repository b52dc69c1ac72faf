"""What changed in Home Assistant 2025.10 to 2026.11, checked on every release we test.

Each test would have caught one of the breaks the newer releases brought:
device pages and triggers of watched devices, devices that the registry
split, uptime sensors, and fix-flow work that outlived its entry.
"""

from __future__ import annotations

import asyncio

import attr
from freezegun.api import TickingDateTimeFactory
from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.const import STATE_OFF
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
    async_mock_service,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.red_light_doctor.compat import (
    CHILD_DEVICES,
    RUNNING,
    SINGLE_ENTRY_DEVICES,
)
from custom_components.red_light_doctor.const import (
    CONF_DEVICE_ID,
    CONF_FAMILY,
    CONF_MAKER,
    CONF_MODEL,
    CONF_SOURCE_KIND,
    DOMAIN,
    SOURCE_HA_DEVICE,
)
from simulator import SimulatedPlug, Simulator

from .conftest import watch
from .foreign_devices import (
    ForeignDevice,
    add_blink_camera,
    add_blink_sync_module,
    add_esphome_outlet,
    add_other_brand_plug,
    add_tplink_plug,
    set_state,
)
from .test_repairs import FED_BY_SWITCH, FEEDING_SWITCH, RepairsClient, card, go_dark
from .test_watched_devices import go_dark as unplug, ours, wait, watch_device

OUR_TRIGGERS = ("problem_detected", "problem_cleared", "went_offline", "came_online")


def page_of_problem_sensor(registry: er.EntityRegistry, watched: str) -> str | None:
    """Return the device page our Problem sensor for a watched device sits on."""
    entity_id = registry.async_get_entity_id(
        "binary_sensor", DOMAIN, f"{watched}_problem"
    )
    assert entity_id is not None
    entity = registry.async_get(entity_id)
    assert entity is not None
    return entity.device_id


@pytest.fixture
async def camera(hass: HomeAssistant) -> ForeignDevice:
    """A Blink camera behind its sync module, as the Blink integration adds it."""
    sync = await add_blink_sync_module(hass, "Home")
    return await add_blink_camera(hass, "Front door", sync, wifi_strength=-55)


async def test_a_watched_device_offers_triggers_that_fire(
    hass: HomeAssistant, freezer: TickingDateTimeFactory, camera: ForeignDevice
) -> None:
    entry = await watch_device(hass, camera)
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, camera.device_id
    )
    offered = {(t["domain"], t["type"], t.get("entity_id")) for t in triggers}
    if RUNNING < SINGLE_ENTRY_DEVICES:
        assert {(DOMAIN, kind, None) for kind in OUR_TRIGGERS} <= offered
    else:
        # The editor asks only the device's own integration and the domains
        # of the entities on its page: our problem sensor's triggers stand in.
        registry = er.async_get(hass)
        problem = registry.async_get_entity_id(
            "binary_sensor", DOMAIN, f"{entry.unique_id}_problem"
        )
        assert problem is not None
        problem_id = registry.async_get(problem).id  # type: ignore[union-attr]
        assert {
            ("binary_sensor", "problem", problem_id),
            ("binary_sensor", "no_problem", problem_id),
        } <= offered
    # Our own triggers fire for the watched device on every release.
    calls = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "triggers": [
                    {
                        "trigger": "device",
                        "domain": DOMAIN,
                        "device_id": camera.device_id,
                        "type": "went_offline",
                    }
                ],
                "actions": [{"action": "test.automation"}],
            }
        },
    )
    unplug(hass, camera)
    await wait(hass, freezer, 5)
    assert len(calls) == 1


async def test_an_uptime_sensor_counts_restarts(
    hass: HomeAssistant, freezer: TickingDateTimeFactory
) -> None:
    plug = await add_other_brand_plug(hass, "Fridge", enable={"uptime"})
    entry = await watch_device(hass, plug)
    assert ours(hass, entry, "sensor", "reboots") == "0"

    # It reports a later start time while its relay stayed on: it restarted.
    set_state(hass, plug, "uptime", dt_util.utcnow().isoformat())
    await wait(hass, freezer, 1)
    assert ours(hass, entry, "sensor", "reboots") == "1"


@pytest.mark.skipif(
    RUNNING < SINGLE_ENTRY_DEVICES,
    reason="only releases with single-entry devices split shared devices",
)
async def test_an_entry_follows_its_device_that_the_registry_split(
    hass: HomeAssistant,
    camera: ForeignDevice,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    # Before 2026.8 the camera and our entities shared one device, whose id
    # the entry keeps; the registry's migration gave the camera's integration
    # and our entry a copy each, with new ids, naming the old one.
    old_id = "0123456789abcdef0123456789abcdef"
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Front door",
        unique_id=old_id,
        data={
            CONF_SOURCE_KIND: SOURCE_HA_DEVICE,
            CONF_DEVICE_ID: old_id,
            CONF_FAMILY: "blink_camera",
            CONF_MAKER: "Blink",
            CONF_MODEL: "Camera",
        },
    )
    entry.add_to_hass(hass)
    ours_copy = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "split-copy")}
    )
    # The registry has no public way to write what only its migration writes.
    devices = device_registry._devices
    for device_id in (camera.device_id, ours_copy.id):
        devices[device_id] = attr.evolve(devices[device_id], composite_device_id=old_id)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.data[CONF_DEVICE_ID] == camera.device_id
    assert entry.unique_id == camera.device_id
    assert page_of_problem_sensor(entity_registry, camera.device_id) == (
        camera.device_id
    )
    # Our empty copy is gone: the camera has one page.
    assert device_registry.async_get(ours_copy.id) is None


async def test_fix_work_ends_with_its_entry(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    simulator_plug_fed_by_switch: SimulatedPlug,
    hass_client: ClientSessionGenerator,
    issue_registry: ir.IssueRegistry,
) -> None:
    plug = simulator_plug_fed_by_switch
    assert await async_setup_component(hass, "repairs", {})
    repairs = RepairsClient(hass, hass_client)
    released = asyncio.Event()

    async def switch_that_never_answers(call: ServiceCall) -> None:
        await released.wait()

    hass.services.async_register("switch", "turn_on", switch_that_never_answers)
    entry = await watch(hass, plug, **FED_BY_SWITCH)
    hass.states.async_set(FEEDING_SWITCH, STATE_OFF)
    await go_dark(hass, freezer, plug)
    issue = card(issue_registry)
    assert issue is not None
    await repairs.open(issue.issue_id)
    result = await repairs.submit(next_step_id="turn_on_power_switch")
    assert result["type"] == "progress"

    # Unloading stops the fix at once instead of leaving it waiting on the switch.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    result = await repairs.through_progress()
    released.set()
    assert result["type"] == "abort"
    assert result["reason"] == "not_loaded"


@pytest.fixture
async def simulator_plug_fed_by_switch(simulator: Simulator) -> SimulatedPlug:
    """A plug the card may try to switch back on through its feeding switch."""
    return await simulator.add_plug(alias="Camera")


@pytest.mark.skipif(
    RUNNING < CHILD_DEVICES, reason="child devices came with Home Assistant 2026.9"
)
async def test_a_child_device_is_read_through_its_parent(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    plug, outlet = await add_esphome_outlet(hass, "Garage plug", "Freezer outlet")
    entry = await watch_device(hass, outlet)
    assert entry.title == "Freezer outlet"
    assert (entry.data[CONF_MAKER], entry.data[CONF_MODEL]) == (
        "Athom",
        "Smart Plug V3",
    )
    assert entry.data[CONF_FAMILY] == "plug"
    # The whole plug drops off the Wi-Fi: one card, for the device it is part of.
    unplug(hass, plug)
    unplug(hass, outlet)
    await wait(hass, freezer, 5)
    (issue,) = [i for (d, _), i in issue_registry.issues.items() if d == DOMAIN]
    assert issue.translation_key == "hub_offline"
    assert issue.translation_placeholders["hub"] == "Garage plug"
    assert issue.translation_placeholders["devices"] == "Freezer outlet"


async def test_a_plug_the_tplink_integration_also_has_shares_its_page(
    hass: HomeAssistant,
    plug: SimulatedPlug,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    tplink = await add_tplink_plug(hass, "Desk lamp", dr.format_mac(plug.mac))
    entry = await watch(hass, plug)
    mac = dr.format_mac(plug.mac)
    assert page_of_problem_sensor(entity_registry, mac) == tplink.device_id
    # No second page for the same plug.
    ours_pages = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert {device.id for device in ours_pages} <= {tplink.device_id}
