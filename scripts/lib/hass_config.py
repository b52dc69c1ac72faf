"""Prepare a configuration folder for a real Home Assistant (hass -c FOLDER).

Shared by scripts/develop, scripts/demo, scripts/screenshots and
tests_realprocess/. As a command:

    python scripts/lib/hass_config.py prepare FOLDER [--port N] [--discovery]
                                              [--confirm-http]
    python scripts/lib/hass_config.py missing CONFIGURATION.yaml

`prepare` links the integration into FOLDER/custom_components; with --port it
first writes FOLDER/configuration.yaml from scripts/lib/configuration.yaml with
that port; with --discovery it enables the loopback network adapter, so that
discovery finds the simulated devices; with --confirm-http it stores the YAML
HTTP settings as confirmed (Home Assistant 2026.11 and later). `missing`
prints the requirements that Home Assistant would need to install (it cannot
with --skip-pip).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
import importlib.metadata
from ipaddress import ip_address
import json
import os
from pathlib import Path
import sys

from packaging.requirements import Requirement
import yaml

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "red_light_doctor"
TEMPLATE = Path(__file__).with_name("configuration.yaml")
HOST = "127.0.0.1"


class PrepareError(Exception):
    """The folder cannot be prepared as asked."""


def write_configuration(config: Path, port: int, template: Path = TEMPLATE) -> None:
    """Write configuration.yaml: the template, listening on HOST:port."""
    data = yaml.safe_load(template.read_text())
    http = data.get("http") or {}
    data["http"] = {**http, "server_host": HOST, "server_port": port}
    config.mkdir(parents=True, exist_ok=True)
    (config / "configuration.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def link_integration(config: Path) -> None:
    """Make Home Assistant load the integration from this checkout."""
    folder = config / "custom_components"
    link = folder / INTEGRATION.name
    folder.mkdir(parents=True, exist_ok=True)
    target = os.path.relpath(INTEGRATION, folder.resolve())
    if link.is_symlink() and os.readlink(link) == target:
        return
    if link.exists() or link.is_symlink():
        raise PrepareError(f"{link} exists but is not a link to {target}; move it away")
    link.symlink_to(target)


def enable_loopback_discovery(config: Path) -> list[str] | None:
    """Enable the loopback adapter for discovery, unless the network was set up.

    Discovery broadcasts on the adapters the network integration has enabled.
    By default that is only the adapter of the default route, so the simulated
    devices on loopback would not be found: enable the loopback adapter as
    well (the same as ticking it in Settings -> System -> Network). Returns the
    enabled adapters, or None when the folder already had a network setting.
    """
    from homeassistant.components.network.const import (
        ATTR_CONFIGURED_ADAPTERS,
        STORAGE_KEY,
        STORAGE_VERSION,
    )
    from homeassistant.components.network.util import async_load_adapters

    storage = config / ".storage" / STORAGE_KEY
    if storage.exists():
        return None
    adapters = asyncio.run(async_load_adapters())
    enabled = [
        adapter["name"]
        for adapter in adapters
        if adapter["auto"]
        or any(ip_address(ip["address"]).is_loopback for ip in adapter["ipv4"])
    ]
    storage.parent.mkdir(parents=True, exist_ok=True)
    storage.write_text(
        json.dumps(
            {
                "version": STORAGE_VERSION,
                "minor_version": 1,
                "key": STORAGE_KEY,
                "data": {ATTR_CONFIGURED_ADAPTERS: enabled},
            },
            indent=2,
        )
    )
    return enabled


def confirm_http_settings(config: Path) -> bool:
    """Store the YAML `http:` settings as confirmed, before the first start.

    Since 2026.11 Home Assistant moves them into its storage on the first
    start as a pending configuration, which it reverts five minutes later,
    restarting itself and listening on every interface, unless an admin
    confirms it (`http/config/promote`). scripts/demo confirms them after
    onboarding; scripts/develop has no login to do that with, so it stores
    what a confirmation leaves beforehand: the settings as the stable ones,
    nothing pending, the YAML taken over. Returns whether it wrote the store:
    not for a release without one, nor where the folder has one already.
    """
    try:
        from homeassistant.components.http import config as http_config
        from homeassistant.const import SERVER_PORT
    except ImportError:
        return False
    schema = getattr(http_config, "HTTP_STORAGE_SCHEMA", None)
    storage = config / ".storage" / http_config.STORAGE_KEY
    if schema is None or storage.exists():
        return False
    data = yaml.safe_load((config / "configuration.yaml").read_text()) or {}
    stable = {
        **schema({"server_port": SERVER_PORT, **(data.get("http") or {})}),
        "created_at": datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    store = {
        "version": http_config.STORAGE_VERSION,
        "minor_version": http_config.STORAGE_MINOR_VERSION,
        "key": http_config.STORAGE_KEY,
        "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
    }
    storage.parent.mkdir(parents=True, exist_ok=True)
    storage.write_text(json.dumps(store, indent=2, default=str))
    return True


def always_set_up() -> set[str]:
    """Return the integrations Home Assistant sets up whatever the configuration.

    Its core, and the defaults that every start outside recovery mode sets up
    (analytics, backup, camera and the other base platforms, ...): 2026.11
    has more of them, with requirements of their own.
    """
    from homeassistant import bootstrap

    return {
        *getattr(bootstrap, "CORE_INTEGRATIONS", ()),
        *getattr(bootstrap, "DEFAULT_INTEGRATIONS", ()),
    }


def missing_requirements(configuration: Path) -> list[str]:
    """Return the requirements not installed (or at another version).

    Those of the integrations the configuration loads, of those Home
    Assistant always sets up, of their dependencies, and of the custom
    integrations beside it. With --skip-pip Home Assistant installs nothing,
    so each must be in the environment already.
    """
    import homeassistant.components

    # Home Assistant's YAML tags (!include, !secret) are not used by these files.
    config = yaml.safe_load(configuration.read_text()) or {}
    folders = [configuration.parent / "custom_components", INTEGRATION.parent]
    folders.append(Path(homeassistant.components.__path__[0]))
    todo = [*config, *sorted(always_set_up()), INTEGRATION.name]
    seen: set[str] = set()
    missing: list[str] = []
    while todo:
        domain = todo.pop()
        if domain in seen:
            continue
        seen.add(domain)
        manifests = (folder / domain / "manifest.json" for folder in folders)
        manifest = next((path for path in manifests if path.exists()), None)
        if manifest is None:
            continue  # homeassistant:, or a platform key
        data = json.loads(manifest.read_text())
        todo.extend(data.get("dependencies", []))
        todo.extend(data.get("after_dependencies", []))
        for line in data.get("requirements", []):
            requirement = Requirement(line)
            try:
                installed = importlib.metadata.version(requirement.name)
            except importlib.metadata.PackageNotFoundError:
                installed = None
            if line not in missing and (
                installed is None
                or not requirement.specifier.contains(installed, prereleases=True)
            ):
                missing.append(line)
    return missing


def prepare(
    config: Path,
    port: int | None = None,
    *,
    discovery: bool = False,
    confirm_http: bool = False,
) -> None:
    """Write the configuration (with a port), link the integration, enable discovery."""
    if port is not None:
        write_configuration(config, port)
    link_integration(config)
    if discovery and (enabled := enable_loopback_discovery(config)) is not None:
        print(f"== network adapters enabled for discovery: {', '.join(enabled)}")
    if confirm_http and confirm_http_settings(config):
        print("== HTTP settings of configuration.yaml stored as confirmed")


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="hass_config.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_prepare = sub.add_parser("prepare", help="prepare a configuration folder")
    p_prepare.add_argument("folder", type=Path)
    p_prepare.add_argument("--port", type=int)
    p_prepare.add_argument("--discovery", action="store_true")
    p_prepare.add_argument("--confirm-http", action="store_true")
    p_missing = sub.add_parser("missing", help="print requirements not installed")
    p_missing.add_argument("configuration", type=Path)
    args = parser.parse_args(argv)
    if args.command == "missing":
        for line in missing_requirements(args.configuration):
            print(line)
        return 0
    try:
        prepare(
            args.folder,
            args.port,
            discovery=args.discovery,
            confirm_http=args.confirm_http,
        )
    except PrepareError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
