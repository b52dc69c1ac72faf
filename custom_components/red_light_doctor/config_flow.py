"""Config, options and reconfigure flows: which device to watch, and how closely."""

from __future__ import annotations

from collections.abc import Mapping
import ipaddress
import math
import re
from typing import Any

from homeassistant.components import network
from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import (
    CONF_DEVICE,
    CONF_HOST,
    CONF_MAC,
    CONF_PASSWORD,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import (
    DeviceSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.util.hass_dict import HassKey
from kasa import Credentials, UnsupportedDeviceError

from .compat import device_by_id, maker_and_model, vol
from .const import (
    CONF_CONNECTION,
    CONF_CREDENTIALS_HASH,
    CONF_DEVICE_ID,
    CONF_FAMILY,
    CONF_GRACE_PERIOD,
    CONF_MAKER,
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
    SOURCE_HA_DEVICE,
    SOURCE_KASA,
)
from .coordinator import RedLightDoctorConfigEntry
from .diagnosis import Family
from .observation import Failure
from .probe.entities import (
    TPLINK_DOMAIN,
    detect_family,
    owned_by_others,
    tplink_device_with_mac,
)
from .probe.errors import is_unknown_name
from .probe.kasa import (
    BadIdentity,
    KasaIdentity,
    KasaProbe,
    ProbeError,
    UnsupportedDevice,
    async_discover_at,
    async_discovery_targets,
    async_login,
    discover,
)

# Options kept as chosen; every other option is a whole number.
TEXT_OPTIONS = frozenset({CONF_POWER_SWITCH, CONF_FAMILY})
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
CREDENTIALS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_USERNAME): TextSelector(
            TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
        ),
        vol.Required(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(
                type=TextSelectorType.PASSWORD, autocomplete="current-password"
            )
        ),
    }
)
LOGIN_ERRORS = {
    Failure.AUTH: "invalid_auth",
    Failure.HANDSHAKE_REJECTED: "handshake_rejected",
}
# Kept in memory only, so that the next device of the same account needs no
# typing; never stored.
LAST_GOOD_CREDENTIALS: HassKey[Credentials] = HassKey(f"{DOMAIN}_last_credentials")


def device_name(hass: HomeAssistant, device: dr.DeviceEntry) -> str:
    """Return a device's name as the user sees it."""
    return (
        device.name_by_user
        or device.name
        or maker_and_model(hass, device)[1]
        or device.id
    )


def tplink_device_at_host(hass: HomeAssistant, host: str) -> dr.DeviceEntry | None:
    """Return the core TP-Link integration's device at an address, if it has one.

    Its entries are named by the device's MAC, so the device is found without
    asking the device anything.
    """
    for entry in hass.config_entries.async_entries(TPLINK_DOMAIN):
        if entry.data.get(CONF_HOST) == host and entry.unique_id:
            return tplink_device_with_mac(hass, entry.unique_id)
    return None


def saved_identity(entry: ConfigEntry) -> KasaIdentity:
    """Return the device an entry watches, as a login needs it."""
    data = entry.data
    return KasaIdentity(
        host=data[CONF_HOST],
        mac=data[CONF_MAC],
        alias=entry.title,
        model=data.get(CONF_MODEL, ""),
        connection=data[CONF_CONNECTION],
    )


def is_valid_host(host: str) -> bool:
    """Return whether a string can name a device on the network."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(HOSTNAME.match(host)) and not host.replace(".", "").isdigit()
    return True


def error_of(error: ProbeError, by_failure: Mapping[Failure, str]) -> str:
    """Return the form's error key for a probe error.

    A device that does not say who it is fails as PROTOCOL, like a garbled
    reply, but what the user can do about it differs.
    """
    if isinstance(error, BadIdentity):
        return "bad_identity"
    return by_failure.get(error.failure, "cannot_connect")


def username_only(user_input: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return what a login form may show again after an error: never the password."""
    if not user_input or CONF_USERNAME not in user_input:
        return {}
    return {CONF_USERNAME: user_input[CONF_USERNAME]}


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
        # No legacy answer: a device that needs a login, or a Kasa Spot
        # camera, says who it is in discovery.
        if (found := await _async_discover_at(host)) is not None:
            return found
        raise IdentifyError(error_of(err, FAILURE_ERRORS), {"host": host}) from err
    except UnsupportedDevice as err:
        raise IdentifyError(
            "unsupported_device", {"host": host, "model": err.model}
        ) from err
    finally:
        await probe.close()


async def _async_discover_at(host: str) -> KasaIdentity | None:
    try:
        return await async_discover_at(host)
    except BadIdentity as err:
        raise IdentifyError("bad_identity", {"host": host}) from err
    except UnsupportedDeviceError as err:
        raise IdentifyError("unsupported_login", {"host": host}) from err


