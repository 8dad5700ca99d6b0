"""The suite's Hypothesis profile (tests/conftest.py): no timed checks, so a property
test's outcome never depends on the machine's load."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def test_no_deadline_and_no_too_slow_health_check() -> None:
    assert settings.default.deadline is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check


def test_a_tests_own_settings_keep_the_profiles_values() -> None:
    own = settings(max_examples=5)
    assert own.deadline is None
    assert HealthCheck.too_slow in own.suppress_health_check
