"""The lock of the exercises' check versions: each version with the fingerprint of its rules.

    .venv/bin/python -m tests.check_versions            # what moved, exit 1 if anything did
    .venv/bin/python -m tests.check_versions --write    # lock the current versions

``--write`` refuses while a fingerprint moved without a new version (raise ``version=``
and say why in ``changes=`` in grader/chapters/chNN.py), unless ``--same-verdicts``
says the change cannot move a verdict (a refactor, a renamed helper).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grader.chapters import registry
from grader.chapters.versions import fingerprint

LOCK = Path(__file__).resolve().parent / "unit" / "check_versions.json"


def current() -> dict[str, dict[str, object]]:
    return {e.id: {"version": e.version, "fingerprint": fingerprint(e)} for e in registry().values()}


def problems(locked: dict[str, dict[str, object]], now: dict[str, dict[str, object]]) -> list[str]:
    """What moved: a rule changed at the same version (bump it), or a new version not locked yet."""
    out = []
    for exercise, entry in now.items():
        old = locked.get(exercise)
        if old is None:
            out.append(f"{exercise} is not in the lock: run `python -m tests.check_versions --write`")
        elif old["version"] == entry["version"] and old["fingerprint"] != entry["fingerprint"]:
            out.append(
                f"{exercise}'s rules changed at version {entry['version']}: raise its version= and say why in "
                "changes= (grader/chapters), or, if no verdict can change, "
                "`python -m tests.check_versions --write --same-verdicts`"
            )
        elif old != entry:
            out.append(f"{exercise} is at version {entry['version']}, locked at {old['version']}: run --write")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.check_versions", description=__doc__)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--same-verdicts", action="store_true")
    args = parser.parse_args(argv)
    locked = json.loads(LOCK.read_text()) if LOCK.exists() else {}
    now = current()
    moved = problems(locked, now)
    unbumped = [p for p in moved if "changed at version" in p]
    if args.write and (not unbumped or args.same_verdicts):
        LOCK.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        print(f"locked {len(now)} exercises in {LOCK}")
        return 0
    print("\n".join(moved) or "every exercise's check version matches its rules")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
