"""``bianmin-guarantee-verify``: verify a guarantee offline from files holding public data only."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bianmin.guarantee.verifier import load_key, verify_bundle
from bianmin.guarantee.verifier.notes import NoteError


def _key_argument(value: str) -> str:
    path = Path(value)
    return path.read_text(encoding="utf-8") if path.is_file() else value


def main(argv: list[str] | None = None) -> int:
    """Run the verifier; exit status 0 when genuine, 1 when a check fails, 2 on unusable input."""
    parser = argparse.ArgumentParser(prog="bianmin-guarantee-verify",
                                     description="Verify an electronic guarantee without a database.")
    parser.add_argument("document", help="signed document JSON: {document, signature}")
    parser.add_argument("--proof", required=True, help="inclusion proof JSON from /v1/guarantees/{number}/proof")
    parser.add_argument("--checkpoint", required=True, help="signed checkpoint note from /v1/ledger/checkpoint")
    parser.add_argument("--issuer-key", required=True, help="issuer public key (verifier key, base64, or a file)")
    parser.add_argument("--log-key", help="the ledger's verifier key; without it the checkpoint signature is not checked")
    args = parser.parse_args(argv)
    try:
        signed = json.loads(Path(args.document).read_text(encoding="utf-8"))
        proof = json.loads(Path(args.proof).read_text(encoding="utf-8"))
        note = Path(args.checkpoint).read_text(encoding="utf-8")
        issuer_key = load_key(_key_argument(args.issuer_key))
        log_key = load_key(_key_argument(args.log_key), name="log") if args.log_key else None
    except (OSError, ValueError, NoteError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not isinstance(signed, dict) or not isinstance(proof, dict):
        print("error: the document and the proof must be JSON objects", file=sys.stderr)
        return 2
    report = verify_bundle(signed, proof, note, issuer_key, log_key)
    for check in report.checks:
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.reason}")
    if log_key is None:
        print("note: no --log-key given, the checkpoint's signature was not checked")
    print("genuine" if report.ok else "NOT VERIFIED")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
