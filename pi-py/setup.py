"""Builds the cffi extension after building libpi with cargo (see build_ffi.py)."""

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

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
            extension.libraries.extend(libraries)
        super().run()


setup(
    ext_modules=[build_ffi.ffibuilder.distutils_extension(tmpdir="build/cffi")],
    cmdclass={"build_ext": BuildExtWithCargo},
)
