"""Trellis's test suite.

Queries are compiled the first time they are asked here (a server waits for the second, see
`TRELLIS_COMPILE_AFTER`), so every query a test sends takes the compiled path where it can;
tests/test_compiled_plans.py covers the wait itself.
"""

import os

os.environ.setdefault("TRELLIS_COMPILE_AFTER", "1")
