"""Build step for the one compiled routine (everything else is in pyproject.toml).

``fipeval.io._hmac`` pseudonymises BSNs ten times faster than hashlib from Python. It is
optional: where no C compiler is available the build skips it and the loader uses hashlib,
with the same pseudonyms.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("fipeval.io._hmac", sources=["fipeval/io/_hmac.c"], optional=True)])
