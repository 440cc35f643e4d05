import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "restrat", max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("restrat")


@pytest.fixture
def rng():
    return np.random.default_rng(20261126)
