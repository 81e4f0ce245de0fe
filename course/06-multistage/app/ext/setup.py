"""Build the fastfib C extension (needs gcc and the Python headers)."""

from setuptools import Extension, setup

setup(
    name="fastfib",
    version="1.0",
    description="Fibonacci numbers, computed in C",
    ext_modules=[Extension("fastfib", sources=["fastfib.c"])],
)
