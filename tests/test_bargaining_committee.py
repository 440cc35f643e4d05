"""Committee bargaining with reservation values (gametheory.bargaining.committee).

Independent checks: the package's exact Baron-Ferejohn solver (no reservation
values), a brute-force enumeration of every active set of the piecewise-linear
value system, the one-shot-deviation conditions checked coalition by coalition,
finite differences for the gradients.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest

from gametheory.bargaining import baron_ferejohn
from gametheory.bargaining.committee import (
    quantal_values,
    unanimity_values,
    winning_coalitions,
)
from gametheory.errors import InvalidArgumentError


def _instance(rng: np.random.Generator, n: int, with_r: bool = True):
    rho = rng.dirichlet(np.ones(n))
    delta = rng.uniform(0.6, 0.97, n)
    r = rng.uniform(0, 0.25, n) * (rng.random(n) < 0.6) if with_r else np.zeros(n)
    return rho, delta, r


def _brute_force_unanimity(rho, delta, r):
    """Every active set B (members paid their reservation value), solved as a linear
    system; the one consistent solution (prices max(delta v, r)) is returned."""
    n = len(rho)
    found = []
    for bits in product([False, True], repeat=n):
        B = np.array(bits)
        # unknowns v (n); v_i = rho_i (1 - sum_{j != i} c_j) + (1 - rho_i) c_i
        # with c_j = r_j on B and delta_j v_j off B
        A = np.eye(n)
        b = rho.copy()
        for i in range(n):
            for j in range(n):
                coef = -rho[i] if j != i else (1 - rho[i])
                if B[j]:
                    b[i] += coef * r[j]
                else:
                    A[i, j] -= coef * delta[j]
        v = np.linalg.solve(A, b)
        c = np.where(B, r, delta * v)
        if np.all(np.where(B, delta * v <= r + 1e-12, delta * v >= r - 1e-12)):
            found.append((v, c))
    assert found, "no consistent active set"
    vs = np.array([f[0] for f in found])
    assert np.allclose(vs, vs[0], atol=1e-10)       # payoffs are unique
    return found[0]


@pytest.mark.parametrize("seed", range(6))
def test_unanimity_without_reservation_equals_baron_ferejohn_solver(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 7))
    rho, delta, _ = _instance(rng, n)
    got = unanimity_values(rho, delta, np.zeros(n))
    bf = baron_ferejohn(np.ones(n), n, recognition=rho, delta=delta)
    np.testing.assert_allclose(got.values, bf.values.values, atol=1e-12)
    np.testing.assert_allclose(got.prices, bf.prices, atol=1e-12)
    np.testing.assert_allclose(got.keep, bf.proposer_share, atol=1e-12)
    assert bool(got.covered)


@pytest.mark.parametrize("seed", range(12))
def test_unanimity_with_reservation_matches_enumeration_of_active_sets(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(2, 7))
    rho, delta, r = _instance(rng, n)
    r = r * min(1.0, 0.9 / max(r.sum(), 1e-9))           # the pool covers them
    got = unanimity_values(rho, delta, r)
    v, c = _brute_force_unanimity(rho, delta, r)
    np.testing.assert_allclose(got.values, v, atol=1e-12)
    np.testing.assert_allclose(got.prices, c, atol=1e-12)
    np.testing.assert_allclose(got.values.sum(), 1.0, atol=1e-12)


def _one_shot_gaps(v, rho, delta, r, member, options):
    """Largest violation of the stationary conditions, coalition by coalition.

    Prices c = max(delta v, r); every proposer k could buy any winning S it may,
    paying r to the rest: its cheapest cost, the equilibrium value it implies
    (proposer buys a cheapest coalition; ties split evenly), and whether it would
    rather let the round fail (delta_k v_k) or walk away (r_k).
    """
    n = len(rho)
    net = np.maximum(delta * v - r, 0.0)
    value = np.zeros(n)
    worst_keep = np.inf
    for k in range(n):
        S = np.flatnonzero(options[k])
        costs = np.array([r.sum() - r[k] + member[s] @ net - net[k] for s in S])
        best = S[np.abs(costs - costs.min()) < 1e-9]
        keep = 1 - costs.min()
        worst_keep = min(worst_keep, keep - max(delta[k] * v[k], r[k]))
        value[k] += rho[k] * keep
        for s in best:
            others = np.arange(n) != k
            value[others] += rho[k] / len(best) * (r[others] + member[s, others]
                                                   * net[others])
    return float(np.max(np.abs(value - v))), worst_keep


@pytest.mark.parametrize("seed", range(6))
def test_unanimity_passes_one_shot_deviation_check(seed):
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(2, 7))
    rho, delta, r = _instance(rng, n)
    r = r * min(1.0, 0.9 / max(r.sum(), 1e-9))
    member, options = winning_coalitions(np.ones(n), n)
    got = unanimity_values(rho, delta, r)
    value_gap, keep_margin = _one_shot_gaps(got.values, rho, delta, r, member, options)
    assert value_gap < 1e-12
    assert keep_margin >= -1e-12          # proposing beats a failed round or walking away


def test_reservation_values_raise_the_members_share_and_bind():
    rho = np.array([0.6, 0.2, 0.2])
    base = unanimity_values(rho, 0.9, np.zeros(3)).values
    more = unanimity_values(rho, 0.9, np.array([0.0, 0.0, 0.5])).values
    assert more[2] == pytest.approx(0.5 + rho[2] * (1 - 0.5) / (1 + 9 * 0.8))
    assert more[2] > base[2] and more[0] < base[0] and more[1] < base[1]


def test_pool_too_small_is_rationed_and_flagged():
    rho = np.array([0.5, 0.25, 0.25])
    r = np.array([0.0, 0.9, 0.6])
    out = unanimity_values(rho, 0.9, r)
    assert not bool(out.covered)
    np.testing.assert_allclose(out.values, r / r.sum())
    # continuous at a pool that just covers them
    edge = unanimity_values(rho, 0.9, r / r.sum() * (1 - 1e-12))
    np.testing.assert_allclose(edge.values, r / r.sum(), atol=1e-9)
    q = quantal_values(rho, 0.9, r, *winning_coalitions([1, 1, 1], 2))
    assert not bool(q.covered)
    np.testing.assert_allclose(q.values, r / r.sum())


def test_quantal_with_unanimity_reproduces_the_closed_form():
    rng = np.random.default_rng(3)
    rho, delta, r = _instance(rng, 5)
    member, options = winning_coalitions(np.ones(5), 5)
    q = quantal_values(rho, delta, r, member, options, n_iter=800)
    u = unanimity_values(rho, delta, r)
    assert q.residual < 1e-9
    np.testing.assert_allclose(q.values, u.values, atol=1e-8)


@pytest.mark.parametrize("seed", range(4))
def test_quantal_proposer_tends_to_baron_ferejohn(seed):
    rng = np.random.default_rng(300 + seed)
    n = int(rng.integers(3, 6))
    rho, delta, _ = _instance(rng, n)
    w = rng.integers(1, 4, n)
    q = int(w.sum() // 2 + 1)
    bf = baron_ferejohn(w, q, recognition=rho, delta=delta).values.values
    member, options = winning_coalitions(w, q)
    coarse = quantal_values(rho, delta, np.zeros(n), member, options, tau=0.03)
    fine = quantal_values(rho, delta, np.zeros(n), member, options, tau=0.003, n_iter=1500)
    assert coarse.residual < 1e-6 and fine.residual < 1e-6
    e_coarse = np.abs(coarse.values - bf).max()
    e_fine = np.abs(fine.values - bf).max()
    assert e_fine < 0.015 and e_fine < e_coarse


@pytest.mark.parametrize("seed", range(4))
def test_quantal_with_reservation_nearly_passes_one_shot_deviation_check(seed):
    rng = np.random.default_rng(400 + seed)
    n = int(rng.integers(3, 6))
    rho, delta, r = _instance(rng, n)
    r = r * min(1.0, 0.6 / max(r.sum(), 1e-9))
    w = rng.integers(1, 4, n)
    member, options = winning_coalitions(w, int(w.sum() // 2 + 1))
    tau = 0.003
    q = quantal_values(rho, delta, r, member, options, tau=tau, n_iter=1500)
    assert q.residual < 1e-6
    gap, margin = _one_shot_gaps(q.values, rho, delta, r, member, options)
    assert gap < 12 * tau and margin > -12 * tau
    assert np.all(q.values >= r - 1e-12)       # nobody is kept below its reservation


def test_bad_inputs_are_refused():
    with pytest.raises(InvalidArgumentError, match="delta"):
        unanimity_values(np.array([0.5, 0.5]), 1.0, np.zeros(2))
    with pytest.raises(InvalidArgumentError, match="recognition"):
        unanimity_values(np.array([0.5, 0.6]), 0.9, np.zeros(2))
    with pytest.raises(InvalidArgumentError, match="reservation"):
        unanimity_values(np.array([0.5, 0.5]), 0.9, np.array([0.1, -0.1]))
    with pytest.raises(InvalidArgumentError, match="quota"):
        winning_coalitions([1, 1], 3)
    with pytest.raises(InvalidArgumentError, match="tau"):
        quantal_values(np.array([0.5, 0.5]), 0.9, np.zeros(2), *winning_coalitions([1, 1], 1),
                       tau=0.0)


def test_pytensor_kernels_agree_with_numpy_and_finite_differences():
    import pytensor
    import pytensor.tensor as pt

    from gametheory.formation.backend import pytensor_backend

    xp = pytensor_backend()
    rng = np.random.default_rng(9)
    rho_np = np.stack([rng.dirichlet(np.ones(4)) for _ in range(3)])
    r_np = rng.uniform(0, 0.2, (3, 4))
    rho = pt.matrix("rho", shape=(3, 4))
    r = pt.matrix("r", shape=(3, 4))
    d = pt.scalar("d")
    out = unanimity_values(rho, d, r, xp=xp)
    f = pytensor.function([rho, d, r], [out.values, pt.grad(out.values[1, 2], d)],
                          mode="FAST_COMPILE")
    vals, grad = f(rho_np, 0.85, r_np)
    np.testing.assert_allclose(vals, unanimity_values(rho_np, 0.85, r_np).values, atol=1e-12)
    eps = 1e-6
    fd = (unanimity_values(rho_np, 0.85 + eps, r_np).values[1, 2]
          - unanimity_values(rho_np, 0.85 - eps, r_np).values[1, 2]) / (2 * eps)
    assert grad == pytest.approx(fd, abs=1e-6)
    member, options = winning_coalitions([1, 1, 1, 1], 3)
    q = quantal_values(rho, d, r, member, options, n_iter=40, xp=xp)
    fq = pytensor.function([rho, d, r], [q.values, pt.grad(q.values[0, 1], d)], mode="JAX")
    qv, qg = fq(rho_np, 0.85, r_np)
    np.testing.assert_allclose(qv, quantal_values(rho_np, 0.85, r_np, member, options,
                                                  n_iter=40).values, atol=1e-10)
    fd = (quantal_values(rho_np, 0.85 + eps, r_np, member, options, n_iter=40).values[0, 1]
          - quantal_values(rho_np, 0.85 - eps, r_np, member, options, n_iter=40).values[0, 1]
          ) / (2 * eps)
    assert float(qg) == pytest.approx(fd, abs=1e-5)
