"""A small process supervisor for ``make run``: start each process, restart a crashed one, stop all on Ctrl-C.

honcho, which ``make run`` used before, stops every process as soon as one exits: after ``kill -9``
of one service the whole platform was down and stayed down (issue 17, finding 9). Here a process
that exits on its own is started again after a back-off that doubles with each crash in a row
(``initial_backoff`` up to ``max_backoff``), and starts from ``initial_backoff`` again once a run
has lasted ``stable_seconds``; each restart is logged with the exit status. The others never
notice. SIGINT (Ctrl-C) or SIGTERM stops every process with SIGTERM, then SIGKILL after
``stop_seconds``, and the supervisor returns 0.

Output is honcho's: each line of a process, prefixed with the time and its name; the supervisor's
own lines under ``system``. Each process runs in its own session, so the terminal's Ctrl-C reaches
only the supervisor, which then stops the processes in order instead of all dying mid-write.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bianmin.kit.waits import until_set

SYSTEM = "system"
LINE_LIMIT = 1 << 20


@dataclass(frozen=True)
class Program:
    """One process to keep running: its name in the output, its command line and its environment."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    cwd: Path | None = None


def describe_exit(code: int) -> str:
    """``exit code 3`` or ``killed by SIGKILL``, from a return code as asyncio reports it."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Supervisor:
    """Runs programs side by side until asked to stop, restarting each one that exits."""

    def __init__(self, programs: Sequence[Program], *, out: TextIO | None = None, initial_backoff: float = 1.0,
                 max_backoff: float = 30.0, stable_seconds: float = 30.0, stop_seconds: float = 10.0) -> None:
        self.programs = list(programs)
        self.out = out or sys.stdout
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.stable_seconds = stable_seconds
        self.stop_seconds = stop_seconds
        self.width = max([len(SYSTEM), *(len(p.name) for p in self.programs)])
        self.running: dict[str, asyncio.subprocess.Process] = {}
        self.restarts: dict[str, int] = {p.name: 0 for p in self.programs}
        self._stopping: asyncio.Event | None = None

    def say(self, name: str, text: str) -> None:
        """One line of output, prefixed as honcho does."""
        self.out.write(f"{time.strftime('%H:%M:%S')} {name:<{self.width}} | {text}\n")
        self.out.flush()

    def backoff(self, crashes_in_a_row: int) -> float:
        """The wait before the next start after ``crashes_in_a_row`` (1, 2, ...) quick exits."""
        return min(self.max_backoff, self.initial_backoff * 2 ** (crashes_in_a_row - 1))

    def stop(self) -> None:
        """Ask every process to stop (what SIGINT and SIGTERM do)."""
        if self._stopping is not None:
            self._stopping.set()

    async def run(self) -> int:
        """Run until SIGINT or SIGTERM (or :meth:`stop`), then stop every process; 0."""
        self._stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop)
        try:
            keepers = [asyncio.create_task(self._keep(program), name=program.name) for program in self.programs]
            await self._stopping.wait()
            self.say(SYSTEM, "stopping every process")
            for name, process in list(self.running.items()):
                self._signal(name, process, signal.SIGTERM)
            done, pending = await asyncio.wait(keepers, timeout=self.stop_seconds)
            for name, process in list(self.running.items()):
                self.say(SYSTEM, f"{name} did not stop in {self.stop_seconds:.0f} s; killing it")
                self._signal(name, process, signal.SIGKILL)
            if pending:
                await asyncio.wait(pending)
            for task in done | pending:
                if not task.cancelled() and task.exception() is not None:
                    self.say(SYSTEM, f"{task.get_name()}: {task.exception()!r}")
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        return 0

    @staticmethod
    def _signal(name: str, process: asyncio.subprocess.Process, sig: int) -> None:
        # The whole process group: a service's workers and children go with it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)

    async def _keep(self, program: Program) -> None:
        """Start ``program``, and start it again each time it exits, until the supervisor stops."""
        assert self._stopping is not None
        crashes = 0
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                process = await asyncio.create_subprocess_exec(
                    *program.argv, env=dict(program.env), cwd=program.cwd, stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
                    limit=LINE_LIMIT)
            except OSError as exc:
                code_text = f"could not start: {exc}"
            else:
                self.running[program.name] = process
                self.say(SYSTEM, f"{program.name} started (pid={process.pid})")
                assert process.stdout is not None
                pump = asyncio.create_task(self._pump(program.name, process.stdout))
                code = await process.wait()
                await pump
                del self.running[program.name]
                code_text = describe_exit(code)
            if self._stopping.is_set():
                self.say(SYSTEM, f"{program.name} stopped ({code_text})")
                return
            ran = time.monotonic() - started
            crashes = 1 if ran >= self.stable_seconds else crashes + 1
            delay = self.backoff(crashes)
            self.restarts[program.name] += 1
            self.say(SYSTEM, f"{program.name} exited ({code_text}) after {ran:.1f} s; "
                             f"restarting in {delay:g} s (restart {self.restarts[program.name]})")
            await until_set(self._stopping, delay)

    async def _pump(self, name: str, stream: asyncio.StreamReader) -> None:
        """Copy a process's output, line by line, under its name."""
        while True:
            try:
                line = await stream.readline()
            except ValueError:  # longer than LINE_LIMIT: asyncio has dropped it
                self.say(name, f"[a line of more than {LINE_LIMIT} bytes, left out]")
                continue
            if not line:
                return
            self.say(name, line.decode(errors="replace").rstrip("\n"))


def supervise(programs: Sequence[Program], **options: float) -> int:
    """Run a :class:`Supervisor` in the foreground until Ctrl-C; its exit status."""
    return asyncio.run(Supervisor(programs, **options).run())