async def async_is_network_address(hass: HomeAssistant, host: str) -> bool:
    """Return whether an address names a whole network rather than one device.

    A broadcast is answered by whichever device answers first, so it must
    never become the address an entry watches.
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return True
    broadcasts = await network.async_get_ipv4_broadcast_addresses(hass)
    if address in broadcasts:
        return True
    for adapter in await network.async_get_adapters(hass):
        for ipv4 in adapter["ipv4"]:
            subnet = ipaddress.ip_network(
                f"{ipv4['address']}/{ipv4['network_prefix']}", strict=False
            )
            if subnet.prefixlen < 31 and address in (
                subnet.network_address,
                subnet.broadcast_address,
            ):
                return True
    return False


async def async_check_host(
    hass: HomeAssistant, host: str
) -> tuple[KasaIdentity | None, dict[str, str], dict[str, str]]:
    """Return who answers at a host, or the form's errors and placeholders."""
    if not is_valid_host(host):
        return None, {CONF_HOST: "invalid_host"}, {"host": ""}
    if await async_is_network_address(hass, host):
        return None, {CONF_HOST: "not_a_host"}, {"host": host}
    if await hass.async_add_executor_job(is_unknown_name, host):
        return None, {CONF_HOST: "unknown_host"}, {"host": host}
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
        self._needs_login: KasaIdentity | None = None
        self._owned: dr.DeviceEntry | None = None

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
        """Ask where the device is: on the network, or already in Home Assistant."""
        return self.async_show_menu(
            step_id="user", menu_options=["network", "ha_device"]
        )

    async def async_step_network(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a host, or search the network when it is left blank."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"host": ""}
        if user_input is not None:
            host = user_input.get(CONF_HOST, "").strip()
            if not host:
                return await self.async_step_pick_device()
            if (owned := tplink_device_at_host(self.hass, host)) is not None:
                self._owned = owned
                return await self.async_step_watch_instead()
            identity, errors, placeholders = await async_check_host(self.hass, host)
            if identity is not None:
                return await self._async_create_entry(identity)
        return self.async_show_form(
            step_id="network",
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
                step_id="network",
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
        if (owned := tplink_device_with_mac(self.hass, identity.mac)) is not None:
            self._owned = owned
            return await self.async_step_watch_instead()
        if identity.needs_login:
            self._needs_login = identity
            return await self.async_step_credentials()
        data: dict[str, Any] = {
            CONF_SOURCE_KIND: SOURCE_KASA,
            CONF_HOST: identity.host,
            CONF_MAC: format_mac(identity.mac),
            CONF_MODEL: identity.model,
            CONF_FAMILY: identity.family,
        }
        if identity.connection is not None:
            data |= {
                CONF_CONNECTION: identity.connection,
                CONF_CREDENTIALS_HASH: identity.credentials_hash,
            }
        return self.async_create_entry(title=identity.alias, data=data)

    async def async_step_credentials(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Log in to a device that needs a TP-Link account."""
        identity = self._needs_login
        assert identity is not None
        errors: dict[str, str] = {}
        remembered: Credentials | None = self.hass.data.get(LAST_GOOD_CREDENTIALS)
        if user_input is None and remembered is not None:
            # The account that worked for the last device usually works here.
            try:
                return await self._async_create_entry(
                    await async_login(identity, remembered)
                )
            except ProbeError:
                pass
        if user_input is not None:
            credentials = Credentials(
                user_input[CONF_USERNAME].strip(), user_input[CONF_PASSWORD]
            )
            try:
                logged_in = await async_login(identity, credentials)
            except ProbeError as err:
                errors["base"] = error_of(err, LOGIN_ERRORS)
            else:
                self.hass.data[LAST_GOOD_CREDENTIALS] = credentials
                return await self._async_create_entry(logged_in)
        suggested = {CONF_USERNAME: remembered.username} if remembered else {}
        return self.async_show_form(
            step_id="credentials",
            data_schema=self.add_suggested_values_to_schema(
                CREDENTIALS_SCHEMA, username_only(user_input) or suggested
            ),
            errors=errors,
            description_placeholders={"model": identity.model, "host": identity.host},
        )

    async def async_step_watch_instead(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer to read a device the TP-Link integration already polls."""
        device = self._owned
        assert device is not None
        if user_input is not None:
            return await self._async_watch_device(device)
        return self.async_show_form(
            step_id="watch_instead",
            data_schema=vol.Schema({}),
            description_placeholders={"name": device_name(self.hass, device)},
        )

    async def async_step_ha_device(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick a device another integration already brings to Home Assistant."""
        errors: dict[str, str] = {}
        if user_input is not None:
            device = device_by_id(self.hass, user_input[CONF_DEVICE_ID])
            if device is None:
                errors[CONF_DEVICE_ID] = "device_not_found"
            elif not owned_by_others(self.hass, device):
                errors[CONF_DEVICE_ID] = "own_device"
            else:
                return await self._async_watch_device(device)
        return self.async_show_form(
            step_id="ha_device",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_DEVICE_ID): DeviceSelector()}),
                user_input,
            ),
            errors=errors,
        )

    async def _async_watch_device(self, device: dr.DeviceEntry) -> ConfigFlowResult:
        # A watched device keeps its id for life; the flow may have set a MAC.
        await self.async_set_unique_id(device.id, raise_on_progress=False)
        self._abort_if_unique_id_configured()
        maker, model = maker_and_model(self.hass, device)
        return self.async_create_entry(
            title=device_name(self.hass, device),
            data={
                CONF_SOURCE_KIND: SOURCE_HA_DEVICE,
                CONF_DEVICE_ID: device.id,
                CONF_FAMILY: detect_family(self.hass, device),
                CONF_MAKER: maker,
                CONF_MODEL: model,
            },
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Ask again for the login a device stopped accepting."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Try the new login on the device before keeping it."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = Credentials(
                user_input[CONF_USERNAME].strip(), user_input[CONF_PASSWORD]
            )
            try:
                logged_in = await async_login(saved_identity(entry), credentials)
            except ProbeError as err:
                errors["base"] = error_of(err, LOGIN_ERRORS)
            else:
                self.hass.data[LAST_GOOD_CREDENTIALS] = credentials
                # The entry's update listener reloads it with the new login.
                self.hass.config_entries.async_update_entry(
                    entry,
                    data={
                        **entry.data,
                        CONF_CONNECTION: logged_in.connection,
                        CONF_CREDENTIALS_HASH: logged_in.credentials_hash,
                    },
                )
                return self.async_abort(reason="reauth_successful")
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                CREDENTIALS_SCHEMA, username_only(user_input)
            ),
            errors=errors,
            # The errors name the device by its address.
            description_placeholders={
                "device": entry.title,
                "host": entry.data[CONF_HOST],
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Point the entry at the device's new address."""
        entry = self._get_reconfigure_entry()
        if CONF_HOST not in entry.data:
            # Read through another integration's entities: no address to change.
            return self.async_abort(
                reason="nothing_to_reconfigure",
                description_placeholders={"device": entry.title},
            )
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"host": ""}
        if user_input is not None:
            identity, errors, placeholders = await async_check_host(
                self.hass, user_input[CONF_HOST].strip()
            )
            if identity is not None:
                # Another flow may be adding the same device meanwhile; this
                # entry already owns it, so that is no reason to stop.
                await self.async_set_unique_id(
                    format_mac(identity.mac), raise_on_progress=False
                )
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                # The entry's update listener reloads it at the new address.
                self.hass.config_entries.async_update_entry(
                    entry, data={**entry.data, CONF_HOST: identity.host}
                )
                return self.async_abort(reason="reconfigure_successful")
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
        """Show the thresholds, and the family of a device read through entities."""
        errors: dict[str, str] = {}
        if user_input is not None:
            checked, errors = self._checked(user_input)
            if not errors:
                return self.async_create_entry(data=checked)
        options = self.config_entry.options
        watched = self.config_entry.data.get(CONF_SOURCE_KIND) == SOURCE_HA_DEVICE
        schema: dict[vol.Marker, Any] = {}
        if watched:
            # Entities change when they change; there is nothing to poll.
            schema[
                vol.Required(
                    CONF_FAMILY,
                    default=options.get(CONF_FAMILY)
                    or self.config_entry.data.get(CONF_FAMILY, Family.OTHER),
                )
            ] = SelectSelector(
                SelectSelectorConfig(
                    options=[family.value for family in Family],
                    translation_key=CONF_FAMILY,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            )
        else:
            schema[
                vol.Required(
                    CONF_POLL_INTERVAL,
                    default=options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL),
                )
            ] = _number(MIN_POLL_INTERVAL, MAX_POLL_INTERVAL, "s")
        schema |= {
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
                default=options.get(CONF_WEAK_SIGNAL_DBM, DEFAULT_WEAK_SIGNAL_DBM),
            ): _number(MIN_WEAK_SIGNAL_DBM, MAX_WEAK_SIGNAL_DBM, "dBm"),
        }
        return self.async_show_form(
            step_id="init", data_schema=vol.Schema(schema), errors=errors
        )

    def _checked(
        self, user_input: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Return the options as stored, or the errors that keep them from it.

        The number fields let "nan" through, and the switch field an entity's
        registry id, which must become the entity id it stands for.
        """
        options: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for key, value in user_input.items():
            if key == CONF_POWER_SWITCH:
                try:
                    options[key] = er.async_validate_entity_id(
                        er.async_get(self.hass), value
                    )
                except vol.Invalid:
                    errors[key] = "unknown_switch"
            elif key in TEXT_OPTIONS:
                options[key] = value
            elif isinstance(value, int | float) and math.isfinite(value):
                options[key] = int(value)
            else:
                errors[key] = "not_a_number"
        return options, errors
