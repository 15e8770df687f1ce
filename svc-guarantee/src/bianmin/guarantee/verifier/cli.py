"""``bianmin-guarantee-verify``: verify a guarantee offline from files holding public data only."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bianmin.guarantee.verifier import load_key, verify_bundle
from bianmin.guarantee.verifier.notes import NoteError
from bianmin.guarantee.verifier.state import ENDED


def _key_argument(value: str) -> str:
    path = Path(value)
    return path.read_text(encoding="utf-8") if path.is_file() else value


def main(argv: list[str] | None = None) -> int:
    """Run the verifier; the exit status says what a beneficiary may rely on.

    0: genuine and in force (issued, amended, or under a demand); 1: a check failed, including a
    missing ``--log-key`` (a checkpoint nobody can authenticate proves nothing); 2: unusable input;
    3: the document is genuine but the guarantee has ended (paid, released or expired).
    """
    parser = argparse.ArgumentParser(prog="bianmin-guarantee-verify",
                                     description="Verify an electronic guarantee without a database.")
    parser.add_argument("document", help="signed document JSON: {document, signature}")
    parser.add_argument("--proof", required=True, help="inclusion proof JSON from /v1/guarantees/{number}/proof")
    parser.add_argument("--checkpoint", required=True, help="signed checkpoint note from /v1/ledger/checkpoint")
    parser.add_argument("--issuer-key", required=True, help="issuer public key (verifier key, base64, or a file)")
    parser.add_argument("--log-key", help="the ledger's verifier key; without it nothing is called genuine")
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
    if not report.ok:
        print("NOT VERIFIED")
        return 1
    print(f"state: {report.state}")
    if report.state in ENDED:
        print(f"genuine but {report.state}: the guarantee no longer secures anything")
        return 3
    print("genuine")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
