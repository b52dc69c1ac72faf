"""Devices other integrations own, read from their entities and never polled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import TickingDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.red_light_doctor.compat import remove_entry_from_device
from custom_components.red_light_doctor.const import CONF_DEVICE_ID, CONF_FAMILY, DOMAIN
from simulator import SimulatedPlug

from .conftest import advance
from .foreign_devices import (
    ForeignDevice,
    add_blink_camera,
    add_blink_sync_module,
    add_other_brand_plug,
    add_tplink_plug,
    add_tplink_tapo_camera,
    make_unavailable,
    set_state,
)
from .test_config_flow import start
from .test_repairs import RepairsClient, card

MINUTE = timedelta(minutes=1)
# A step only the Tapo camera's offline card gives.
TAPO_CAMERA_STEP = "Tapo cameras join only 2.4 GHz networks"


async def pick_a_device(hass: HomeAssistant) -> dict[str, Any]:
    """Open the flow at its "a device already in Home Assistant" step."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "ha_device"}
    )


async def watch_device(hass: HomeAssistant, device: ForeignDevice) -> ConfigEntry:
    """Add a device through the flow's "already in Home Assistant" path."""
    result = await pick_a_device(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_ID: device.device_id}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry: ConfigEntry = result["result"]
    return entry


def ours(hass: HomeAssistant, entry: ConfigEntry, platform: str, key: str) -> str:
    """Return the state of one of our entities for a watched device."""
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{entry.unique_id}_{key}"
    )
    assert entity_id is not None, f"no {platform} {key}"
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def cards(issue_registry: ir.IssueRegistry) -> dict[str, ir.IssueEntry]:
    return {
        issue.translation_key or "": issue
        for (domain, _), issue in issue_registry.issues.items()
        if domain == DOMAIN
    }


async def wait(hass: HomeAssistant, freezer: TickingDateTimeFactory, n: int) -> None:
    for _ in range(n):
        await advance(hass, freezer, MINUTE)


def go_dark(hass: HomeAssistant, device: ForeignDevice) -> dict[str, str]:
    """Turn the device unavailable; return its states to bring it back with."""
    states = {
        role: state.state
        for role, entity_id in device.entities.items()
        if (state := hass.states.get(entity_id)) is not None
    }
    make_unavailable(hass, device)
    return states


def come_back(
    hass: HomeAssistant, device: ForeignDevice, states: dict[str, str]
) -> None:
    for role, state in states.items():
        set_state(hass, device, role, state)


async def offline_steps_once_dark(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    device: ForeignDevice,
) -> str:
    """Take a device dark past the grace period; return its offline card's steps."""
    go_dark(hass, device)
    await wait(hass, freezer, 5)
    return cards(issue_registry)["offline"].translation_placeholders["steps"]


async def hub_card_once_dark(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    *devices: ForeignDevice,
) -> tuple[str, str]:
    """Take devices dark; return the hub card's hub and the devices it names."""
    for device in devices:
        go_dark(hass, device)
    await wait(hass, freezer, 5)
    placeholders = cards(issue_registry)["hub_offline"].translation_placeholders
    return placeholders["hub"], placeholders["devices"]


@pytest.fixture
async def blink(hass: HomeAssistant) -> tuple[ForeignDevice, ForeignDevice]:
    """A Blink sync module and one battery camera behind it."""
    sync = await add_blink_sync_module(hass, "Home")
    camera = await add_blink_camera(hass, "Front door", sync, wifi_strength=-55)
    return sync, camera


async def test_a_blink_camera_is_watched_on_its_own_device_page(
    hass: HomeAssistant, blink: tuple[ForeignDevice, ForeignDevice]
) -> None:
    _, camera = blink
    entry = await watch_device(hass, camera)
    assert entry.title == "Front door"
    assert entry.unique_id == camera.device_id
    assert entry.data[CONF_FAMILY] == "blink_camera"

    assert ours(hass, entry, "binary_sensor", "connectivity") == STATE_ON
    assert ours(hass, entry, "sensor", "signal_strength") == "-55"
    # Our entities sit on the camera's own device, next to Blink's.
    registry = er.async_get(hass)
    mine = er.async_entries_for_config_entry(registry, entry.entry_id)
    assert mine
    assert {e.device_id for e in mine} == {camera.device_id}
    # A Blink camera has no relay to read.
    assert not any(e.unique_id.endswith("_power") for e in mine)


