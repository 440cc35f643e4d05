"""The generic formation core against independent computations.

Pass probabilities against brute-force enumeration of every vote profile;
p = 1/2 against the Banzhaf generating-function kernel (a different algorithm);
choice probabilities against a literal Monte Carlo of the propose-vote-replace
process; observed-vote likelihoods and conditional vote draws against
enumeration; numpy against pytensor (and JAX) to 1e-10; gradients against
finite differences; the deterministic limit and the all-blocked rule.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gametheory.errors import InvalidArgumentError
from gametheory.formation import (
    NUMPY,
    FormationGame,
    VotingBodies,
    choice_probability,
    log_choice_probability,
    log_pass_probability,
    log_vote_probability,
    passes_in_limit,
    pytensor_backend,
    sample_votes,
    simulate_process,
)
from gametheory.voting._genfun import banzhaf_dp


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _brute_pass(p, w, q, fixed=None):
    """P(sum_j w_j v_j >= q) by enumerating all 2^n vote profiles."""
    n = len(w)
    tot = 0.0
    for prof in itertools.product([0, 1], repeat=n):
        v = np.array(prof)
        if fixed is not None and np.any(fixed[1] & (v != fixed[0])):
            continue
        pr = np.where(v == 1, p, 1 - p)
        if fixed is not None:
            pr = np.where(fixed[1], 1.0, pr)
        if (v * w).sum() >= q:
            tot += pr.prod()
    return tot


@st.composite
def bodies_and_logits(draw):
    G = draw(st.integers(1, 3))
    J = draw(st.integers(1, 6))
    C = draw(st.integers(1, 4))
    w = np.array([[draw(st.integers(0, 4)) for _ in range(J)] for _ in range(G)])
    for g in range(G):
        if w[g].sum() == 0:
            w[g, 0] = 1
    q = np.array([draw(st.integers(1, int(w[g].sum()))) for g in range(G)])
    seed = draw(st.integers(0, 2**31 - 1))
    a = np.random.default_rng(seed).normal(0, 2.5, size=(G, C, J))
    return w, q, a


@given(bodies_and_logits())
def test_pass_probability_equals_enumeration(case):
    w, q, a = case
    lp = log_pass_probability(a, VotingBodies(w, q))
    G, C, _ = a.shape
    for g in range(G):
        for c in range(C):
            ref = _brute_pass(_sigmoid(a[g, c]), w[g], q[g])
            assert np.exp(lp[g, c]) == pytest.approx(ref, rel=1e-12, abs=1e-300)


@given(bodies_and_logits(), st.integers(0, 2**31 - 1))
def test_fixed_votes_equal_enumeration(case, seed):
    w, q, a = case
    rng = np.random.default_rng(seed)
    votes = rng.integers(0, 2, size=w.shape)
    mask = rng.random(w.shape) < 0.5
    lp = log_pass_probability(a, VotingBodies(w, q), fixed=(votes, mask))
    for g in range(w.shape[0]):
        for c in range(a.shape[1]):
            ref = _brute_pass(_sigmoid(a[g, c]), w[g], q[g], (votes[g], mask[g]))
            assert np.exp(lp[g, c]) == pytest.approx(ref, rel=1e-12, abs=1e-300)


@given(bodies_and_logits(), st.sampled_from(["support", "auto"]),
       st.integers(0, 2**31 - 1))
def test_supporting_side_equals_enumeration(case, side, seed):
    """The programme on the weight still needed (absorbing at 0), with and without fixed
    votes, against the enumeration of every vote profile."""
    w, q, a = case
    rng = np.random.default_rng(seed)
    fixed = (rng.integers(0, 2, size=w.shape), rng.random(w.shape) < 0.4)
    bodies = VotingBodies(w, q)
    lp = log_pass_probability(a, bodies, side=side)
    lf = log_pass_probability(a, bodies, side=side, fixed=fixed)
    for g in range(w.shape[0]):
        for c in range(a.shape[1]):
            p = _sigmoid(a[g, c])
            assert np.exp(lp[g, c]) == pytest.approx(_brute_pass(p, w[g], q[g]), rel=1e-12,
                                                     abs=1e-300)
            assert np.exp(lf[g, c]) == pytest.approx(
                _brute_pass(p, w[g], q[g], (fixed[0][g], fixed[1][g])), rel=1e-12, abs=1e-300)


def test_supporting_side_keeps_tiny_probabilities_and_refuses_unknown_sides():
    # unanimity of 40 members: the supporting side has 41 states too; quota 3 of 40
    # members of weight 1 that each support with probability 1e-5: about C(40,3) 1e-15
    a = np.full((1, 1, 40), np.log(1e-5 / (1 - 1e-5)))
    lp = log_pass_probability(a, VotingBodies([[1] * 40], [40]), side="support")
    assert lp[0, 0] == pytest.approx(40 * np.log(1e-5), rel=1e-12)
    from scipy.stats import binom

    lp3 = log_pass_probability(a, VotingBodies([[1] * 40], [3]), side="support")
    assert lp3[0, 0] == pytest.approx(np.log(binom.sf(2, 40, 1e-5)), rel=1e-9)
    with pytest.raises(InvalidArgumentError, match="side"):
        log_pass_probability(a, VotingBodies([[1] * 40], [3]), side="both")


def test_jax_backend_runs_the_same_programme_and_its_gradient():
    """The folded programme on JAX (both sides, weights of several sizes) equals the
    enumeration, and JAX's gradient equals central finite differences of numpy."""
    import jax

    from gametheory.formation import jax_backend

    xp = jax_backend()
    rng = np.random.default_rng(11)
    w = rng.integers(0, 9, size=(4, 6))
    w[:, 0] += 1
    q = np.array([1, 3, int(w[2].sum()), int(w[3].sum()) // 2 + 1])
    bodies = VotingBodies(w, q)
    a = rng.normal(0, 2, size=(4, 2, 6))
    for side in ("opposition", "support"):
        got = np.asarray(log_pass_probability(xp.asarray(a), bodies, xp, side=side))
        for g in range(4):
            for c in range(2):
                ref = _brute_pass(_sigmoid(a[g, c]), w[g], q[g])
                assert np.exp(got[g, c]) == pytest.approx(ref, rel=1e-12)
        grad = np.asarray(jax.grad(lambda x, s=side: log_pass_probability(
            x, bodies, xp, side=s).sum())(xp.asarray(a)))
        h = 1e-6
        for idx in list(np.ndindex(a.shape))[::5]:
            e = np.zeros_like(a)
            e[idx] = h
            fd = (log_pass_probability(a + e, bodies).sum()
                  - log_pass_probability(a - e, bodies).sum()) / (2 * h)
            assert grad[idx] == pytest.approx(fd, rel=1e-5, abs=1e-7), (side, idx)


def test_half_probabilities_equal_the_share_of_winning_coalitions():
    # Pr(pass) with every p = 1/2 is the share of winning coalitions, which the Banzhaf
    # kernel computes by a different (generating-function, complement-symmetric) method
    rng = np.random.default_rng(3)
    for _ in range(20):
        w = rng.integers(0, 9, size=rng.integers(2, 30))
        w[0] += 1
        q = int(rng.integers(1, w.sum() + 1))
        lp = log_pass_probability(np.zeros((1, 1, len(w))), VotingBodies([w], [q]))
        assert np.exp(lp[0, 0]) == pytest.approx(banzhaf_dp(w, q)[1], rel=1e-10)


def test_tiny_pass_probabilities_keep_their_relative_precision():
    # 40 members of weight 1, unanimity: P = prod p_j, about 1e-200 here
    a = np.full((1, 1, 40), np.log(1e-5 / (1 - 1e-5)))
    lp = log_pass_probability(a, VotingBodies([[1] * 40], [40]))
    assert lp[0, 0] == pytest.approx(40 * np.log(1e-5), rel=1e-12)


def test_choice_probability_matches_monte_carlo_of_the_process():
    rng = np.random.default_rng(11)
    w = np.array([[4, 2, 2, 1, 1, 1, 1, 1]])
    q = np.array([9])
    C = 5
    z = rng.normal(0, 1, size=(1, C))
    a = rng.normal(0.5, 2.0, size=(1, C, w.shape[1]))
    bodies = VotingBodies(w, q)
    P = np.exp(log_choice_probability(z, log_pass_probability(a, bodies),
                                      np.ones((1, C), bool)))[0]
    n = 40_000
    many = VotingBodies(np.repeat(w, n, 0), np.repeat(q, n))
    chosen, rounds, votes = simulate_process(rng, np.repeat(z, n, 0),
                                             np.repeat(_sigmoid(a), n, 0), many,
                                             np.ones((n, C), bool))
    freq = np.bincount(chosen, minlength=C) / n
    se = np.sqrt(P * (1 - P) / n)
    assert np.all(np.abs(freq - P) < 4.5 * se + 1e-12), (freq, P)
    # every accepted profile reaches the quota, and the number of rounds is geometric
    assert ((votes * w).sum(axis=1) >= q).all()
    p_any = (np.exp(z) / np.exp(z).sum() * np.exp(log_pass_probability(a, bodies))).sum()
    assert rounds.mean() == pytest.approx(1 / p_any, rel=0.05)


def test_vote_likelihood_is_the_joint_probability_by_enumeration():
    rng = np.random.default_rng(5)
    w = np.array([[3, 1, 2, 1, 0], [1, 1, 1, 2, 2]])
    q = np.array([4, 4])
    C, J = 3, w.shape[1]
    z = rng.normal(size=(2, C))
    a = rng.normal(0.5, 1.5, size=(2, C, J))
    bodies = VotingBodies(w, q)
    lc = log_choice_probability(z, log_pass_probability(a, bodies), np.ones((2, C), bool))
    chosen = np.array([1, 2])
    votes = np.array([[1, 0, 1, 1, 0], [1, 1, 0, 1, 1]])
    mask = np.array([[1, 1, 0, 1, 0], [1, 1, 1, 1, 1]], bool)
    ac = a[np.arange(2), chosen]                                     # (G, J)
    lv = log_vote_probability(ac, votes, mask, bodies)
    for g in range(2):
        denom = sum(np.exp(z[g, c]) * _brute_pass(_sigmoid(a[g, c]), w[g], q[g])
                    for c in range(C))
        p = _sigmoid(ac[g])
        num = 0.0
        for prof in itertools.product([0, 1], repeat=J):
            v = np.array(prof)
            if np.any(mask[g] & (v != votes[g])) or (v * w[g]).sum() < q[g]:
                continue
            num += np.where(v == 1, p, 1 - p).prod()
        joint = np.exp(z[g, chosen[g]]) * num / denom
        assert lc[g, chosen[g]] + lv[g] == pytest.approx(np.log(joint), rel=1e-12)


def test_sampled_votes_follow_the_conditional_law():
    rng = np.random.default_rng(2)
    w = np.array([2, 1, 1, 3])
    q = 4
    p = np.array([0.7, 0.4, 0.9, 0.3])
    n = 60_000
    bodies = VotingBodies(np.tile(w, (n, 1)), np.full(n, q))
    v = sample_votes(rng, np.tile(p, (n, 1)), bodies)
    assert ((v * w).sum(axis=1) >= q).all()
    codes = v.astype(int) @ (1 << np.arange(4))
    freq = np.bincount(codes, minlength=16) / n
    ref = np.zeros(16)
    for code in range(16):
        prof = (code >> np.arange(4)) & 1
        if (prof * w).sum() >= q:
            ref[code] = np.where(prof == 1, p, 1 - p).prod()
    ref /= ref.sum()
    se = np.sqrt(ref * (1 - ref) / n)
    assert np.all(np.abs(freq - ref) < 4.5 * se + 1e-12)


def test_deterministic_limit_and_the_all_blocked_rule():
    u = np.array([[[1.0, -1.0, 2.0], [-0.5, -1.0, 1.0]]])          # (G=1, C=2, J=3)
    bodies = VotingBodies([[2, 2, 1]], [4])
    assert passes_in_limit(u, bodies).tolist() == [[False, False]]
    # finite kappa: tends to the limit, never exactly blocked
    for kappa in (1.0, 10.0, 50.0):
        lp = log_pass_probability(kappa * u, bodies)
        assert np.all(np.isfinite(lp))
    assert np.exp(log_pass_probability(50.0 * u, bodies)).max() < 1e-20
    P, blocked = choice_probability(np.array([[0.2, -0.3]]), np.full((1, 2), -np.inf),
                                    np.ones((1, 2), bool))
    assert blocked.tolist() == [True]
    assert P[0] == pytest.approx(np.exp([0.2, -0.3]) / np.exp([0.2, -0.3]).sum())
    # one passing configuration takes everything in the limit
    u2 = u.copy()
    u2[0, 1] = [1.0, 1.0, -1.0]
    P2, blocked2 = choice_probability(np.array([[5.0, 0.0]]),
                                      np.where(passes_in_limit(u2, bodies), 0.0, -np.inf),
                                      np.ones((1, 2), bool))
    assert P2.tolist() == [[0.0, 1.0]] and not blocked2[0]
    g = FormationGame([2, 2, 1], 4, [0.2, -0.3], u[0].T)
    assert g.all_blocked(float("inf")) and not g.all_blocked(3.0)
    with pytest.raises(InvalidArgumentError, match="never stops"):
        g.simulate(1.0, float("inf"), 10)


def test_formation_game_simulation_agrees_with_its_probabilities():
    rng = np.random.default_rng(8)
    u = rng.normal(0.3, 1.0, size=(4, 6))
    g = FormationGame([3, 1, 1, 2], 4, rng.normal(size=6), u,
                      configurations=[0b0011, 0b0101, 0b0110, 0b1001, 0b1010, 0b1100],
                      players=["a", "b", "c", "d"])
    P = g.choice_probability(1.5, 2.0)
    n = 30_000
    freq = g.simulate(1.5, 2.0, n, seed=1) / n
    assert np.all(np.abs(freq - P) < 4.5 * np.sqrt(P * (1 - P) / n) + 1e-12)
    t = g.table(1.5, 2.0)
    assert t["configuration"].iloc[0] == ("a", "b")
    assert t["probability"].sum() == pytest.approx(1.0)


def _pytensor_functions(w, q, C, J, G, mode=None):
    import pytensor
    import pytensor.tensor as pt

    xp = pytensor_backend()
    bodies = VotingBodies(w, q)
    a = pt.tensor3("a")
    z = pt.matrix("z")
    ac = pt.matrix("ac")
    lp = log_pass_probability(a, bodies, xp)
    lc = log_choice_probability(z, lp, np.ones((G, C), bool), xp)
    votes = np.ones((G, J))
    votes[:, ::2] = 0
    vmask = np.ones((G, J), bool)
    vmask[:, 0] = False
    lv = log_vote_probability(ac, votes, vmask, bodies, xp)
    f = pytensor.function([a, z, ac], [lp, lc, lv], mode=mode)
    total = pt.sum(lc[:, 0]) + pt.sum(lv)
    grad = pytensor.function([a, z, ac], [total, *pytensor.grad(total, [a, z, ac])],
                             mode=mode)
    return bodies, f, grad, (votes, vmask)


def _numpy_parts(bodies, a, z, ac, votes, C, G):
    lp = log_pass_probability(a, bodies)
    lc = log_choice_probability(z, lp, np.ones((G, C), bool))
    lv = log_vote_probability(ac, votes[0], votes[1], bodies)
    return lp, lc, lv


def test_numpy_and_pytensor_agree_and_gradients_match_finite_differences():
    rng = np.random.default_rng(4)
    G, C, J = 3, 4, 6
    w = rng.integers(0, 4, size=(G, J))
    w[:, 0] += 1
    q = np.array([rng.integers(1, w[g].sum() + 1) for g in range(G)])
    # the graph itself, evaluated without C compilation (the compiled JAX graph: below)
    bodies, f, grad, votes = _pytensor_functions(w, q, C, J, G, mode="FAST_COMPILE")
    for _ in range(5):
        a, z, ac = (rng.normal(0, 2, size=(G, C, J)), rng.normal(size=(G, C)),
                    rng.normal(1, 2, size=(G, J)))
        # observed votes must be able to pass: keep only feasible rows for the vote part
        got = f(a, z, ac)
        ref = _numpy_parts(bodies, a, z, ac, votes, C, G)
        for x, y in zip(got, ref, strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)
    a, z, ac = (rng.normal(0, 2, size=(G, C, J)), rng.normal(size=(G, C)),
                rng.normal(1, 2, size=(G, J)))
    val, ga, gz, gac = grad(a, z, ac)
    assert np.isfinite(val)
    h = 1e-6

    def total(a_, z_, ac_):
        lp, lc, lv = _numpy_parts(bodies, a_, z_, ac_, votes, C, G)
        return lc[:, 0].sum() + lv.sum()

    for arr, g_an, k in ((a, ga, 0), (z, gz, 1), (ac, gac, 2)):
        for idx in list(np.ndindex(arr.shape))[:: max(1, arr.size // 12)]:
            e = np.zeros_like(arr)
            e[idx] = h
            args_p = [a, z, ac]
            args_m = [a, z, ac]
            args_p[k] = arr + e
            args_m[k] = arr - e
            fd = (total(*args_p) - total(*args_m)) / (2 * h)
            assert g_an[idx] == pytest.approx(fd, rel=1e-5, abs=1e-6), (k, idx)


def test_pytensor_graph_compiles_to_jax():
    import jax  # noqa: F401  (the test runs, it is not skipped: jax is in the dev extra)

    rng = np.random.default_rng(9)
    G, C, J = 2, 3, 5
    w = rng.integers(1, 4, size=(G, J))
    q = w.sum(axis=1) // 2 + 1
    bodies, f_jax, grad_jax, votes = _pytensor_functions(w, q, C, J, G, mode="JAX")
    a, z, ac = (rng.normal(0, 2, size=(G, C, J)), rng.normal(size=(G, C)),
                rng.normal(1, 2, size=(G, J)))
    ref = _numpy_parts(bodies, a, z, ac, votes, C, G)
    for x, y in zip(f_jax(a, z, ac), ref, strict=True):
        np.testing.assert_allclose(np.asarray(x), y, rtol=1e-10, atol=1e-12)
    assert np.all(np.isfinite(np.asarray(grad_jax(a, z, ac)[1])))


@pytest.mark.parametrize("weights, quota, match", [
    ([[1, 1]], [3], "exceeds the total weight"),
    ([[1, -1, 2]], [1], "negative"),
    ([[1, 1.5]], [1], "whole number"),
    ([[1, 1]], [0], "at least 1"),
    ([[1, 1]], [1, 1], "2 quotas for 1 bodies"),
    ([1, 1], [1], "2-dimensional"),
])
def test_voting_bodies_refuse_bad_input(weights, quota, match):
    with pytest.raises(InvalidArgumentError, match=match):
        VotingBodies(weights, quota)


def test_formation_game_bad_input():
    with pytest.raises(InvalidArgumentError, match="utilities"):
        FormationGame([1, 1], 1, [0.0, 1.0], np.zeros((3, 2)))
    with pytest.raises(InvalidArgumentError, match="kappa"):
        FormationGame([1, 1], 1, [0.0], np.zeros((2, 1))).pass_probability(-1.0)
    with pytest.raises(InvalidArgumentError, match="non-finite"):
        FormationGame([1, 1], 1, [np.nan], np.zeros((2, 1)))
    assert NUMPY.name == "numpy"


def _random_bodies(rng, G, J):
    """Bodies with padding members (weight 0), weights at or above the slack, and
    quotas from 1 to the total weight."""
    w = rng.integers(0, 6, size=(G, J))
    w[:, 0] += 1
    w[:, -1] = 0                                   # a padding slot in every body
    w[1, 1] = w[1].sum() + 3                       # one member heavier than the slack
    q = np.array([int(rng.integers(1, w[g].sum() + 1)) for g in range(G)])
    q[0], q[-1] = 1, w[-1].sum()                   # lowest and highest quotas
    return w, q


@pytest.mark.parametrize("side", ["opposition", "support", "auto"])
def test_compiled_programme_on_jax_equals_the_numpy_programme(side):
    """The compiled forward-backward loop that JAX calls (numba) against the numpy
    programme: pass probabilities to 1e-12 relative, tiny ones included (logits of
    up to |a| ~ 100), with fixed votes, blocks with padded configurations and a
    leading batch axis; the gradient against the numpy programme's central finite
    differences."""
    import jax

    from gametheory.formation import jax_backend

    xp = jax_backend()
    rng = np.random.default_rng(23)
    G, C, J = 6, 5, 7
    w, q = _random_bodies(rng, G, J)
    bodies = VotingBodies(w, q)
    a = rng.normal(0, 3, size=(2, G, C, J))
    a[0, 2] *= 30                                   # tiny pass probabilities
    votes = rng.integers(0, 2, size=(G, J)).astype(float)
    mask = rng.random((G, J)) < 0.3
    blocks = [(0, 2, 3), (2, 5, 5), (5, 6, 2)]
    for fixed in (None, (votes, mask)):
        for bl in (None, blocks):
            got = np.asarray(log_pass_probability(xp.asarray(a), bodies, xp, side=side,
                                                  fixed=fixed, blocks=bl))
            ref = np.stack([log_pass_probability(a[i], bodies, side=side, fixed=fixed,
                                                 blocks=bl) for i in range(2)])
            fin = np.isfinite(ref)
            assert np.array_equal(fin, np.isfinite(got))
            assert np.max(np.abs(got[fin] - ref[fin])) < 1e-12, (fixed is None, bl)
            assert ref[fin].min() < -30                   # tiny ones are tested
    votes = np.ones((G, J))              # supporting votes never make passing impossible
    f = jax.jit(jax.grad(lambda x: log_pass_probability(
        x, bodies, xp, side=side, fixed=(votes, mask), blocks=blocks).sum()))
    grad = np.asarray(f(xp.asarray(a[1])))
    h = 1e-6
    for idx in list(np.ndindex(a.shape[1:]))[::3]:
        e = np.zeros(a.shape[1:])
        e[idx] = h
        fd = (log_pass_probability(a[1] + e, bodies, side=side, fixed=(votes, mask),
                                   blocks=blocks).sum()
              - log_pass_probability(a[1] - e, bodies, side=side, fixed=(votes, mask),
                                     blocks=blocks).sum()) / (2 * h)
        assert grad[idx] == pytest.approx(fd, rel=1e-5, abs=1e-7), idx
    assert np.all(grad[:, :, -1] == 0) and np.all(grad[mask[:, None, :].repeat(C, 1)] == 0)


def test_compiled_programme_gradient_equals_the_folded_jax_programme(monkeypatch):
    """The exact gradient of the compiled loop against JAX's own reverse-mode
    derivative of the folded programme (the path taken without numba), at logits
    where pass probabilities reach 1e-100."""
    import jax

    from gametheory.formation import core, jax_backend

    xp = jax_backend()
    rng = np.random.default_rng(5)
    G, C, J = 5, 4, 8
    w, q = _random_bodies(rng, G, J)
    bodies = VotingBodies(w, q)
    a = rng.normal(0, 4, size=(G, C, J))
    a[-1] = -10 * np.abs(a[-1])                     # unanimity of the unwilling

    def value_and_grad():
        return jax.jit(jax.value_and_grad(lambda x: (
            log_pass_probability(x, bodies, xp) * np.arange(1, C + 1)).sum()))(xp.asarray(a))

    v_new, g_new = value_and_grad()
    monkeypatch.setattr(core, "_compiled_programme", lambda *args: None)
    v_old, g_old = value_and_grad()
    assert float(v_new) == pytest.approx(float(v_old), rel=1e-13)
    assert np.exp(log_pass_probability(a, bodies)).min() < 1e-100
    np.testing.assert_allclose(np.asarray(g_new), np.asarray(g_old), rtol=1e-10, atol=1e-13)
