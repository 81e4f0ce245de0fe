"""The chapter's program: its one dependency, fastfib, is a compiled C extension."""

import fastfib

print(f"fib(30) = {fastfib.fib(30)}")
