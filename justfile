# triagebench tasks. `just` lists them; `just generate && just eval` is the main job.
# Every recipe builds the release binary first (cargo's progress shows: the first build takes
# minutes) and then runs `triagebench <subcommand>`, so anything here also works without just:
# `cargo run --release -p triagebench -- <subcommand>`.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Defaults; override on the command line: `just count=10000 generate`.
count := "1000"
seed := "42"
corpus := "corpus/generated"
classifier := "rules"
reports := "reports"
target := env_var_or_default("CARGO_TARGET_DIR", "target")
tb := target / "release/triagebench"

# List the recipes.
default:
    @just --list

# Build the triagebench binary (release), with cargo's progress (every run recipe does this first).
build:
    cargo build --release --locked -p triagebench

# Run the test suite (the README's test command).
test:
    cargo test --workspace --locked

# Rewrite the golden files in tests/golden/ and the generated files (the prediction schema, the
# browser check's chart list, the taxonomy table of docs/CONTRACT.md) from the current code
# (CI only compares them).
bless:
    TRIAGEBENCH_BLESS=1 cargo test --locked -p triagebench --test golden --test generated

# Line coverage per crate: the whole test suite once under cargo-llvm-cov, then a table per
# crate; fails below `floor` percent of lines. Needs `rustup component add llvm-tools` and
# `cargo install --locked cargo-llvm-cov` (.ci/run installs both when missing).
cov floor="0":
    cargo llvm-cov --workspace --locked --json --summary-only --output-path "${CARGO_TARGET_DIR:-target}/llvm-cov.json"
    python3 .ci/coverage.py "${CARGO_TARGET_DIR:-target}/llvm-cov.json" --floor {{floor}}

# Validate a suite directory (default: the hand-written canonical suite).
validate dir="corpus/canonical": build
    {{tb}} validate {{dir}}

# Generate a seeded corpus (replaces an existing corpus; --force never deletes anything else).
generate: build
    {{tb}} generate --count {{count}} --seed {{seed}} --out {{corpus}} --force

# Evaluate a classifier over the corpus `just generate` made; reports go to reports/<run-id>/.
eval *args: build
    {{tb}} eval --corpus {{corpus}} --classifier '{{classifier}}' --reports {{reports}} {{args}}

# Compare two runs (ids under reports/ or paths); exit 1 on a significant regression.
compare base candidate *args: build
    {{tb}} compare {{base}} {{candidate}} --reports {{reports}} {{args}}

# Print the accuracy and throughput trend.
history: build
    {{tb}} history --reports {{reports}}

# Write reports/dashboard.html.
dashboard: build
    {{tb}} dashboard --reports {{reports}}

# kill -9 generate and eval at random moments; check nothing is half written or left behind.
stress rounds="10": build
    .ci/stress.sh {{rounds}}

# Shortcut audit (issue 10): generate a train corpus (`--split train`, seed `train_seed`) and
# a test corpus (`--split test`, seed `test_seed`) of `n` scenarios each under
# target/audit/, then audit the test corpus with baselines trained on the other; prints the goal
# figures and writes <reports>/audits/<id>/; exits 1 when a goal is missed (surface model
# <= 0.80 and rules ahead by >= 0.15 on tier-3 root cause, every single source <= 0.70, the
# alert alone <= 0.30 on misleading alerts, the alert naming the pod <= 0.60). Extra args go to
# `triagebench audit` (e.g. `just audit 2000 1 2 --min-support 30`).
audit n="5000" train_seed="1" test_seed="2" *args="": build
    #!/usr/bin/env bash
    set -euo pipefail
    dir="${CARGO_TARGET_DIR:-target}/audit"
    split_train=(); split_test=()
    if {{tb}} generate --help | grep -q -- '--split'; then
        split_train=(--split train); split_test=(--split test)
    fi
    {{tb}} generate --count {{n}} --seed {{train_seed}} --profile opensre --force --out "$dir/train" "${split_train[@]}"
    {{tb}} generate --count {{n}} --seed {{test_seed}} --profile opensre --force --out "$dir/test" "${split_test[@]}"
    # The goals of the shortcut audit (issue 10) as gates: exit 1 when one is missed. No
    # fingerprint gate: real signals (InvalidImageName, the kernel's global OOM line) are
    # meant to tell their cause; the listed fingerprints are read, not gated.
    {{tb}} audit "$dir/test" --train "$dir/train" --reports {{reports}} \
        --max-surface-accuracy 0.80 --max-source-accuracy 0.70 --max-misleading-alert-accuracy 0.30 \
        --max-alert-localization 0.60 --min-rules-margin 0.15 {{args}}

# Build triagebench-query (polars; its own workspace in query/, so `build` never waits for it)
# into the same target dir as triagebench, next to it, where `triagebench query` finds it.
query-build:
    cargo build --release --locked --manifest-path query/Cargo.toml --target-dir "{{target}}"

# Slice the reports across runs with polars, e.g. `just query slice --reports reports --by
# run_id,difficulty` or `just query trend --reports reports` (`just query --help`).
query *args: build query-build
    {{tb}} query {{args}}

# slice over many runs: wall time and peak RSS (bench/query.sh RUNS ROWS).
bench-query runs="20" rows="10000": build query-build
    bench/query.sh {{runs}} {{rows}}

# Throughput: generate and eval scenarios/s on a 10,000 corpus (medians), against the parse floor.
bench:
    bench/throughput.sh all

# Throughput of the generator alone on a 10,000 corpus (medians).
bench-generate:
    bench/throughput.sh generate

# Throughput of `eval --interactive` with the rules-agent (medians): scenarios/s and API calls/s.
bench-interactive:
    bench/interactive.sh
# Peak RSS, wall and CPU time of `eval --classifier rules` per corpus size (debug build;
# `just bench-memory 2000 10000 50000`; PROFILE=release, BEFORE=<binary> to compare).
bench-memory *sizes:
    bench/memory.sh {{sizes}}
# Issue 13's scale goal: packed corpora of 100,000 and 1,000,000 scenarios generated and
# evaluated once each: wall, CPU, peak RSS, disk, the 1M / 100k time ratio (goal <= 11x) and
# peak RSS against 1 GiB (`just bench-scale 2000 20000` for a quick run; 1M takes hours).
bench-scale *sizes:
    bench/scale.sh {{sizes}}
# MCP tool calls served per second on loopback (medians; `just bench-mcp CORPUS CLIENTS CALLS RUNS`).
bench-mcp *args:
    bench/mcp.sh {{args}}

# Criterion micro-benchmarks (rendering, the baseline per case, loading, eval over a small corpus).
bench-criterion:
    cargo bench --workspace --locked
