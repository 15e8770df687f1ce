"""Regenerate the contract documents under contracts/ from the code (``make contracts``).

Writes ``contracts/openapi/<app>.json`` for the seven services and, once it exists, the gateway;
``contracts/schemas/<subject>.v<version>.json`` and ``cloudevent.json``; and ``contracts/asyncapi.yaml``.
Generated files that no longer correspond to anything are removed. With ``--check`` nothing is
written: the command lists what differs and exits 1, which is what the contracts tests run.

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
PACKAGES = ("contracts", "kit", "gateway", "svc-catalog", "svc-queue", "svc-consult", "svc-bidding",
            "svc-guarantee", "svc-credit", "svc-webhooks")


def use_source_tree() -> None:
    """Put every package's ``src/`` folder of this checkout first on the import path."""
    sources = [str(ROOT / folder / "src") for folder in PACKAGES if (ROOT / folder / "src").is_dir()]
    sys.path[:0] = [path for path in sources if path not in sys.path]


def main(argv: list[str] | None = None) -> int:
    """Write the generated documents, or with ``--check`` report how the committed ones drift."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a committed file differs")
    args = parser.parse_args(argv)

    use_source_tree()
    from bianmin.contracts import export

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
