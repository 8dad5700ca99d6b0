"""The example budget of the slow Hypothesis runs: large by default, raised further
with FTPI_FUZZ_EXAMPLES=50000 for a long local or nightly run."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("FTPI_FUZZ_EXAMPLES", "1500"))

LARGE = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
