"""The supervisor of ``make run``: a crashed process is restarted with back-off, the others are left alone."""

import asyncio
import io
import os
import re
import signal
import sys
from collections.abc import Callable

from bianmin.testing.supervisor import Program, Supervisor, describe_exit

PYTHON = sys.executable


def crashing(code: int = 3, after: float = 0.0) -> list[str]:
    return [PYTHON, "-c", f"import sys, time; print('working', flush=True); time.sleep({after}); sys.exit({code})"]


def steady() -> list[str]:
    return [PYTHON, "-c", "import time; print('serving', flush=True); time.sleep(60)"]


async def _run_until(supervisor: Supervisor, out: io.StringIO, done: Callable[[str], bool]) -> None:
    task = asyncio.create_task(supervisor.run())
    for _ in range(400):
        if done(out.getvalue()):
            break
        await asyncio.sleep(0.025)
    supervisor.stop()
    assert await asyncio.wait_for(task, timeout=10) == 0


def _delays(output: str, name: str) -> list[float]:
    return [float(d) for d in re.findall(rf"\| {name} exited .*restarting in ([\d.]+) s", output)]


async def test_a_crashing_process_is_restarted_with_doubling_capped_backoff_and_the_others_keep_running() -> None:
    out = io.StringIO()
    supervisor = Supervisor([Program("credit", crashing()), Program("queue", steady())], out=out,
                            initial_backoff=0.05, max_backoff=0.2, stable_seconds=30)
    await _run_until(supervisor, out, lambda text: text.count("credit exited") >= 5)
    output = out.getvalue()
    assert _delays(output, "credit")[:5] == [0.05, 0.1, 0.2, 0.2, 0.2]
    assert "credit exited (exit code 3)" in output
    assert re.search(r"credit +\| working", output), "the process's own output is passed on under its name"
    assert output.count("queue started") == 1, "the steady process was left alone"
    assert "queue exited" not in output
    assert re.search(r"queue stopped", output)


async def test_the_backoff_starts_again_after_a_run_that_lasted() -> None:
    out = io.StringIO()
    supervisor = Supervisor([Program("bidding", crashing(after=0.3))], out=out, initial_backoff=0.05,
                            max_backoff=1, stable_seconds=0.2)
    await _run_until(supervisor, out, lambda text: text.count("bidding exited") >= 3)
    assert _delays(out.getvalue(), "bidding")[:3] == [0.05, 0.05, 0.05]


async def test_a_killed_process_is_restarted_and_stop_ends_every_process() -> None:
    out = io.StringIO()
    supervisor = Supervisor([Program("credit", steady()), Program("queue", steady())], out=out, initial_backoff=0.05)
    task = asyncio.create_task(supervisor.run())
    for _ in range(200):
        if len(supervisor.running) == 2:
            break
        await asyncio.sleep(0.025)
    first = supervisor.running["credit"].pid
    os.kill(first, signal.SIGKILL)
    for _ in range(200):
        process = supervisor.running.get("credit")
        if process is not None and process.pid != first:
            break
        await asyncio.sleep(0.025)
    pids = [p.pid for p in supervisor.running.values()]
    supervisor.stop()
    assert await asyncio.wait_for(task, timeout=10) == 0
    assert "credit exited (killed by SIGKILL)" in out.getvalue()
    assert supervisor.restarts == {"credit": 1, "queue": 0}
    for pid in pids:
        assert _gone(pid), f"process {pid} outlived the supervisor"


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_exit_statuses_read_as_a_person_would_say_them() -> None:
    assert describe_exit(0) == "exit code 0"
    assert describe_exit(-9) == "killed by SIGKILL"
