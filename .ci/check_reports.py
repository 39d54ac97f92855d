"""Independent read of a triagebench run directory with DuckDB (not arrow-rs, not our code).

Recomputes the headline numbers from predictions.parquet and checks them against
metrics.parquet, confusion.parquet, slices.parquet and run.json. Exits 1 on any mismatch.

    python3 .ci/check_reports.py reports/<run-id>
"""

import json
import pathlib
import sys

import duckdb

# level -> (correctness flag, expected column, predicted column) of predictions.parquet
LEVELS = {
    "failure_mode": ("correct_failure_mode", "expected_failure_mode", "predicted_failure_mode"),
    "root_cause_category": ("correct_category", "expected_category", "predicted_category"),
    "root_cause": ("correct_root_cause", "expected_root_cause", "predicted_root_cause"),
    "localization": ("correct_localization", None, None),
}


def main(run: pathlib.Path) -> int:
    info = json.loads((run / "run.json").read_text())
    con = duckdb.connect()
    table = {name: f"'{run / (name + '.parquet')}'" for name in ("predictions", "confusion", "metrics", "slices")}

    def one(sql: str):
        return con.execute(sql).fetchone()[0]

    failures = []

    def expect(what: str, got, want, tol: float = 1e-9):
        ok = abs(got - want) <= tol if isinstance(want, float) else got == want
        print(f"{'ok  ' if ok else 'FAIL'} {what}: {got} (expected {want})")
        if not ok:
            failures.append(what)

    n = one(f"select count(*) from {table['predictions']}")
    expect("prediction rows = scenarios x trials", n, info["scenarios"] * info["trials"])
    expect("prediction rows = run.json predictions", n, info["predictions"])
    dup = one(f"select count(*) from (select scenario_id, trial from {table['predictions']} group by all having count(*) <> 1)")
    expect("each scenario exactly once per trial", dup, 0)
    errors = one(f"select count(*) from {table['predictions']} where error is not null")
    expect("error rows = run.json errors", errors, info["errors"])

    for level, (flag, expected_col, predicted_col) in LEVELS.items():
        scored, correct = con.execute(
            f"select count({flag}), count(*) filter (where {flag}) from {table['predictions']}"
        ).fetchone()
        row = con.execute(
            f"select support, accuracy from {table['metrics']} where level = '{level}' and kind = 'overall'"
        ).fetchone()
        if scored == 0:
            continue
        expect(f"{level}: rows scored", row[0], scored)
        expect(f"{level}: accuracy", row[1], correct / scored)
        if level != "localization":
            total = one(f"select sum(count) from {table['confusion']} where level = '{level}'")
            expect(f"{level}: confusion total", total, scored)
            # The confusion matrix keeps the primary label, while a prediction in the answer's
            # acceptable set (acceptable_root_causes, REPORTS.md) is correct: the diagonal is
            # the exact matches, and the correct rows are those plus the accepted alternatives.
            diag = one(f"select sum(count) from {table['confusion']} where level = '{level}' and expected = predicted")
            exact = one(
                f"select count(*) from {table['predictions']} "
                f"where {flag} is not null and {expected_col} = {predicted_col}"
            )
            expect(f"{level}: confusion diagonal = exact matches", diag, exact)
            expect(f"{level}: exact matches <= correct", exact <= correct, True)

    by_tier = con.execute(
        f"select difficulty::varchar, count(*), count(*) filter (where correct_failure_mode) "
        f"from {table['predictions']} group by 1"
    ).fetchall()
    for tier, rows, correct in by_tier:
        got = con.execute(
            f"select n, correct from {table['slices']} where dimension = 'difficulty' and value = '{tier}' and level = 'failure_mode'"
        ).fetchone()
        expect(f"slice difficulty={tier}: n, correct", got, (rows, correct))

    if failures:
        print(f"\n{len(failures)} check(s) failed: {', '.join(failures)}")
        return 1
    print(f"\nduckdb {duckdb.__version__}: every number in {run} agrees with predictions.parquet")
    return 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
