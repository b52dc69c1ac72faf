"""Presents findings as repair issues: one per device and cause, kept in step."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import slugify
from homeassistant.util.hass_dict import HassKey

from .compat import issue_owner
from .const import DOCS_URL, DOMAIN
from .coordinator import RedLightDoctorConfigEntry, RedLightDoctorCoordinator
from .diagnosis import Cause, Finding, Severity
from .texts import async_load_texts, placeholders, steps_markdown

SEVERITY = {
    Severity.ERROR: ir.IssueSeverity.ERROR,
    Severity.WARNING: ir.IssueSeverity.WARNING,
}
README_SECTION = {
    Cause.OFFLINE: "offline",
    Cause.LOGIN_REFUSED: "login-refused",
    Cause.LOGIN_PROTOCOL_CHANGED: "login-protocol-changed",
    Cause.OVERHEATED: "overheated",
    Cause.UNSTABLE_POWER: "unstable-power",
    Cause.WEAK_WIFI: "weak-wi-fi",
    Cause.BATTERY_LOW: "battery-low",
    Cause.INTERMITTENT: "intermittent-connection",
    Cause.NO_CLOUD: "no-cloud-connection",
    Cause.FIRMWARE_UPDATE: "firmware-update",
    Cause.MOVING_ADDRESS: "changing-address",
    Cause.WATCHED_DEVICE_REMOVED: "watched-device-removed",
}
HUB_OFFLINE_KEY = "offline_hub_offline"
# Devices waiting on each offline hub's card: issue id -> entry id -> title.
HUB_CARDS: HassKey[dict[str, dict[str, str]]] = HassKey(f"{DOMAIN}_hub_cards")


def hub_issue_id(hub: str) -> str:
    """Return the id of the card shared by every device behind one hub."""
    return f"hub_offline_{slugify(hub)}"


def issue_id(entry_id: str, cause: Cause) -> str:
    """Return the stable id of a device's issue for one cause."""
    return f"{entry_id}_{cause}"


class IssuePresenter:
    """Creates, updates and deletes one entry's repair issues after each poll."""

    def __init__(self, hass: HomeAssistant, entry: RedLightDoctorConfigEntry) -> None:
        """Follow the entry's coordinator."""
        self.hass = hass
        self.entry = entry
        self.coordinator: RedLightDoctorCoordinator = entry.runtime_data
        self._shown: set[Cause] = set()
        self._hub_card: str | None = None

    async def async_start(self) -> None:
        """Present the current findings and every later change."""
        await async_load_texts(self.hass)
        self.entry.async_on_unload(self.coordinator.async_add_listener(self.async_sync))
        self.async_sync()

    @callback
    def async_sync(self) -> None:
        """Make the registry show exactly the current findings."""
        findings = self.coordinator.data.findings if self.coordinator.data else ()
        # Devices that are dark because their hub is share the hub's card.
        behind_hub = next((f for f in findings if f.key == HUB_OFFLINE_KEY), None)
        self._async_wait_on_hub(behind_hub)
        current = {
            finding.cause: finding for finding in findings if finding is not behind_hub
        }
        for finding in current.values():
            self._async_show(finding)
        for cause in self._shown - current.keys():
            ir.async_delete_issue(
                self.hass, DOMAIN, issue_id(self.entry.entry_id, cause)
            )
        self._shown = set(current)

    @callback
    def _async_show(self, finding: Finding) -> None:
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(self.entry.entry_id, finding.cause),
            is_fixable=True,
            is_persistent=False,
            severity=SEVERITY[finding.severity],
            translation_key=finding.key,
            translation_placeholders={
                **placeholders(finding, self.entry),
                "steps": steps_markdown(self.hass, finding.steps, self.entry),
            },
            learn_more_url=f"{DOCS_URL}#{README_SECTION[finding.cause]}",
            data={"entry_id": self.entry.entry_id, "cause": finding.cause.value},
            **issue_owner(self.entry.entry_id),
        )

    @callback
    def _async_wait_on_hub(self, finding: Finding | None) -> None:
        """Join the card of the hub this device waits on, or leave the old one."""
        card = hub_issue_id(finding.evidence.get("hub", "")) if finding else None
        cards = self.hass.data.setdefault(HUB_CARDS, {})
        if self._hub_card is not None and self._hub_card != card:
            waiting = cards.get(self._hub_card, {})
            waiting.pop(self.entry.entry_id, None)
            self._async_show_hub_card(self._hub_card, waiting, None)
        self._hub_card = card
        if card is not None and finding is not None:
            waiting = cards.setdefault(card, {})
            waiting[self.entry.entry_id] = self.entry.title
            self._async_show_hub_card(card, waiting, finding)

    @callback
    def _async_show_hub_card(
        self, card: str, waiting: dict[str, str], finding: Finding | None
    ) -> None:
        """Show one card for an offline hub, naming every device behind it."""
        if not waiting:
            self.hass.data[HUB_CARDS].pop(card, None)
            ir.async_delete_issue(self.hass, DOMAIN, card)
            return
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, card)
        if finding is not None:
            placeholders_now = {
                **placeholders(finding, self.entry),
                "steps": steps_markdown(self.hass, finding.steps, self.entry),
            }
        elif issue is not None:
            # A device left the card: keep the hub's wording, drop its name.
            placeholders_now = dict(issue.translation_placeholders or {})
        else:
            return
        first = min(waiting)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            card,
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="hub_offline",
            translation_placeholders={
                **placeholders_now,
                "devices": ", ".join(sorted(waiting.values())),
            },
            learn_more_url=f"{DOCS_URL}#hub-offline",
            data={"entry_id": first, "cause": Cause.OFFLINE.value},
        )

    @callback
    def async_clear(self) -> None:
        """Remove every issue this entry may have raised."""
        async_delete_issues(self.hass, self.entry.entry_id)
        self._async_wait_on_hub(None)
        self._shown.clear()


@callback
def async_delete_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Remove every issue an entry may have raised, shown or not."""
    for cause in Cause:
        ir.async_delete_issue(hass, DOMAIN, issue_id(entry_id, cause))
