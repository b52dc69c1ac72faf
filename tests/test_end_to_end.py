"""A plug goes dark and recovers, through python-kasa and the simulator."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import TickingDateTimeFactory
from homeassistant.components.binary_sensor import DOMAIN as BINARY_SENSOR_DOMAIN
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir

from custom_components.red_light_doctor.const import DOMAIN
from simulator import SimulatedPlug, Simulator

from .conftest import advance, watch

POLL = timedelta(seconds=30)


def our_issues(issue_registry: ir.IssueRegistry) -> dict[str, ir.IssueEntry]:
    return {
        issue_id: issue
        for (domain, issue_id), issue in issue_registry.issues.items()
        if domain == DOMAIN and issue.active
    }


def entity_id(entity_registry: er.EntityRegistry, plug: SimulatedPlug, key: str, platform: str = "sensor") -> str:
    from homeassistant.helpers.device_registry import format_mac

    found = entity_registry.async_get_entity_id(platform, DOMAIN, f"{format_mac(plug.mac)}_{key}")
    assert found is not None
    return found


async def test_a_plug_that_loses_power_gets_one_offline_card_that_clears(
    hass: HomeAssistant,
    freezer: TickingDateTimeFactory,
    plug: SimulatedPlug,
    issue_registry: ir.IssueRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    await watch(hass, plug)
    connectivity = entity_id(entity_registry, plug, "connectivity", BINARY_SENSOR_DOMAIN)
    assert hass.states.get(connectivity).state == STATE_ON

    await plug.power_off()
    for _ in range(8):
        await advance(hass, freezer, POLL * 4)

    issues = our_issues(issue_registry)
    assert len(issues) == 1
    (issue,) = issues.values()
    assert issue.translation_key == "offline"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders["device"] == "Desk lamp"
    assert hass.states.get(connectivity).state == STATE_OFF

    await plug.power_on()
    await advance(hass, freezer, timedelta(minutes=5))
    assert our_issues(issue_registry) == {}
    assert hass.states.get(connectivity).state == STATE_ON
