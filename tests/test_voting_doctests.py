"""The examples in the voting and power-index docstrings run and give what they show."""

import doctest
import importlib

import pytest

MODULES = ["gametheory.power", "gametheory.voting", "gametheory.voting.simple",
           "gametheory.voting.weighted"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
