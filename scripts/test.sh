#!/usr/bin/env bash
# Every test of the project, in the order a failure is cheapest to see:
# formatting, lints, Rust tests (unit, property, checkpoints, header
# freshness, command line), docs, the C and C++ consumers (also under
# AddressSanitizer and valgrind, a stress test and an out-of-memory sweep),
# the Python package installed into a fresh virtualenv, and the classic
# cffi client of include/api.h. It reads nothing outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
step() { printf '\n==> %s  [%ds]\n' "$*" $((SECONDS - start)); }

step "cargo fmt --check"
cargo fmt --all --check
cargo fmt --manifest-path fuzz/Cargo.toml --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings
CARGO_TARGET_DIR=target/fuzz/clippy cargo clippy --manifest-path fuzz/Cargo.toml --bins -- -D warnings

step "Rust tests (release build)"
cargo test --workspace --release

step "checkpoints and transform tests again with each other kernel family"
# The default run above used the fastest family this processor has; each
# other one it has runs the checkpoints (to 10^6) and the transforms'
# tests again. A family the processor lacks is skipped, and said so.
# (--workspace, as above: `-p pi-core` alone would rebuild pi-core with
# other features.)
default=$(target/release/pi --version | sed -n 's/.*kernels: \(.*\))/\1/p')
echo "kernel family by default here: $default"
for family in portable avx2 avx512f avx512-ifma; do
    [ "$family" = "$default" ] && continue
    got=$(PI_SIMD=$family target/release/pi --version | sed -n 's/.*kernels: \(.*\))/\1/p')
    if [ "$got" != "$family" ]; then
        echo "SKIPPED: kernel family $family (this processor lacks its instructions)"
        continue
    fi
    echo "kernel family $family:"
    PI_SIMD=$family cargo test -q --release --workspace --test checkpoints
    PI_SIMD=$family cargo test -q --release --workspace --lib -- ntt properties
done

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

step "C and C++ consumers of libpi.a"
native_libs=$(cargo rustc --release -p pi-capi --crate-type staticlib -- --print native-static-libs 2>&1 |
    sed -n 's/.*native-static-libs: //p')
checkpoints=tests/data/pi-checkpoints.tsv
cc -std=c99 -Wall -Wextra -Werror -Iinclude tests/c/consumer.c target/release/libpi.a $native_libs -o target/consumer-c
target/consumer-c "$checkpoints"
c++ -std=c++17 -Wall -Werror -Iinclude tests/cpp/consumer.cpp target/release/libpi.a $native_libs -o target/consumer-cpp
target/consumer-cpp
cc -std=c99 -Wall -Wextra -Werror -pthread -Iinclude tests/c/stress.c target/release/libpi.a $native_libs -o target/stress-c
target/stress-c

step "out of memory from C: address-space limits, and a limit squeezed during the computation"
cc -std=c99 -Wall -Wextra -Werror -pthread -Iinclude tests/c/oom.c target/release/libpi.a $native_libs -o target/oom-c
target/oom-c

step "C and C++ consumers under AddressSanitizer"
asan="-g -fsanitize=address -fno-omit-frame-pointer"
cc -std=c99 $asan -Wall -Wextra -Werror -Iinclude tests/c/consumer.c target/release/libpi.a $native_libs -o target/consumer-c-asan
cc -std=c99 $asan -Wall -Wextra -Werror -pthread -Iinclude tests/c/stress.c target/release/libpi.a $native_libs -o target/stress-c-asan
c++ -std=c++17 $asan -Wall -Werror -Iinclude tests/cpp/consumer.cpp target/release/libpi.a $native_libs -o target/consumer-cpp-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
target/consumer-c-asan "$checkpoints"
target/stress-c-asan
target/consumer-cpp-asan
unset ASAN_OPTIONS

step "C and C++ consumers under valgrind (portable code, and the AVX2 kernels: valgrind lacks AVX-512)"
# --fair-sched=yes: valgrind runs one thread at a time, and by default lets
# the pool's spinning threads starve the working one (100-480 s where it
# takes 6-9 s fairly).
grind="valgrind -q --fair-sched=yes --error-exitcode=1 --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite,indirect"
PI_NO_SIMD=1 $grind target/consumer-c "$checkpoints" 100000
PI_SIMD=avx2 $grind target/consumer-c "$checkpoints" 100000
PI_NO_SIMD=1 $grind target/consumer-cpp

step "packaging: make install and pkg-config"
rm -rf target/prefix
make -s install PREFIX="$PWD/target/prefix"
readelf -d target/prefix/lib/libpi.so | grep -q 'SONAME.*\[libpi\.so\.0\]'
test -L target/prefix/lib/libpi.so.0 && test -f target/prefix/include/api.h
pi_cflags_libs=$(PKG_CONFIG_PATH=target/prefix/lib/pkgconfig pkg-config --cflags --libs pi)
cc -std=c99 -Wall -Werror tests/c/consumer.c $pi_cflags_libs -o target/consumer-pkgconfig
LD_LIBRARY_PATH=target/prefix/lib target/consumer-pkgconfig "$checkpoints" 100000

step "fuzz smoke run (C API and arithmetic, 15 s each)"
scripts/fuzz.sh 15

step "Python package in a fresh virtualenv"
rm -rf target/venv-test
python3 -m venv target/venv-test
target/venv-test/bin/python -m pip install --quiet --upgrade pip
target/venv-test/bin/python -m pip install --quiet "./pi-py[dask]" pytest mypy
target/venv-test/bin/python -m pytest pi-py/tests
target/venv-test/bin/python -m mypy --strict pi-py/src/pi_py

step "the classic cffi client (ABI mode, cdef from cc -E include/api.h) after a plain cargo build"
cargo build
for library in target/debug/libpi.so target/release/libpi.so; do
    answer=$(target/venv-test/bin/python tests/python/classic_client.py "$library")
    [ "$answer" = 3.140000104904175 ] || { echo "classic client on $library: $answer" >&2; exit 1; }
done

step "packaging: the wheel installs without cargo; the sdist builds from source"
target/venv-test/bin/python -m pip install --quiet build
rm -rf target/dist target/venv-wheel target/venv-sdist
target/venv-test/bin/python -m build --sdist pi-py --outdir target/dist 2>&1 | tee target/build-sdist.log
if grep -q "project.license" target/build-sdist.log; then
    echo "the build warns about pyproject's licence" >&2
    exit 1
fi
target/venv-test/bin/python -m pip wheel --quiet --no-deps ./pi-py --wheel-dir target/dist
check='import shutil, pi_py; assert pi_py.digits(20) == "3.14159265358979323846"; print(pi_py.__file__)'
python3 -m venv target/venv-wheel
(cd target && env PATH=/usr/bin:/bin venv-wheel/bin/python -m pip install --quiet dist/pi_py-*.whl &&
    env PATH=/usr/bin:/bin venv-wheel/bin/python -c "assert __import__('shutil').which('cargo') is None; $check")
python3 -m venv target/venv-sdist
(cd target && venv-sdist/bin/python -m pip install --quiet dist/pi_py-*.tar.gz && venv-sdist/bin/python -c "$check")

step "all tests passed"
