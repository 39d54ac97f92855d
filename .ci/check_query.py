"""Cross-check `triagebench-query slice --by run_id --format json` against each run's own figures.

For every run directory under REPORTS, the slice's row for that run must have n = run.json's
`predictions`, and per level `<level>_n` and `<level>_accuracy` equal to metrics.parquet's
overall `support` and `accuracy` (read with DuckDB: neither polars nor our code). Exits 1 on any
mismatch or a run missing from the slice.

    python3 .ci/check_query.py REPORTS SLICE.json
"""

import json
import pathlib
import sys

import duckdb

LEVELS = ("failure_mode", "root_cause_category", "root_cause", "localization")


def main(reports: pathlib.Path, slice_path: pathlib.Path) -> int:
    rows = {r["run_id"]: r for r in json.loads(slice_path.read_text())}
    con = duckdb.connect()
    failures = []
    runs = sorted(p.parent for p in reports.glob("*/predictions.parquet") if not p.parent.name.startswith("."))
    if not runs:
        print(f"FAIL no run under {reports}")
        return 1
    for run in runs:
        info = json.loads((run / "run.json").read_text())
        row = rows.get(info["run_id"])
        if row is None:
            failures.append(f"{run.name}: not in the slice")
            continue
        checks = [("n = run.json predictions", row["n"], info["predictions"])]
        for level in LEVELS:
            got = con.execute(
                f"select support, accuracy from '{run / 'metrics.parquet'}' where level = ? and kind = 'overall'",
                [level],
            ).fetchone()
            if got is None:
                continue
            checks.append((f"{level} rows scored", row[f"{level}_n"], got[0]))
            checks.append((f"{level} accuracy", row[f"{level}_accuracy"], got[1]))
        for what, got, want in checks:
            ok = got == want if not isinstance(want, float) else got is not None and abs(got - want) <= 1e-12
            print(f"{'ok  ' if ok else 'FAIL'} {run.name}: {what}: {got} (run's own: {want})")
            if not ok:
                failures.append(f"{run.name}: {what}")
    if failures:
        print(f"{len(failures)} mismatches: {', '.join(failures)}")
        return 1
    print(f"query slice agrees with {len(runs)} runs' metrics")
    return 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])))
