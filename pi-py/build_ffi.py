"""Builds libpi with cargo and declares the cffi extension ``pi_py._pi``.

The extension is compiled in cffi's out-of-line API mode against
``include/pi.h``; its ``cdef`` is that same header, with the preprocessor
lines cffi cannot parse removed. It links the static ``libpi.a`` and the
native libraries rustc says a static Rust library needs.
"""

import os
import re
import subprocess
from pathlib import Path

import cffi

HERE = Path(__file__).resolve().parent
# The Cargo workspace: the repository around pi-py, or the copy an sdist carries.
ROOT = HERE / "rust" if (HERE / "rust" / "Cargo.toml").exists() else HERE.parent
HEADER = ROOT / "include" / "pi.h"
# What an sdist copies from the workspace to build libpi.
RUST_SOURCES = ["Cargo.lock", "include", "pi-core", "pi-capi"]


def cdef_from_header(text: str) -> str:
    """The declarations of ``pi.h`` in the C subset cffi's cdef accepts: its
    integer constants (``#define PI_MAX_DIGITS 1000000000000``) kept, every
    other preprocessor line removed."""
    text = re.sub(r"^#ifdef __cplusplus$.*?^#endif.*?$", "", text, flags=re.M | re.S)
    return re.sub(r"^\s*#(?!define [A-Z_]+ [0-9]+$).*$", "", text, flags=re.M)


def workspace_manifest() -> str:
    """The workspace Cargo.toml reduced to the crates libpi needs, for an sdist."""
    text = (ROOT / "Cargo.toml").read_text()
    text = re.sub(r"^members = .*$", 'members = ["pi-core", "pi-capi"]', text, flags=re.M)
    return re.sub(r"^exclude = .*$\n", "", text, flags=re.M)


def build_static_library() -> "tuple[str, list[str]]":
    """Runs cargo; returns the path of libpi.a and the libraries it needs."""
    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    command = [
        os.environ.get("CARGO", "cargo"), "rustc", "--release", "--package", "pi-capi",
        "--crate-type", "staticlib", "--manifest-path", str(ROOT / "Cargo.toml"),
        "--", "--print", "native-static-libs",
    ]
    try:
        result = subprocess.run(command, stderr=subprocess.PIPE, text=True)
    except FileNotFoundError:
        raise RuntimeError(
            f"building pi_py from source needs Rust's cargo, and {command[0]!r} was not found: "
            "install Rust (https://rustup.rs, or your system's cargo package) and put cargo on "
            "PATH, set CARGO to its path, or install a pi_py wheel instead"
        ) from None
    if result.returncode != 0:
        raise RuntimeError("cargo failed to build libpi:\n" + result.stderr)
    match = re.search(r"native-static-libs: (.*)", result.stderr)
    if match is None:
        raise RuntimeError("rustc did not list the native static libraries:\n" + result.stderr)
    libraries = [flag[2:] for flag in match.group(1).split() if flag.startswith("-l")]
    return str(target_dir / "release" / "libpi.a"), libraries


# The progress callback pi_py gives libpi, defined in Python (pi_py/__init__.py).
PYTHON_CALLBACKS = """
extern "Python" int32_t _pi_py_progress(void *user_data, double fraction, const char *stage);
"""

ffibuilder = cffi.FFI()
ffibuilder.cdef(cdef_from_header(HEADER.read_text()) + PYTHON_CALLBACKS)
ffibuilder.set_source("pi_py._pi", '#include "pi.h"', include_dirs=[str(HEADER.parent)])
