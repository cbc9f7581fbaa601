"""Hypothesis runs small enough that `make test` stays fast: HYPOTHESIS_PROFILE=thorough for more."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("suite", max_examples=10, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