async def test_the_same_device_cannot_be_watched_twice_or_be_our_own(
    hass: HomeAssistant, blink: tuple[ForeignDevice, ForeignDevice]
) -> None:
    _, camera = blink
    entry = await watch_device(hass, camera)
    result = await pick_a_device(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_ID: camera.device_id}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"

    result = await pick_a_device(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_ID: "no-such-device"}
    )
    assert result["errors"] == {CONF_DEVICE_ID: "device_not_found"}
    own = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "a device of ours")}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_ID: own.id}
    )
    assert result["errors"] == {CONF_DEVICE_ID: "own_device"}
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_a_dark_blink_camera_gets_the_blink_steps_and_clears(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    blink: tuple[ForeignDevice, ForeignDevice],
    issue_registry: ir.IssueRegistry,
) -> None:
    _, camera = blink
    entry = await watch_device(hass, camera)
    states = go_dark(hass, camera)
    await hass.async_block_till_done()
    # Within the grace period a blip is not a card.
    assert cards(issue_registry) == {}
    await wait(hass, freezer, 5)

    issue = cards(issue_registry)["offline"]
    assert issue.severity is ir.IssueSeverity.ERROR
    steps = issue.translation_placeholders["steps"]
    assert steps.startswith("1. Check the camera's power")
    assert "sync module" in steps
    assert ours(hass, entry, "binary_sensor", "connectivity") == STATE_OFF

    come_back(hass, camera, states)
    await hass.async_block_till_done()
    await wait(hass, freezer, 1)
    assert cards(issue_registry) == {}
    assert ours(hass, entry, "binary_sensor", "connectivity") == STATE_ON


async def test_low_blink_batteries_get_the_lithium_advice(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    blink: tuple[ForeignDevice, ForeignDevice],
    issue_registry: ir.IssueRegistry,
) -> None:
    _, camera = blink
    await watch_device(hass, camera)
    set_state(hass, camera, "battery_low", STATE_ON)
    await wait(hass, freezer, 1)

    issue = cards(issue_registry)["battery_low"]
    assert issue.severity is ir.IssueSeverity.WARNING
    steps = issue.translation_placeholders["steps"]
    assert "AA 1.5 V lithium" in steps
    # The red flash on motion is the recording light, said so on the card.
    assert "recording light" in steps

    set_state(hass, camera, "battery_low", STATE_OFF)
    await wait(hass, freezer, 1)
    assert cards(issue_registry) == {}


async def test_a_weak_blink_signal_gets_a_card(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    blink: tuple[ForeignDevice, ForeignDevice],
    issue_registry: ir.IssueRegistry,
) -> None:
    _, camera = blink
    await watch_device(hass, camera)
    for _ in range(10):
        set_state(hass, camera, "signal", "-84")
        await wait(hass, freezer, 1)

    issue = cards(issue_registry)["weak_wifi"]
    assert issue.translation_placeholders["signal"] == "-84"
    assert "closer" in issue.translation_placeholders["steps"]

    for _ in range(10):
        set_state(hass, camera, "signal", "-50")
        await wait(hass, freezer, 1)
    assert cards(issue_registry) == {}


async def test_an_offline_sync_module_gets_one_card_for_its_cameras(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    assert await async_setup_component(hass, "diagnostics", {})
    sync = await add_blink_sync_module(hass, "Home")
    front = await add_blink_camera(hass, "Front door", sync)
    garden = await add_blink_camera(hass, "Garden", sync)
    # A second account's module must not be blamed for these cameras.
    await add_blink_sync_module(hass, "Cabin")
    front_entry = await watch_device(hass, front)
    await watch_device(hass, garden)

    before = [(device, go_dark(hass, device)) for device in (sync, front, garden)]
    await wait(hass, freezer, 5)

    assert set(cards(issue_registry)) == {"hub_offline"}
    issue = cards(issue_registry)["hub_offline"]
    assert issue.translation_placeholders["hub"] == "blink Home"
    assert issue.translation_placeholders["devices"] == "Front door, Garden"
    assert issue.translation_placeholders["steps"].startswith(
        "1. Check that the sync module is plugged in"
    )
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, front_entry)
    assert "blink Home" not in str(diagnostics)
    assert "Front door" not in str(diagnostics)

    for device, states in before:
        come_back(hass, device, states)
    await hass.async_block_till_done()
    await wait(hass, freezer, 1)
    assert cards(issue_registry) == {}


