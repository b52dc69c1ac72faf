"""Fix flows for the cards: check again, and do what Red Light Doctor can do itself."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from enum import StrEnum
from typing import Any, Final

from homeassistant.components.repairs import RepairsFlow
from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_PASSWORD,
    CONF_USERNAME,
    SERVICE_TURN_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from kasa import Credentials

from .compat import FixFlowResult, vol
from .config_flow import CREDENTIALS_SCHEMA, LOGIN_ERRORS, error_of
from .const import CONF_POWER_SWITCH
from .coordinator import RedLightDoctorCoordinator
from .diagnosis import Cause, Finding, Fix, format_duration
from .probe.kasa import ProbeError
from .texts import placeholders, steps_markdown

# A device takes a while to boot and join the Wi-Fi again.
WAIT_ATTEMPTS: Final = 24
WAIT_BETWEEN_ATTEMPTS: Final = 5.0


class Outcome(StrEnum):
    """How a fix went; each failure is an error the flow shows."""

    DONE = "done"
    RESTART_FAILED = "restart_failed"
    SWITCH_FAILED = "switch_failed"
    NOT_FOUND = "not_found"
    FIRMWARE_FAILED = "firmware_failed"
    DEVICE_OFFLINE = "device_offline"


PROGRESS: dict[Fix, str] = {
    Fix.FIND_DEVICE: "searching",
    Fix.RESTART: "restarting",
    Fix.TURN_ON_POWER_SWITCH: "switching_on",
    Fix.INSTALL_FIRMWARE: "installing",
}


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Return the fix flow of one of our cards."""
    assert data is not None
    return FindingFixFlow(str(data["entry_id"]), Cause(str(data["cause"])))


