"""The stand-ins for other integrations' devices build what they claim."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_FRIENDLY_NAME,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    EntityCategory,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest

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


def device_entry(hass: HomeAssistant, device: ForeignDevice) -> dr.DeviceEntry:
    entry = dr.async_get(hass).async_get(device.device_id)
    assert entry is not None
    return entry


def registry_entry(
    hass: HomeAssistant, device: ForeignDevice, role: str
) -> er.RegistryEntry:
    entry = er.async_get(hass).async_get(device.entity_id(role))
    assert entry is not None
    return entry


def attached(hass: HomeAssistant, device: ForeignDevice) -> set[str]:
    return {
        entry.entity_id
        for entry in er.async_entries_for_device(
            er.async_get(hass), device.device_id, include_disabled_entities=True
        )
    }


async def test_a_blink_camera_and_its_sync_module(hass: HomeAssistant) -> None:
    sync = await add_blink_sync_module(hass, "Home")
    front = await add_blink_camera(hass, "Front door", sync, battery="low")
    garden = await add_blink_camera(hass, "Garden", sync)

    # One account entry holds both, and nothing is loaded.
    assert front.config_entry is sync.config_entry
    assert sync.config_entry.domain == "blink"
    assert sync.config_entry.state is ConfigEntryState.NOT_LOADED
    assert "blink" not in hass.config.components

    sync_entry = device_entry(hass, sync)
    assert sync_entry.name == "blink Home"
    assert sync_entry.manufacturer == "Blink"
    assert sync_entry.model is None
    camera_entry = device_entry(hass, front)
    assert camera_entry.name == "Front door"
    assert camera_entry.manufacturer == "Blink"
    assert camera_entry.identifiers == {("blink", front.details["serial"])}
    assert camera_entry.serial_number == front.details["serial"]
    assert camera_entry.connections == set()
    assert camera_entry.via_device_id is None  # Blink does not link them

    assert attached(hass, front) == set(front.entities.values())
    assert front.entities == {
        "camera": "camera.front_door",
        "battery_low": "binary_sensor.front_door_battery",
        "armed": "binary_sensor.front_door_camera_armed",
        "motion": "binary_sensor.front_door_motion",
        "motion_switch": "switch.front_door_camera_motion_detection",
        "temperature": "sensor.blink_front_door_temperature",
        "signal": "sensor.blink_front_door_wi_fi_signal_strength",
    }

    battery = hass.states.get(front.entity_id("battery_low"))
    assert battery is not None
    assert battery.state == STATE_ON
    assert battery.attributes[ATTR_DEVICE_CLASS] == "battery"
    assert registry_entry(hass, front, "battery_low").entity_category is (
        EntityCategory.DIAGNOSTIC
    )
    garden_battery = hass.states.get(garden.entity_id("battery_low"))
    assert garden_battery is not None
    assert garden_battery.state == STATE_OFF

    signal = hass.states.get(front.entity_id("signal"))
    assert signal is not None
    assert signal.state == "-55"
    assert signal.attributes[ATTR_DEVICE_CLASS] == "signal_strength"
    assert signal.attributes[ATTR_UNIT_OF_MEASUREMENT] == "dBm"
    assert signal.attributes[ATTR_FRIENDLY_NAME] == "Front door Wi-Fi signal strength"
    assert registry_entry(hass, front, "signal").translation_key == "wifi_strength"

    # 68 °F shown in the test instance's metric units.
    temperature = hass.states.get(front.entity_id("temperature"))
    assert temperature is not None
    assert temperature.state == "20"
    assert temperature.attributes[ATTR_UNIT_OF_MEASUREMENT] == "°C"

    armed = registry_entry(hass, front, "armed")
    assert armed.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(armed.entity_id) is None

    # The sync module's cameras are found by name.
    alarm = hass.states.get(sync.entity_id("alarm"))
    assert alarm is not None
    assert alarm.state == "disarmed"
    assert alarm.attributes["associated_cameras"] == ["Front door", "Garden"]
    camera = hass.states.get(front.entity_id("camera"))
    assert camera is not None
    assert camera.state == "idle"
    assert camera.attributes["sync_module"] == "Home"
    assert camera.attributes["battery"] == "low"


async def test_a_second_sync_module_on_the_same_account(hass: HomeAssistant) -> None:
    home = await add_blink_sync_module(hass, "Home")
    cabin = await add_blink_sync_module(
        hass, "Cabin", config_entry=home.config_entry, armed=True
    )
    await add_blink_camera(hass, "Porch", cabin)

    assert hass.config_entries.async_entries("blink") == [home.config_entry]
    home_alarm = hass.states.get(home.entity_id("alarm"))
    cabin_alarm = hass.states.get(cabin.entity_id("alarm"))
    assert home_alarm is not None
    assert cabin_alarm is not None
    assert home_alarm.attributes["associated_cameras"] == []
    assert cabin_alarm.state == "armed_away"
    assert cabin_alarm.attributes["associated_cameras"] == ["Porch"]


async def test_a_tapo_plug(hass: HomeAssistant) -> None:
    kettle = await add_tplink_plug(hass, "Kettle", "AA:BB:CC:00:11:22")

    assert kettle.config_entry.domain == "tplink"
    assert kettle.config_entry.unique_id == "aa:bb:cc:00:11:22"
    assert kettle.config_entry.title == "Kettle P110"
    entry = device_entry(hass, kettle)
    assert entry.manufacturer == "TP-Link"
    assert entry.model == "P110"
    assert entry.connections == {(dr.CONNECTION_NETWORK_MAC, "aa:bb:cc:00:11:22")}
    (identifier,) = entry.identifiers
    assert identifier[0] == "tplink"
    assert len(identifier[1]) == 40
    assert attached(hass, kettle) == set(kettle.entities.values())

    switch = hass.states.get(kettle.entity_id("switch"))
    assert switch is not None
    assert switch.entity_id == "switch.kettle"
    assert switch.state == STATE_ON
    assert registry_entry(hass, kettle, "switch").unique_id == identifier[1]

    # rssi and on_since exist, disabled by default; signal level is enabled.
    for role in ("signal", "on_since"):
        assert registry_entry(hass, kettle, role).disabled_by is not None
        assert hass.states.get(kettle.entity_id(role)) is None
    signal = registry_entry(hass, kettle, "signal")
    assert signal.entity_id == "sensor.kettle_signal_strength"
    assert signal.unique_id == f"{identifier[1]}_rssi"
    assert signal.original_device_class == "signal_strength"
    assert signal.unit_of_measurement == "dBm"
    level = hass.states.get(kettle.entity_id("signal_level"))
    assert level is not None
    assert level.state == "3"
    assert ATTR_DEVICE_CLASS not in level.attributes

    overheated = hass.states.get(kettle.entity_id("overheated"))
    assert overheated is not None
    assert overheated.state == STATE_OFF
    assert overheated.attributes[ATTR_DEVICE_CLASS] == "problem"
    cloud = hass.states.get(kettle.entity_id("cloud"))
    assert cloud is not None
    assert cloud.attributes[ATTR_DEVICE_CLASS] == "connectivity"
    power = hass.states.get(kettle.entity_id("power"))
    assert power is not None
    assert power.attributes[ATTR_UNIT_OF_MEASUREMENT] == "W"
    assert "update" not in kettle.entities


async def test_a_kasa_plug_is_named_by_its_mac(hass: HomeAssistant) -> None:
    lamp = await add_tplink_plug(
        hass, "Lamp", "aa:bb:cc:00:11:33", "HS100", enable={"signal", "on_since"}
    )

    assert device_entry(hass, lamp).identifiers == {("tplink", "AA:BB:CC:00:11:33")}
    assert registry_entry(hass, lamp, "signal").unique_id == "AA:BB:CC:00:11:33_rssi"
    assert "signal_level" not in lamp.entities
    assert "overheated" not in lamp.entities
    assert "power" not in lamp.entities
    signal = hass.states.get(lamp.entity_id("signal"))
    assert signal is not None
    assert signal.state == "-50"
    assert signal.attributes[ATTR_DEVICE_CLASS] == "signal_strength"
    on_since = hass.states.get(lamp.entity_id("on_since"))
    assert on_since is not None
    assert on_since.attributes[ATTR_DEVICE_CLASS] == "timestamp"


async def test_a_battery_tapo_camera(hass: HomeAssistant) -> None:
    garden = await add_tplink_tapo_camera(
        hass, "Garden", "aa:bb:cc:00:11:44", battery_percent=12, live_view=True
    )

    assert device_entry(hass, garden).model == "C460"
    battery = hass.states.get(garden.entity_id("battery"))
    assert battery is not None
    assert battery.entity_id == "sensor.garden_battery"
    assert battery.state == "12"
    assert battery.attributes[ATTR_DEVICE_CLASS] == "battery"
    assert battery.attributes[ATTR_UNIT_OF_MEASUREMENT] == "%"
    low = registry_entry(hass, garden, "battery_low")
    assert low.entity_id == "binary_sensor.garden_battery"
    assert low.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert low.original_device_class == "battery"
    camera = hass.states.get(garden.entity_id("camera"))
    assert camera is not None
    assert camera.entity_id == "camera.garden_live_view"

    porch = await add_tplink_tapo_camera(
        hass, "Porch", "aa:bb:cc:00:11:55", "C200", enable={"signal"}
    )
    assert "battery" not in porch.entities
    assert "pan_left" in porch.entities
    signal = hass.states.get(porch.entity_id("signal"))
    assert signal is not None
    assert signal.attributes[ATTR_UNIT_OF_MEASUREMENT] == "dBm"


async def test_another_brands_plug(hass: HomeAssistant) -> None:
    plug = await add_other_brand_plug(hass, "Kitchen plug", enable={"signal"})

    entry = device_entry(hass, plug)
    assert plug.config_entry.domain == "shelly"
    assert entry.manufacturer == "Shelly"
    assert attached(hass, plug) == set(plug.entities.values())
    assert plug.entity_id("switch") == "switch.kitchen_plug_switch_0"
    power = hass.states.get(plug.entity_id("power"))
    assert power is not None
    assert power.attributes[ATTR_DEVICE_CLASS] == "power"
    assert power.attributes[ATTR_UNIT_OF_MEASUREMENT] == "W"
    signal = hass.states.get(plug.entity_id("signal"))
    assert signal is not None
    assert signal.entity_id == "sensor.kitchen_plug_rssi"
    assert signal.state == "-60"
    assert signal.attributes[ATTR_DEVICE_CLASS] == "signal_strength"
    assert signal.attributes[ATTR_UNIT_OF_MEASUREMENT] == "dBm"

    default = await add_other_brand_plug(hass, "Desk plug")
    assert registry_entry(hass, default, "signal").disabled_by is not None


async def test_states_change_and_go_unavailable(hass: HomeAssistant) -> None:
    kettle = await add_tplink_plug(hass, "Kettle", "aa:bb:cc:00:11:66")
    sync = await add_blink_sync_module(hass)
    camera = await add_blink_camera(hass, "Front door", sync)

    set_state(hass, kettle, "overheated", STATE_ON)
    overheated = hass.states.get(kettle.entity_id("overheated"))
    assert overheated is not None
    assert overheated.state == STATE_ON
    assert overheated.attributes[ATTR_DEVICE_CLASS] == "problem"

    make_unavailable(hass, camera)
    for role, entity_id in camera.entities.items():
        state = hass.states.get(entity_id)
        if role == "armed":
            assert state is None  # disabled, so never in the state machine
            continue
        assert state is not None
        assert state.state == STATE_UNAVAILABLE
    signal = hass.states.get(camera.entity_id("signal"))
    assert signal is not None
    assert signal.attributes[ATTR_UNIT_OF_MEASUREMENT] == "dBm"
    unavailable_camera = hass.states.get(camera.entity_id("camera"))
    assert unavailable_camera is not None
    assert "battery" not in unavailable_camera.attributes
    kettle_switch = hass.states.get(kettle.entity_id("switch"))
    assert kettle_switch is not None
    assert kettle_switch.state == STATE_ON  # other devices are untouched

    set_state(hass, camera, "camera", "idle", battery="low")
    back = hass.states.get(camera.entity_id("camera"))
    assert back is not None
    assert back.attributes["battery"] == "low"
    assert back.attributes["sync_module"] == "Home"

    with pytest.raises(ValueError, match="disabled"):
        set_state(hass, kettle, "signal", "-70")
    with pytest.raises(KeyError, match="no 'battery'"):
        kettle.entity_id("battery")


async def test_same_names_on_two_integrations_get_their_own_ids(
    hass: HomeAssistant,
) -> None:
    sync = await add_blink_sync_module(hass)
    blink = await add_blink_camera(hass, "Garden", sync)
    tapo = await add_tplink_tapo_camera(hass, "Garden", "aa:bb:cc:00:11:77")

    assert blink.entity_id("battery_low") == "binary_sensor.garden_battery"
    assert tapo.entity_id("battery_low") == "binary_sensor.garden_battery_2"
    assert blink.device_id != tapo.device_id
