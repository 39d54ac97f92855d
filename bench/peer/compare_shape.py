#!/usr/bin/env python3
"""Compares the shape of two corpora (triagebench's and the Python peer's).

    python3 bench/peer/compare_shape.py REF_DIR PEER_DIR

Prints, per file name (path inside a scenario directory), how many scenarios hold it and the
mean size in bytes in each corpus, then total scenarios, files and bytes. Exits 1 if the sets
of file names differ or the total bytes per scenario differ by more than 25 %.
"""

import os
import sys
from collections import Counter


def shape(root):
    held, size, scenarios = Counter(), Counter(), 0
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        scenarios += 1
        for dirpath, _, names in os.walk(entry.path):
            for name in names:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, entry.path).replace(os.sep, "/")
                held[rel] += 1
                size[rel] += os.path.getsize(path)
    return held, size, scenarios


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    (rh, rs, rn), (ph, ps, pn) = shape(sys.argv[1]), shape(sys.argv[2])
    if not rn or not pn:
        sys.exit("a corpus has no scenario directory")
    print(f"{'file':32} {'ref: held':>10} {'mean B':>8}   {'peer: held':>10} {'mean B':>8}   {'peer/ref':>8}")
    for name in sorted(set(rh) | set(ph)):
        rm = rs[name] / rh[name] if rh[name] else 0
        pm = ps[name] / ph[name] if ph[name] else 0
        ratio = f"{pm / rm:8.2f}" if rm else "       -"
        print(f"{name:32} {f'{rh[name] / rn:.0%}':>10} {rm:8.0f}   {f'{ph[name] / pn:.0%}':>10} {pm:8.0f}   {ratio}")
    rfiles, pfiles = sum(rh.values()), sum(ph.values())
    rbytes, pbytes = sum(rs.values()), sum(ps.values())
    print(f"{'scenarios':32} {rn:>10} {'':8}   {pn:>10}")
    print(f"{'files (per scenario)':32} {rfiles:>10} {rfiles / rn:8.2f}   {pfiles:>10} {pfiles / pn:8.2f}")
    print(f"{'bytes (per scenario)':32} {rbytes:>10} {rbytes / rn:8.0f}   {pbytes:>10} {pbytes / pn:8.0f}"
          f"   {(pbytes / pn) / (rbytes / rn):8.2f}")
    ok = True
    if set(rh) != set(ph):
        print(f"file names differ: only in ref {sorted(set(rh) - set(ph))}, "
              f"only in peer {sorted(set(ph) - set(rh))}")
        ok = False
    if abs((pbytes / pn) / (rbytes / rn) - 1) > 0.25:
        print("total bytes per scenario differ by more than 25 %")
        ok = False
    print("shape: same" if ok else "shape: DIFFERENT")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
