"""Constants for Red Light Doctor."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "red_light_doctor"
LOGGER = logging.getLogger(__package__)

CONF_SOURCE_KIND: Final = "source"
SOURCE_KASA: Final = "kasa"
# A device another integration owns, read through its entities.
SOURCE_HA_DEVICE: Final = "ha_device"
CONF_DEVICE_ID: Final = "device_id"
CONF_MAKER: Final = "maker"

CONF_MODEL: Final = "model"
CONF_FAMILY: Final = "family"
# How python-kasa reaches a device that needs a login, and the hash of that
# login (never the password).
CONF_CONNECTION: Final = "connection"
CONF_CREDENTIALS_HASH: Final = "credentials_hash"
CONF_HAS_EMETER: Final = "has_emeter"

CONF_POLL_INTERVAL: Final = "poll_interval"
CONF_GRACE_PERIOD: Final = "grace_period"
CONF_WEAK_SIGNAL_DBM: Final = "weak_signal_dbm"
CONF_POWER_SWITCH: Final = "power_switch"

DEFAULT_POLL_INTERVAL: Final = 30
MIN_POLL_INTERVAL: Final = 10
MAX_POLL_INTERVAL: Final = 600
DEFAULT_GRACE_MINUTES: Final = 3
MIN_GRACE_MINUTES: Final = 1
MAX_GRACE_MINUTES: Final = 120
DEFAULT_WEAK_SIGNAL_DBM: Final = -70
# Battery cameras: below this a battery counts as low even without a low flag.
LOW_BATTERY_PERCENT: Final = 20
MIN_WEAK_SIGNAL_DBM: Final = -90
MAX_WEAK_SIGNAL_DBM: Final = -50

# An offline device is polled less and less often, never less than this.
MAX_OFFLINE_BACKOFF: Final = timedelta(minutes=5)

# A device read through its entities is looked at again this often while
# nothing changes, so that grace periods run out on time.
WATCHED_DEVICE_RECHECK_INTERVAL: Final = timedelta(minutes=1)

# While a device is dark, look for it at another address this often.
MOVED_DEVICE_SEARCH_INTERVAL: Final = timedelta(minutes=10)

# The least time one attempt to poll or restart a device gets, whatever
# python-kasa does inside it; an attempt that must open a session first gets
# DEVICE_TIMEOUT for each of its round trips when that is longer. A login
# from a flow gets this long in all, a firmware check three times as long.
PROBE_TIMEOUT: Final = 10.0
# How long python-kasa waits for one answer from a device.
DEVICE_TIMEOUT: Final = 5

DISCOVERY_TIMEOUT: Final = 3

# Firmware news changes slowly; asking costs a few round trips.
FIRMWARE_CHECK_INTERVAL: Final = timedelta(hours=6)
FIRMWARE_INSTALL_TIMEOUT: Final = 600.0

DOCS_URL: Final = "https://github.com/red-light-doctor/red-light-doctor"
