"""Regenerate the contract documents under contracts/ from the code (``make contracts``).

Writes ``contracts/openapi/<app>.json`` for the seven services and, once it exists, the gateway;
``contracts/schemas/<subject>.v<version>.json`` and ``cloudevent.json``; and ``contracts/asyncapi.yaml``.
Generated files that no longer correspond to anything are removed. With ``--check`` nothing is
written: the command lists what differs and exits 1, which is what the contracts tests run.
It also writes the NATS users and permissions of the deployment files (``deploy/nats/auth.conf``
and ``deploy/k8s/nats/auth.conf``), which derive from the events' contracts; ``tests/test_deploy.py``
keeps those equal to the code.

The packages are imported from this checkout (each folder's ``src/`` goes first on the import
path), so the documents describe the code in the tree even when the environment holds an older
installed copy of a service.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"
SERVICES = (ROOT / "contracts" / "src" / "bianmin" / "contracts" / "services.txt").read_text().split()
PACKAGES = ("contracts", "kit", "gateway", *(f"svc-{name}" for name in SERVICES))


def use_source_tree() -> None:
    """Put every package's ``src/`` folder of this checkout first on the import path."""
    sources = [str(ROOT / folder / "src") for folder in PACKAGES if (ROOT / folder / "src").is_dir()]
    sys.path[:0] = [path for path in [*sources, str(ROOT / "tools")] if path not in sys.path]


def main(argv: list[str] | None = None) -> int:
    """Write the generated documents, or with ``--check`` report how the committed ones drift."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a committed file differs")
    args = parser.parse_args(argv)

    use_source_tree()
    import contracts_export as export

    files = export.generate(export.documented_apps())
    if args.check:
        problems = export.drift(CONTRACTS, files)
        for problem in problems:
            print(problem)
        if problems:
            print("The committed contract documents differ from the code: run make contracts", file=sys.stderr)
            return 1
        print(f"{len(files)} contract documents match the code")
        return 0

    changed = 0
    for path, text in files.items():
        target = CONTRACTS / path
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote contracts/{path}")
            changed += 1
    for path in sorted(export.committed_files(CONTRACTS) - set(files)):
        (CONTRACTS / path).unlink()
        print(f"removed contracts/{path}")
        changed += 1
    print(f"{len(files)} contract documents, {changed} changed")
    write_nats_authorization()
    return 0


def write_nats_authorization() -> None:
    """Write the deployment files' NATS ``authorization`` block; the public keys come from the environment there."""
    from bianmin.kit.events.access import NATS_USERS, authorization_config, environment_reference

    text = authorization_config({user: environment_reference(user) for user in NATS_USERS})
    for target in (ROOT / "deploy" / "nats" / "auth.conf", ROOT / "deploy" / "k8s" / "nats" / "auth.conf"):
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
