"""A small file system of a test's own that can really be filled: a tmpfs mounted on a folder.

A full disk is best shown on a disk that is really full: SQLite then fails the way it fails in
production (ENOSPC on its WAL becomes SQLITE_FULL), not the way a mock says. Mounting needs the
right to (root, as in CI); where it is refused, :class:`MountRefused` lets the caller skip.
The mount is lazy-unmounted on exit, so a process still holding a file there cannot keep it.
"""

from __future__ import annotations

import contextlib
import errno
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

BALLAST = "ballast"


class MountRefused(Exception):
    """This process may not mount a file system here."""


@contextlib.contextmanager
def small_disk(folder: Path, *, size_mib: int) -> Iterator[Path]:
    """Mount a tmpfs of ``size_mib`` MiB on ``folder`` (created) for the block; MountRefused when not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mib}m,mode=0755",
                        f"bianmin-disk-{uuid.uuid4().hex[:8]}", str(folder)],
                       check=True, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError) as exc:
        raise MountRefused(f"cannot mount a tmpfs on {folder}: {exc}") from exc
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True, timeout=10)


def fill(disk: Path) -> Path:
    """Write a ballast file until the file system refuses another byte; the ballast's path."""
    ballast = disk / BALLAST
    with open(ballast, "ab", buffering=0) as out:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
            try:
                while out.write(b"\0" * size):
                    pass
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return ballast


def free(disk: Path) -> None:
    """Remove the ballast: the disk has room again."""
    (disk / BALLAST).unlink(missing_ok=True)