class FindingFixFlow(RepairsFlow):
    """Shows the card's evidence and steps, then checks again or fixes it."""

    def __init__(self, entry_id: str, cause: Cause) -> None:
        """Remember which device and which problem the card is about."""
        self._entry_id = entry_id
        self._cause = cause
        self._task: asyncio.Task[Outcome] | None = None
        self._outcome: Outcome | None = None

    @property
    def _coordinator(self) -> RedLightDoctorCoordinator | None:
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        coordinator: RedLightDoctorCoordinator = entry.runtime_data
        return coordinator

    def _finding(self) -> Finding | None:
        coordinator = self._coordinator
        if coordinator is None:
            return None
        return next(
            (f for f in coordinator.data.findings if f.cause is self._cause), None
        )

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Offer the fixes that apply, or go straight to checking again."""
        if self._coordinator is None:
            return self.async_abort(reason="not_loaded")
        if (finding := self._finding()) is None:
            return self.async_abort(reason="already_fixed")
        fixes = [fix for fix in finding.fixes if self._applies(fix)]
        if not fixes:
            return await self.async_step_check_again()
        return self.async_show_menu(
            step_id="init",
            menu_options=["check_again", *fixes],
            description_placeholders=self._placeholders(finding),
        )

    async def async_step_check_again(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Show the evidence and steps; on submit, poll and diagnose right away."""
        errors: dict[str, str] = {}
        coordinator = self._coordinator
        if coordinator is None:
            return self.async_abort(reason="not_loaded")
        if user_input is not None:
            await coordinator.async_refresh()
            if self._finding() is None:
                return self.async_create_entry(data={})
            errors["base"] = self._still_error()
        return self._show_check_again(errors)

    async def async_step_find_device(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Look for the device at another address, and follow it there."""
        return self._run(Fix.FIND_DEVICE, self._find_device)

    async def async_step_restart(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Reboot the device and wait for it to answer again."""
        return self._run(Fix.RESTART, self._restart)

    async def async_step_turn_on_power_switch(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Switch on the smart plug that feeds the device and wait for it."""
        return self._run(Fix.TURN_ON_POWER_SWITCH, self._turn_on_power_switch)

    async def async_step_install_firmware(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Install the offered firmware and wait for the device to run it."""
        return self._run(Fix.INSTALL_FIRMWARE, self._install_firmware)

    async def async_step_new_credentials(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Ask for the account the device now accepts, and try it live."""
        coordinator = self._coordinator
        if coordinator is None:
            return self.async_abort(reason="not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = Credentials(
                user_input[CONF_USERNAME].strip(), user_input[CONF_PASSWORD]
            )
            try:
                await coordinator.async_log_in(credentials)
            except ProbeError as err:
                errors["base"] = error_of(err, LOGIN_ERRORS)
            else:
                if self._finding() is None:
                    return self.async_create_entry(data={})
                errors["base"] = self._still_error()
        return self.async_show_form(
            step_id="new_credentials",
            data_schema=CREDENTIALS_SCHEMA,
            errors=errors,
            description_placeholders={"device": self._title()},
        )

    async def async_step_remove_entry(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Stop watching a device that is gone, once the user confirms."""
        if user_input is not None:
            await self.hass.config_entries.async_remove(self._entry_id)
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="remove_entry",
            data_schema=vol.Schema({}),
            description_placeholders={"device": self._title()},
        )

    async def async_step_result(
        self, user_input: dict[str, Any] | None = None
    ) -> FixFlowResult:
        """Close the card if the fix worked; otherwise say what went wrong."""
        if self._coordinator is None:
            return self.async_abort(reason="not_loaded")
        if self._finding() is None:
            return self.async_create_entry(data={})
        outcome = self._outcome
        error = self._still_error() if outcome is Outcome.DONE else str(outcome)
        return self._show_check_again({"base": error})

    def _run(
        self, fix: Fix, work: Callable[[], Coroutine[Any, Any, Outcome]]
    ) -> FixFlowResult:
        coordinator = self._coordinator
        if self._task is None:
            if coordinator is None:
                return self.async_abort(reason="not_loaded")
            # The entry's own work: cancelled when the entry unloads or Home
            # Assistant stops, instead of outliving the device it fixes.
            self._task = coordinator.config_entry.async_create_background_task(
                self.hass, work(), f"red_light_doctor fix {fix}"
            )
        if not self._task.done():
            return self.async_show_progress(
                step_id=fix,
                progress_action=PROGRESS[fix],
                progress_task=self._task,
                description_placeholders={"device": self._title()},
            )
        task, self._task = self._task, None
        # Cancelled with its entry: the result step says the entry is gone.
        self._outcome = None if task.cancelled() else task.result()
        return self.async_show_progress_done(next_step_id="result")

    def _show_check_again(self, errors: dict[str, str]) -> FixFlowResult:
        finding = self._finding()
        return self.async_show_form(
            step_id="check_again",
            data_schema=vol.Schema({}),
            errors=errors,
            description_placeholders=self._placeholders(finding) if finding else {},
        )

    def _applies(self, fix: Fix) -> bool:
        coordinator = self._coordinator
        assert coordinator is not None
        if not coordinator.supports(fix):
            return False
        if fix is Fix.TURN_ON_POWER_SWITCH:
            return self._power_switch() is not None
        if fix is Fix.RESTART:
            return coordinator.history.online is True
        return True

    def _power_switch(self) -> str | None:
        coordinator = self._coordinator
        assert coordinator is not None
        switch: str | None = coordinator.config_entry.options.get(CONF_POWER_SWITCH)
        return switch

    def _title(self) -> str:
        coordinator = self._coordinator
        return coordinator.config_entry.title if coordinator else ""

    def _placeholders(self, finding: Finding) -> dict[str, str]:
        coordinator = self._coordinator
        assert coordinator is not None
        last_seen = coordinator.history.last_seen
        return {
            **placeholders(finding, coordinator.config_entry),
            "steps": steps_markdown(self.hass, finding.steps, coordinator.config_entry),
            "last_seen_ago": format_duration(dt_util.utcnow() - last_seen)
            if last_seen
            else "",
        }

    def _still_error(self) -> str:
        """Name what is still wrong, in the words of the error the form shows."""
        coordinator = self._coordinator
        if (
            self._cause is Cause.OFFLINE
            and coordinator is not None
            and coordinator.history.last_seen is None
        ):
            return "still_offline_never_seen"
        return f"still_{self._cause}"

    async def _find_device(self) -> Outcome:
        coordinator = self._coordinator
        assert coordinator is not None
        await coordinator.async_find_now()
        return Outcome.DONE if coordinator.history.online else Outcome.NOT_FOUND

    async def _restart(self) -> Outcome:
        coordinator = self._coordinator
        assert coordinator is not None
        reboots_before = len(coordinator.history.reboots)
        try:
            await coordinator.async_restart()
        except ProbeError:
            return Outcome.RESTART_FAILED
        # It may answer once more before it goes down: done when a reboot shows.
        await self._wait_for(
            lambda: coordinator.history.online is True
            and len(coordinator.history.reboots) > reboots_before
        )
        return Outcome.DONE

    async def _turn_on_power_switch(self) -> Outcome:
        coordinator = self._coordinator
        assert coordinator is not None
        try:
            await self.hass.services.async_call(
                SWITCH_DOMAIN,
                SERVICE_TURN_ON,
                {ATTR_ENTITY_ID: self._power_switch()},
                blocking=True,
            )
        except HomeAssistantError:
            return Outcome.SWITCH_FAILED
        await self._wait_for(lambda: coordinator.history.online is True)
        return Outcome.DONE

    async def _install_firmware(self) -> Outcome:
        coordinator = self._coordinator
        assert coordinator is not None
        if not coordinator.history.online:
            return Outcome.DEVICE_OFFLINE
        if not await coordinator.async_install_firmware():
            return Outcome.FIRMWARE_FAILED
        # It reboots into the new firmware; done when it answers without news.
        await self._wait_for(
            lambda: coordinator.history.online is True and self._finding() is None
        )
        return Outcome.DONE

    async def _wait_for(self, answered: Callable[[], bool]) -> None:
        coordinator = self._coordinator
        assert coordinator is not None
        for attempt in range(WAIT_ATTEMPTS):
            if attempt:
                await asyncio.sleep(WAIT_BETWEEN_ATTEMPTS)
            await coordinator.async_refresh()
            if answered():
                return
