"""Presents findings as repair issues: one per device and cause, kept in step."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

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
}


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

    async def async_start(self) -> None:
        """Present the current findings and every later change."""
        await async_load_texts(self.hass)
        self.entry.async_on_unload(self.coordinator.async_add_listener(self.async_sync))
        self.async_sync()

    @callback
    def async_sync(self) -> None:
        """Make the registry show exactly the current findings."""
        findings = self.coordinator.data.findings if self.coordinator.data else ()
        current = {finding.cause: finding for finding in findings}
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
                **placeholders(finding, self.entry.title),
                "steps": steps_markdown(self.hass, finding.steps),
            },
            learn_more_url=f"{DOCS_URL}#{README_SECTION[finding.cause]}",
            data={"entry_id": self.entry.entry_id, "cause": finding.cause.value},
        )

    @callback
    def async_clear(self) -> None:
        """Remove every issue this entry may have raised."""
        async_delete_issues(self.hass, self.entry.entry_id)
        self._shown.clear()


@callback
def async_delete_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Remove every issue an entry may have raised, shown or not."""
    for cause in Cause:
        ir.async_delete_issue(hass, DOMAIN, issue_id(entry_id, cause))
