"""Build step for the compiled routines (everything else is in pyproject.toml).

``fipeval.io._hmac`` pseudonymises BSNs ten times faster than hashlib from Python;
``fipeval.io._text`` reads strict dates and plain decimal amounts straight from the text's
bytes. Both are optional: where no C compiler is available the build skips them and the
loader uses hashlib and NumPy, with the same results.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("fipeval.io._hmac", sources=["fipeval/io/_hmac.c"], optional=True),
                   Extension("fipeval.io._text", sources=["fipeval/io/_text.c"], optional=True)])