async def test_cameras_of_two_sync_modules_wait_on_their_own(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    home = await add_blink_sync_module(hass, "Home")
    barn = await add_blink_sync_module(hass, "Barn", config_entry=home.config_entry)
    front = await add_blink_camera(hass, "Front door", home)
    stable = await add_blink_camera(hass, "Stable", barn)
    await watch_device(hass, front)
    await watch_device(hass, stable)

    waiting = await hub_card_once_dark(hass, freezer, issue_registry, barn, stable)
    assert waiting == ("blink Barn", "Stable")
    assert "offline" not in cards(issue_registry)


async def test_a_pending_firmware_update_gets_a_card(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    plug = await add_other_brand_plug(hass, "Aquarium", firmware="1.4.4")
    await watch_device(hass, plug)
    assert cards(issue_registry) == {}

    set_state(hass, plug, "update", STATE_ON, latest_version="1.5.0")
    await wait(hass, freezer, 1)
    issue = cards(issue_registry)["firmware_update"]
    assert issue.translation_placeholders["firmware"] == "1.4.4"
    assert issue.translation_placeholders["latest"] == "1.5.0"

    set_state(hass, plug, "update", STATE_OFF, installed_version="1.5.0")
    await wait(hass, freezer, 1)
    assert cards(issue_registry) == {}


async def test_another_brand_of_plug_gets_the_plug_steps(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    plug = await add_other_brand_plug(hass, "Aquarium")
    entry = await watch_device(hass, plug)
    assert entry.data[CONF_FAMILY] == "plug"
    # Its relay is read from its switch.
    assert ours(hass, entry, "binary_sensor", "power") == STATE_ON

    steps = await offline_steps_once_dark(hass, freezer, issue_registry, plug)
    assert steps.startswith("1. Check the power")
    assert TAPO_CAMERA_STEP not in steps
    # Nothing sends the user to a Kasa or Tapo app for a Shelly plug.
    assert "Kasa" not in steps
    assert "Tapo" not in steps


async def test_a_tapo_camera_of_the_tplink_integration_gets_the_camera_steps(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    camera = await add_tplink_tapo_camera(
        hass, "Porch", "5c:62:8b:00:00:10", battery=True, battery_percent=60
    )
    entry = await watch_device(hass, camera)
    assert entry.data[CONF_FAMILY] == "tapo_camera"

    set_state(hass, camera, "battery", "9")
    await wait(hass, freezer, 1)
    issue = cards(issue_registry)["battery_low"]
    assert issue.translation_placeholders["battery"] == "9"

    set_state(hass, camera, "battery", "80")
    steps = await offline_steps_once_dark(hass, freezer, issue_registry, camera)
    assert TAPO_CAMERA_STEP in steps


async def test_the_family_can_be_corrected_in_the_options(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    plug = await add_other_brand_plug(hass, "Doorbell power")
    entry = await watch_device(hass, plug)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert "poll_interval" not in result["data_schema"].schema
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"family": "tapo_camera", "grace_period": 3, "weak_signal_dbm": -70},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    steps = await offline_steps_once_dark(hass, freezer, issue_registry, plug)
    assert TAPO_CAMERA_STEP in steps


async def test_a_removed_device_gets_a_card_that_removes_the_entry(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: TickingDateTimeFactory,
    blink: tuple[ForeignDevice, ForeignDevice],
    issue_registry: ir.IssueRegistry,
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    _, camera = blink
    entry = await watch_device(hass, camera)
    # What removing the Blink integration does to its devices.
    remove_entry_from_device(hass, camera.device_id, camera.config_entry.entry_id)
    await hass.async_block_till_done()
    await wait(hass, freezer, 1)

    issue = card(issue_registry)
    assert issue is not None
    assert issue.translation_key == "watched_device_removed"
    repairs = RepairsClient(hass, hass_client)
    result = await repairs.open(issue.issue_id)
    assert "remove_entry" in result["menu_options"]
    result = await repairs.submit(next_step_id="remove_entry")
    assert result["step_id"] == "remove_entry"
    result = await repairs.submit()
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()

    assert hass.config_entries.async_get_entry(entry.entry_id) is None
    assert card(issue_registry) is None


async def test_a_device_the_tplink_integration_has_is_watched_instead(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
) -> None:
    assert plug.host is not None
    core = await add_tplink_plug(
        hass, "Desk lamp", plug.mac, model="HS110", host=plug.host
    )
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"host": plug.host}
    )
    assert result["step_id"] == "watch_instead"
    assert result["description_placeholders"] == {"name": "Desk lamp"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == core.device_id

    await wait(hass, freezer, 10)
    # The TP-Link integration polls it; we never asked it anything.
    assert plug.request_count == 0
    assert plug.discovery_count == 0


async def test_a_tplink_plug_is_read_from_the_tplink_integration(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    plug = await add_tplink_plug(
        hass, "Kettle", "50:c7:bf:00:00:21", enable={"signal", "on_since"}, rssi=-62
    )
    entry = await watch_device(hass, plug)
    assert entry.data[CONF_FAMILY] == "plug"
    assert ours(hass, entry, "sensor", "signal_strength") == "-62"
    assert ours(hass, entry, "sensor", "reboots") == "0"

    # Its "on since" jumps forward while the relay stays on: it restarted.
    set_state(hass, plug, "on_since", dt_util.utcnow().isoformat())
    await wait(hass, freezer, 1)
    assert ours(hass, entry, "sensor", "reboots") == "1"

    set_state(hass, plug, "overheated", STATE_ON)
    await wait(hass, freezer, 1)
    assert cards(issue_registry)["overheated"].severity is ir.IssueSeverity.ERROR
    set_state(hass, plug, "overheated", STATE_OFF)

    set_state(hass, plug, "cloud", STATE_OFF)
    await wait(hass, freezer, 5)
    assert set(cards(issue_registry)) == {"no_cloud"}
    set_state(hass, plug, "cloud", STATE_ON)
    await wait(hass, freezer, 1)
    assert cards(issue_registry) == {}


async def test_a_tapo_camera_reporting_only_a_signal_level_gets_weak_wifi(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    camera = await add_tplink_tapo_camera(hass, "Shed", "5c:62:8b:00:00:22")
    await watch_device(hass, camera)
    for _ in range(10):
        set_state(hass, camera, "signal_level", "1")
        await wait(hass, freezer, 1)
    issue = cards(issue_registry)["weak_wifi_level"]
    assert issue.translation_placeholders["level"] == "1"


async def test_a_blink_camera_reading_too_hot_counts_as_overheated(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    blink: tuple[ForeignDevice, ForeignDevice],
    issue_registry: ir.IssueRegistry,
) -> None:
    _, camera = blink
    await watch_device(hass, camera)
    # Blink reports Fahrenheit; 165 °F is 74 °C.
    set_state(hass, camera, "temperature", "165", unit_of_measurement="°F")
    await wait(hass, freezer, 1)
    assert "overheated" in cards(issue_registry)

    set_state(hass, camera, "temperature", "70", unit_of_measurement="°F")
    await wait(hass, freezer, 1)
    assert cards(issue_registry) == {}


async def test_the_family_is_told_from_the_integration_and_model(
    hass: HomeAssistant, blink: tuple[ForeignDevice, ForeignDevice]
) -> None:
    sync, _ = blink
    spot = await add_tplink_plug(hass, "Nursery", "74:fe:ce:00:00:23", model="KC410S")
    assert (await watch_device(hass, spot)).data[CONF_FAMILY] == "kasa_camera"
    # A sync module films nothing: it is not a camera.
    assert (await watch_device(hass, sync)).data[CONF_FAMILY] == "other"


async def test_a_device_waits_on_the_parent_its_integration_names(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    gateway = await add_other_brand_plug(hass, "Gateway")
    plug = await add_other_brand_plug(hass, "Pond pump")
    dr.async_get(hass).async_update_device(
        plug.device_id, via_device_id=gateway.device_id
    )
    await watch_device(hass, plug)
    waiting = await hub_card_once_dark(hass, freezer, issue_registry, gateway, plug)
    assert waiting == ("Gateway", "Pond pump")
