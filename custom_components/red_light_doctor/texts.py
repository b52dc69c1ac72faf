"""Findings in words, in Home Assistant's language: for cards, events and actions."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.translation import (
    async_get_cached_translations,
    async_get_translations,
)

from .const import DOMAIN
from .diagnosis import Finding, Step

CATEGORIES = ("issues", "steps")


async def async_load_texts(hass: HomeAssistant) -> None:
    """Load the wording of findings and steps into the translation cache."""
    for category in CATEGORIES:
        await async_get_translations(hass, hass.config.language, category, [DOMAIN])


def _strings(hass: HomeAssistant, category: str) -> dict[str, str]:
    return async_get_cached_translations(hass, hass.config.language, category, DOMAIN)


def placeholders(finding: Finding, device: str) -> dict[str, str]:
    """Return the values the wording of a finding refers to."""
    return {"device": device, **finding.evidence}


@callback
def step_texts(hass: HomeAssistant, steps: tuple[Step, ...]) -> list[str]:
    """Return what each step says."""
    strings = _strings(hass, "steps")
    return [strings.get(f"component.{DOMAIN}.steps.{step}", step) for step in steps]


@callback
def steps_markdown(hass: HomeAssistant, steps: tuple[Step, ...]) -> str:
    """Return the steps as a numbered Markdown list."""
    return "\n".join(
        f"{number}. {text}"
        for number, text in enumerate(step_texts(hass, steps), start=1)
    )


@callback
def summary(hass: HomeAssistant, finding: Finding, device: str) -> str:
    """Return the one-line summary of a finding: its card's title."""
    template = _strings(hass, "issues").get(
        f"component.{DOMAIN}.issues.{finding.key}.title", "{device}: " + finding.key
    )
    return template.format_map(placeholders(finding, device))
