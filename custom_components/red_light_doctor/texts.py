"""Findings in words, in Home Assistant's language: for cards, events and actions."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.translation import (
    async_get_cached_translations,
    async_get_translations,
)

from .const import CONF_FAMILY, CONF_MAKER, DOMAIN
from .diagnosis import Family, Finding, Step

TP_LINK = "TP-Link"
TP_LINK_APPS = {Family.TAPO_CAMERA: "Tapo", Family.KASA_CAMERA: "Kasa"}
CATEGORIES = ("issues", "steps")


def family_of(entry: ConfigEntry) -> Family:
    """Return an entry's device family: as chosen in the options, or detected."""
    chosen = entry.options.get(CONF_FAMILY) or entry.data.get(CONF_FAMILY)
    return Family(str(chosen or Family.PLUG))


async def async_load_texts(hass: HomeAssistant) -> None:
    """Load the wording of findings and steps into the translation cache."""
    for category in CATEGORIES:
        await async_get_translations(hass, hass.config.language, category, [DOMAIN])


def _strings(hass: HomeAssistant, category: str) -> dict[str, str]:
    return async_get_cached_translations(hass, hass.config.language, category, DOMAIN)


def maker_words(entry: ConfigEntry) -> dict[str, str]:
    """Return how steps name the device's maker and its app."""
    maker = entry.data.get(CONF_MAKER) or TP_LINK
    if maker.lower() in ("tp-link", "tplink"):
        app = TP_LINK_APPS.get(family_of(entry), "Kasa or Tapo")
        return {"maker": TP_LINK, "app": app}
    return {"maker": maker, "app": maker}


def placeholders(finding: Finding, entry: ConfigEntry) -> dict[str, str]:
    """Return the values the wording of a finding refers to."""
    return {"device": entry.title, **maker_words(entry), **finding.evidence}


@callback
def step_texts(
    hass: HomeAssistant, steps: tuple[Step, ...], entry: ConfigEntry
) -> list[str]:
    """Return what each step says, naming the device's maker and app."""
    strings = _strings(hass, "steps")
    words = maker_words(entry)
    return [
        strings.get(f"component.{DOMAIN}.steps.{step}", step).format_map(words)
        for step in steps
    ]


@callback
def steps_markdown(
    hass: HomeAssistant, steps: tuple[Step, ...], entry: ConfigEntry
) -> str:
    """Return the steps as a numbered Markdown list."""
    return "\n".join(
        f"{number}. {text}"
        for number, text in enumerate(step_texts(hass, steps, entry), start=1)
    )


@callback
def summary(hass: HomeAssistant, finding: Finding, entry: ConfigEntry) -> str:
    """Return the one-line summary of a finding: its card's title."""
    template = _strings(hass, "issues").get(
        f"component.{DOMAIN}.issues.{finding.key}.title", "{device}: " + finding.key
    )
    return template.format_map(placeholders(finding, entry))
