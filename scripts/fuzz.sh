#!/usr/bin/env bash
# Builds the fuzz targets in fuzz/ with libFuzzer's coverage instrumentation
# (stable Rust, no sanitizer) and runs each for SECONDS (default 15).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET ...]
# Crashes are written to target/fuzz/artifacts/TARGET/; corpora are kept in
# target/fuzz/corpus/TARGET/ between runs. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(c_api arithmetic)
host=$(rustc -vV | sed -n 's/^host: //p')
flags="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table"
flags+=" -Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
# --target keeps the instrumentation out of build scripts, as cargo fuzz does.
RUSTFLAGS="$flags" CARGO_TARGET_DIR=target/fuzz/build \
    cargo build --quiet --release --manifest-path fuzz/Cargo.toml --bins --target "$host"
for target in "${targets[@]}"; do
    mkdir -p "target/fuzz/corpus/$target" "target/fuzz/artifacts/$target"
    echo "fuzzing $target for $seconds s"
    log="target/fuzz/$target.log"
    status=0
    "target/fuzz/build/$host/release/$target" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="target/fuzz/artifacts/$target/" "target/fuzz/corpus/$target" >"$log" 2>&1 ||
        status=$?
    grep -E "^(stat::number_of_executed_units|Done)" "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -40 "$log" >&2
        echo "fuzz target $target failed (status $status); see $log and target/fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
