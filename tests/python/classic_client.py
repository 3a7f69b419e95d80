"""The classic cffi client of the recipe this project started from, verbatim
but for the library path (argument 1): ABI mode, cdef from `cc -E include/api.h`."""
import subprocess
import sys

import cffi

ffi = cffi.FFI()
ffi.cdef(subprocess.run(["cc", "-E", "include/api.h"], stdout=subprocess.PIPE, universal_newlines=True).stdout)
lib = ffi.dlopen(sys.argv[1])
print(lib.calc_pi(2))
