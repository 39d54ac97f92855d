#!/usr/bin/env python3
"""Line coverage per crate from a cargo-llvm-cov JSON export, and a floor on the total.

    python3 .ci/coverage.py <llvm-cov.json> [--floor PERCENT]

Reads the export of `cargo llvm-cov --json --summary-only` (LLVM's coverage summary, one entry
per source file), groups the files of this workspace by crate (their first path component under
the workspace root), prints a table of covered / total lines per crate and the total, and exits
1 when the total line coverage is below --floor, 2 on bad input. Files outside the workspace
(the standard library, dependencies) are not counted.
"""

import json
import os
import sys


def main(argv):
    args = list(argv[1:])
    floor = None
    if "--floor" in args:
        i = args.index("--floor")
        try:
            floor = float(args[i + 1])
        except (IndexError, ValueError):
            print("coverage: --floor needs a number (percent)", file=sys.stderr)
            return 2
        del args[i : i + 2]
    if len(args) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = args[0]
    try:
        with open(path, encoding="utf-8") as f:
            export = json.load(f)
    except (OSError, ValueError) as e:
        print(f"coverage: {path}: {e}", file=sys.stderr)
        return 2
    root = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
    crates = {}
    for data in export.get("data", []):
        for entry in data.get("files", []):
            name = os.path.realpath(entry.get("filename", ""))
            if not name.startswith(root + os.sep):
                continue
            crate = os.path.relpath(name, root).split(os.sep)[0]
            lines = entry.get("summary", {}).get("lines", {})
            covered, count = crates.get(crate, (0, 0))
            crates[crate] = (covered + lines.get("covered", 0), count + lines.get("count", 0))
    if not crates:
        print(f"coverage: {path}: no file of this workspace in the export", file=sys.stderr)
        return 2
    print(f"{'crate':<14} {'lines':>8} {'covered':>8} {'cover':>7}")
    total_covered = total = 0
    for crate in sorted(crates):
        covered, count = crates[crate]
        total_covered += covered
        total += count
        print(f"{crate:<14} {count:>8} {covered:>8} {100.0 * covered / max(count, 1):>6.1f}%")
    percent = 100.0 * total_covered / max(total, 1)
    print(f"{'total':<14} {total:>8} {total_covered:>8} {percent:>6.1f}%")
    if floor is not None:
        if percent < floor:
            print(f"coverage: {percent:.1f}% of lines is below the floor of {floor:.1f}%", file=sys.stderr)
            return 1
        print(f"coverage: {percent:.1f}% of lines, floor {floor:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
