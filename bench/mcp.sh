#!/usr/bin/env bash
# MCP tool calls served per second on loopback, for `just bench-mcp`: the release build of
# server/examples/mcp_bench.rs against a corpus (default: the golden scenarios), printing each
# run and the median, and the in-process floor (the tools without HTTP or JSON-RPC).
#
#   bench/mcp.sh [CORPUS] [CLIENTS=4] [CALLS=4000] [RUNS=5]
#
# The machine is shared and noisy: read the median.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
echo "building the release benchmark (first time: several minutes)"
cargo build --quiet --release --locked --workspace --examples
"$target/release/examples/mcp_bench" "${1:-tests/golden/scenarios}" "${2:-4}" "${3:-4000}" "${4:-5}"
