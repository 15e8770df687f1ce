"""The platform's services, named once, in ``services.txt`` beside this module.

The gateway routes them, the local runner starts them, the contracts register their events, the
Makefile installs them (it reads the same file) and the tests cover them: a service is added by
adding its name there, and nothing else keeps a list.
"""

from __future__ import annotations

from importlib.resources import files

SERVICES: tuple[str, ...] = tuple(files("bianmin.contracts").joinpath("services.txt").read_text().split())
