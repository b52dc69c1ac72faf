"""Config, options and reconfigure flows: which device to watch, and how closely."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_DEVICE, CONF_HOST, CONF_MAC
from homeassistant.core import callback
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)
import voluptuous as vol

from .const import (
    CONF_GRACE_PERIOD,
    CONF_MODEL,
    CONF_POLL_INTERVAL,
    CONF_POWER_SWITCH,
    CONF_SOURCE_KIND,
    CONF_WEAK_SIGNAL_DBM,
    DEFAULT_GRACE_MINUTES,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WEAK_SIGNAL_DBM,
    DOMAIN,
    MAX_GRACE_MINUTES,
    MAX_POLL_INTERVAL,
    MAX_WEAK_SIGNAL_DBM,
    MIN_GRACE_MINUTES,
    MIN_POLL_INTERVAL,
    MIN_WEAK_SIGNAL_DBM,
    SOURCE_KASA,
)
from .coordinator import RedLightDoctorConfigEntry
from .observation import Failure
from .probe.kasa import (
    KasaIdentity,
    KasaProbe,
    ProbeError,
    UnsupportedDevice,
    async_discovery_targets,
    discover,
)

HOSTNAME = re.compile(
    r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$", re.I
)
FAILURE_ERRORS = {
    Failure.TIMEOUT: "cannot_connect",
    Failure.UNREACHABLE: "cannot_connect",
    Failure.AUTH: "cannot_connect",
    Failure.REFUSED: "connection_refused",
    Failure.PROTOCOL: "not_kasa_device",
}
HOST_SCHEMA = vol.Schema({vol.Optional(CONF_HOST, default=""): TextSelector()})


def is_valid_host(host: str) -> bool:
    """Return whether a string can name a device on the network."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(HOSTNAME.match(host)) and not host.replace(".", "").isdigit()
    return True


class IdentifyError(Exception):
    """The device at a host could not be watched; `error` is the form's key."""

    def __init__(self, error: str, placeholders: dict[str, str]) -> None:
        """Keep what the form shows."""
        super().__init__(error)
        self.error = error
        self.placeholders = placeholders


async def async_identify(host: str) -> KasaIdentity:
    """Return who answers at a host, or raise IdentifyError saying what failed."""
    probe = KasaProbe(host)
    try:
        return await probe.identify()
    except ProbeError as err:
        raise IdentifyError(FAILURE_ERRORS[err.failure], {"host": host}) from err
    except UnsupportedDevice as err:
        raise IdentifyError(
            "unsupported_device", {"host": host, "model": err.model}
        ) from err
    finally:
        await probe.close()


async def async_check_host(
    host: str,
) -> tuple[KasaIdentity | None, dict[str, str], dict[str, str]]:
    """Return who answers at a host, or the form's errors and placeholders."""
    if not is_valid_host(host):
        return None, {CONF_HOST: "invalid_host"}, {"host": ""}
    try:
        return await async_identify(host), {}, {}
    except IdentifyError as err:
        return None, {"base": err.error}, err.placeholders


class RedLightDoctorConfigFlow(ConfigFlow, domain=DOMAIN):
    """Adds a device to watch."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with nothing discovered."""
        self._discovered: dict[str, KasaIdentity] = {}

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: RedLightDoctorConfigEntry,
    ) -> RedLightDoctorOptionsFlow:
        """Return the options flow."""
        return RedLightDoctorOptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a host, or search the network when it is left blank."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"host": ""}
        if user_input is not None:
            host = user_input.get(CONF_HOST, "").strip()
            if not host:
                return await self.async_step_pick_device()
            identity, errors, placeholders = await async_check_host(host)
            if identity is not None:
                return await self._async_create_entry(identity)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(HOST_SCHEMA, user_input),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_pick_device(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """List the devices that answered discovery and are not watched yet."""
        if user_input is not None:
            return await self._async_create_entry(
                self._discovered[user_input[CONF_DEVICE]]
            )
        watched = self._async_current_ids(include_ignore=False)
        found = await discover(await async_discovery_targets(self.hass))
        self._discovered = {
            mac: identity
            for identity in found
            if (mac := format_mac(identity.mac)) not in watched
        }
        if not self._discovered:
            return self.async_show_form(
                step_id="user",
                data_schema=HOST_SCHEMA,
                errors={"base": "no_devices_found"},
                description_placeholders={"host": ""},
            )
        return self.async_show_form(
            step_id="pick_device",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_DEVICE): vol.In(
                        {
                            mac: f"{identity.alias} ({identity.model}, {identity.host})"
                            for mac, identity in self._discovered.items()
                        }
                    )
                }
            ),
        )

    async def _async_create_entry(self, identity: KasaIdentity) -> ConfigFlowResult:
        await self.async_set_unique_id(format_mac(identity.mac))
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title=identity.alias,
            data={
                CONF_SOURCE_KIND: SOURCE_KASA,
                CONF_HOST: identity.host,
                CONF_MAC: format_mac(identity.mac),
                CONF_MODEL: identity.model,
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Point the entry at the device's new address."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"host": ""}
        if user_input is not None:
            identity, errors, placeholders = await async_check_host(
                user_input[CONF_HOST].strip()
            )
            if identity is not None:
                await self.async_set_unique_id(format_mac(identity.mac))
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_HOST: identity.host}
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_HOST): TextSelector()}),
                user_input or {CONF_HOST: entry.data[CONF_HOST]},
            ),
            errors=errors,
            description_placeholders=placeholders,
        )


def _number(minimum: int, maximum: int, unit: str) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=1,
            unit_of_measurement=unit,
            mode=NumberSelectorMode.BOX,
        )
    )


class RedLightDoctorOptionsFlow(OptionsFlow):
    """Changes how often and how strictly a device is judged."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the thresholds."""
        if user_input is not None:
            return self.async_create_entry(
                data={
                    key: value if key == CONF_POWER_SWITCH else int(value)
                    for key, value in user_input.items()
                }
            )
        options = self.config_entry.options
        return self.async_show_form(
            step_id="init",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_POLL_INTERVAL,
                        default=options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL),
                    ): _number(MIN_POLL_INTERVAL, MAX_POLL_INTERVAL, "s"),
                    vol.Required(
                        CONF_GRACE_PERIOD,
                        default=options.get(CONF_GRACE_PERIOD, DEFAULT_GRACE_MINUTES),
                    ): _number(MIN_GRACE_MINUTES, MAX_GRACE_MINUTES, "min"),
                    vol.Optional(
                        CONF_POWER_SWITCH,
                        description={"suggested_value": options.get(CONF_POWER_SWITCH)},
                    ): EntitySelector(EntitySelectorConfig(domain=SWITCH_DOMAIN)),
                    vol.Required(
                        CONF_WEAK_SIGNAL_DBM,
                        default=options.get(
                            CONF_WEAK_SIGNAL_DBM, DEFAULT_WEAK_SIGNAL_DBM
                        ),
                    ): _number(MIN_WEAK_SIGNAL_DBM, MAX_WEAK_SIGNAL_DBM, "dBm"),
                }
            ),
        )
