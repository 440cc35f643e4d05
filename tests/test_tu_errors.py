"""Bad input to the TU solvers: each raises the package's own error naming the fix."""

import numpy as np
import pytest

import gametheory as gt
from gametheory.errors import (
    GameTooLargeError,
    InvalidArgumentError,
    InvalidTypeError,
    SolverError,
)
from gametheory.tu import _lp


def test_highs_failure_is_a_solver_error():
    # an infeasible LP: x >= 1 and x <= 0
    with pytest.raises(SolverError, match="failed"):
        _lp.solve_lp(np.array([1.0]), A_ub=np.array([[1.0]]), b_ub=np.array([0.0]),
                     bounds=[(1.0, None)], what="test LP")


def test_highs_failure_inside_nucleolus_propagates(monkeypatch):
    from types import SimpleNamespace

    def failing(*args, **kwargs):
        return SimpleNamespace(status=4, message="numerical difficulties")

    monkeypatch.setattr(_lp, "linprog", failing)
    with pytest.raises(SolverError, match="nucleolus LP"):
        gt.nucleolus(gt.games.majority(3), method="enumeration")
    with pytest.raises(SolverError, match="least-core LP"):
        gt.least_core(gt.games.majority(3))


def test_highspy_failure_inside_nucleolus_propagates(monkeypatch):
    import importlib

    nuc = importlib.import_module("gametheory.tu.nucleolus")
    real = nuc._new_highs

    class Stalled:
        def __init__(self):
            self.h = real()

        def __getattr__(self, name):
            return getattr(self.h, name)

        def getModelStatus(self):
            return "kTimeLimit"

    monkeypatch.setattr(nuc, "_new_highs", Stalled)
    with pytest.raises(SolverError, match="nucleolus LP"):
        gt.nucleolus(gt.games.majority(3))


def test_unknown_methods_raise():
    g = gt.games.majority(3)
    with pytest.raises(InvalidArgumentError, match="method"):
        gt.shapley_value(g, method="magic")
    with pytest.raises(InvalidArgumentError, match="method"):
        gt.nucleolus(g, method="magic")
    with pytest.raises(InvalidArgumentError, match="method"):
        gt.least_core(g, method="magic")


def test_sampling_arguments_are_not_silently_ignored():
    g = gt.games.majority(3)
    with pytest.raises(InvalidArgumentError, match="only used by method='sample'"):
        gt.shapley_value(g, samples=100)
    with pytest.raises(InvalidArgumentError, match="samples"):
        gt.shapley_value(g, method="sample", samples=1)
    with pytest.raises(InvalidTypeError, match="seed"):
        gt.shapley_value(g, method="sample", seed="abc")


def test_not_a_game():
    with pytest.raises(InvalidTypeError, match="TUGame"):
        gt.shapley_value([0, 1, 1, 2])


def test_nucleolus_with_empty_imputation_set():
    g = gt.TUGame([0, 2, 2, 1])
    with pytest.raises(InvalidArgumentError, match="prenucleolus"):
        gt.nucleolus(g)
    np.testing.assert_allclose(gt.prenucleolus(g).values, [0.5, 0.5])


def test_tau_undefined_and_gately_undefined():
    g = gt.TUGame([0, 2, 2, 1])
    with pytest.raises(InvalidArgumentError, match="quasi-balanced"):
        gt.tau_value(g)
    with pytest.raises(InvalidArgumentError, match="essential"):
        gt.gately_point(g)


def test_exact_methods_refuse_huge_games_and_name_sampling():
    big = gt.games.bankruptcy(10.0, np.full(40, 1.0) * np.pi)
    with pytest.raises(InvalidArgumentError, match="method='sample'"):
        gt.shapley_value(big)
    with pytest.raises(GameTooLargeError):
        gt.nucleolus(gt.games.airport(np.arange(1.0, 31.0)))


def test_bankruptcy_bad_problems():
    with pytest.raises(InvalidArgumentError, match="exceeds the total claims"):
        gt.bankruptcy.talmud(700, [100, 200, 300])
    with pytest.raises(InvalidArgumentError, match="claims"):
        gt.bankruptcy.cea(10, [1, -2, 3])
    with pytest.raises(InvalidArgumentError, match="estate"):
        gt.games.bankruptcy(float("nan"), [1, 2])


def test_airport_bad_costs():
    with pytest.raises(InvalidArgumentError, match="costs"):
        gt.games.airport([1, -1])
    with pytest.raises(InvalidArgumentError, match="costs"):
        gt.games.airport([])
