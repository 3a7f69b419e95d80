"""Builds the cffi extension after building libpi with cargo (see build_ffi.py)."""

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_ffi  # noqa: E402


class BuildExtWithCargo(build_ext):
    """Builds libpi.a with cargo, then links it into each extension."""

    def run(self):
        static_library, libraries = build_ffi.build_static_library()
        for extension in self.extensions:
            extension.extra_objects.append(static_library)
            # Relink when libpi.a changes, even if the generated C source did not.
            extension.depends.append(static_library)
            if sys.platform.startswith("linux"):
                # libpi's line tables are for its own profiling, not users'.
                extension.extra_link_args.append("-Wl,--strip-debug")
            extension.libraries.extend(libraries)
        super().run()


class SdistWithRustSources(sdist):
    """Adds the Rust crates libpi is built from, under ``rust/``."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        rust = Path(base_dir) / "rust"
        for name in build_ffi.RUST_SOURCES:
            source = build_ffi.ROOT / name
            if source.is_dir():
                shutil.copytree(source, rust / name, ignore=shutil.ignore_patterns("target"))
            else:
                rust.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, rust / name)
        (rust / "Cargo.toml").write_text(build_ffi.workspace_manifest())


setup(
    ext_modules=[build_ffi.ffibuilder.distutils_extension(tmpdir="build/cffi")],
    cmdclass={"build_ext": BuildExtWithCargo, "sdist": SdistWithRustSources},
)
