import pytest

import tranqsim


@pytest.fixture(scope="session")
def priority():
    """The default scenario (priority estate, close management), 5 years, seed 1."""
    return tranqsim.load_scenario()
