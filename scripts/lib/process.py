"""A child process in a session of its own, stopped by its process id.

Shared by tests_realprocess/ (hass and the simulator) and screenshots.py
(Chromium). Its output goes to a file; a session of its own keeps the
terminal's Ctrl-C away from it, so that only its parent stops it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
import signal

from hass_api import wait_for

ROOT = Path(__file__).resolve().parents[2]


class Process:
    """A command run in the background, with its output in `log`."""

    def __init__(self, name: str, args: list[str | Path], log: Path) -> None:
        """Remember what to run; `start` runs it."""
        self.name = name
        self.args = [str(arg) for arg in args]
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        """Return its process id (and that of its session and group)."""
        assert self.process is not None
        return self.process.pid

    async def start(self) -> None:
        """Start it, in the repository's folder."""
        with self.log.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                *self.args,
                cwd=ROOT,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self, lines: int | None = 40) -> str:
        """Return its output: the last `lines` lines, or all of it."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text if lines is None else "\n".join(text.splitlines()[-lines:])

    async def wait_until[T](
        self,
        check: Callable[[], Awaitable[T | None]],
        *,
        within: float,
        what: str,
        interval: float = 0.5,
    ) -> T:
        """Call `check` until it returns something; fail if the process exits."""

        async def checked() -> T | None:
            assert self.process is not None
            if self.process.returncode is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}:\n"
                    f"{self.output()}"
                )
            return await check()

        return await wait_for(checked, within=within, what=what, interval=interval)

    async def stop(self, grace: float) -> None:
        """Stop it by its id: SIGTERM, and SIGKILL after `grace` seconds."""
        process = self.process
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            process.kill()
            await process.wait()
