"""A real Home Assistant, a simulated plug, and the Repairs page's own API.

Set up as a user would (onboarding, the config flow, the options flow, all over
Home Assistant's HTTP APIs); the card is read as the Repairs page reads it
(`repairs/list_issues` over the websocket, the title from Home Assistant's
translations of ours). Polls every 10 s with a 1 minute grace period, so the
offline card takes about 70 to 120 s of real time.
"""

from __future__ import annotations

import time

from conftest import SimulatorControl
from hass_api import DOMAIN, HomeAssistant, wait_for

FAST = {"poll_interval": 10, "grace_period": 1, "weak_signal_dbm": -70}
# The grace period, plus up to four polls of 10 s each, backed off 10, 20, 40 s.
CARD_TIMEOUT = 150


async def test_a_plug_that_goes_dark_gets_a_card_that_clears_when_it_is_back(
    hass: HomeAssistant, simulator: SimulatorControl
) -> None:
    """The card appears with its translated title, and closes by itself."""
    await hass.onboard(name="Tester", username="tester", password="tester-password")
    # As scripts/demo does: since 2026.11 Home Assistant takes back the YAML
    # HTTP settings, restarting itself, unless they are confirmed in time.
    version = (await hass.request("GET", "/api/config"))["version"]
    async with hass.websocket() as ws:
        confirmed = await ws.confirm_http_config()
    assert confirmed == (tuple(map(int, version.split(".")[:2])) >= (2026, 11))
    lamp = await simulator.device("Desk lamp")
    entry = await hass.add_entry(
        {"user": {"next_step_id": "network"}, "network": {"host": lamp["host"]}}
    )
    assert (entry["title"], entry["state"]) == ("Desk lamp", "loaded")
    await hass.set_options(entry["entry_id"], FAST)
    # Options apply from the next poll on; poll now so the next is 10 s away.
    await hass.call_service(DOMAIN, "check_now")
    diagnosis = "/api/states/sensor.desk_lamp_diagnosis"
    assert (await hass.request("GET", diagnosis))["state"] == "ok"

    async with hass.websocket() as ws:
        assert await ws.cards() == []

        await simulator.act("Desk lamp", "power_off")
        dark = time.monotonic()
        cards = await wait_for(
            ws.cards, within=CARD_TIMEOUT, what="repair card", interval=2
        )
        print(f"card after {time.monotonic() - dark:.0f} s")
        assert [card.title for card in cards] == ["Desk lamp is offline"]
        card = cards[0]
        assert card.severity == "error"
        assert card.issue_id == f"{entry['entry_id']}_offline"
        assert card.description.startswith("Desk lamp has not answered for 1 min.")
        assert "\n1. Check the power" in card.description
        assert (await hass.request("GET", diagnosis))["state"] == "offline"

        await simulator.act("Desk lamp", "power_on")
        # A dark plug is polled less often; Check now asks it at once.
        await hass.call_service(DOMAIN, "check_now")

        async def cleared() -> bool:
            return not await ws.cards()

        await wait_for(cleared, within=30, what="closed card", interval=1)
        assert (await hass.request("GET", diagnosis))["state"] == "ok"
