#!/usr/bin/env python3
"""Line coverage per module from the JSON that `swift test --enable-code-coverage` writes (llvm-cov export).

Prints one row per module under Sources/ and fails when a library module is under --minimum percent. Executables
(the CLI) are reported but not gated: they run as child processes in tests, whose coverage is not in this profile.
"""
import json
import sys
from collections import defaultdict

EXECUTABLES = {"kalandra", "kalandra-mls-interop", "kalandra-notify", "kalandra-sim"}


def main() -> int:
    path = sys.argv[1]
    minimum = float(sys.argv[sys.argv.index("--minimum") + 1]) if "--minimum" in sys.argv else 0.0
    with open(path) as handle:
        report = json.load(handle)
    lines = defaultdict(lambda: [0, 0])
    for file in report["data"][0]["files"]:
        name = file["filename"]
        if "/.build/" in name or "/Sources/" not in name:
            continue
        module = name.split("/Sources/", 1)[1].split("/", 1)[0]
        summary = file["summary"]["lines"]
        lines[module][0] += summary["covered"]
        lines[module][1] += summary["count"]
    if not lines:
        print("coverage: no Sources/ files in the profile")
        return 1
    failed = []
    print(f"{'module':<24}{'lines':>8}{'covered':>9}{'percent':>9}")
    for module in sorted(lines):
        covered, count = lines[module]
        percent = 100.0 * covered / count if count else 100.0
        gated = module not in EXECUTABLES
        mark = "" if gated else "  (executable, not gated)"
        print(f"{module:<24}{count:>8}{covered:>9}{percent:>8.1f}%{mark}")
        if gated and percent < minimum:
            failed.append(module)
    if failed:
        print(f"FAIL: line coverage under {minimum}% in {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
