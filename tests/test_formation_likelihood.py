"""The formation log-likelihood of chosen configurations (and observed votes), written
once as linear utilities: the compiled loop that JAX calls against the composition of
the numpy functions it replaces (pass probabilities, choice probabilities, vote
likelihood; each tested against enumeration in ``test_formation.py``), its exact
gradient against central finite differences of the numpy composition and against JAX's
own derivative of that composition, and the layouts it must get right: bodies of the
same weights run side by side and split across tiles, per-body and shared
coefficients, McFadden offsets, observed votes of members without weight, chosen
configurations that cannot pass."""

from __future__ import annotations

import numpy as np
import pytest

from gametheory.formation import (
    NUMPY,
    LinearUtilities,
    VotingBodies,
    formation_log_likelihood,
    jax_backend,
    log_choice_probability,
    log_pass_probability,
    log_vote_probability,
)


def _case(seed: int, G: int = 9, C: int = 5, J: int = 6, per_body: bool = True,
          votes: bool = True, impossible: bool = False, twins: bool = True):
    """Bodies (three weight patterns repeated, so that tiles hold several bodies),
    configurations per body from 1 to C, coefficients with a body axis of G or 1.
    With ``twins``, some bodies have members with the same weight and the same data
    (the compiled loop gives them one row): in the bodies of the second pattern
    members 1 and 3 copy member 0 and member 5 copies member 4; in the first body of
    the first pattern member 2 copies member 1 (so that bodies of one weight pattern
    differ in their twins)."""
    rng = np.random.default_rng(seed)
    pats = [([2, 1, 1, 0, 1, 0], 3), ([1, 1, 1, 1, 1, 1], 2), ([4, 2, 1, 1, 0, 0], 6)]
    w = np.array([pats[g % 3][0][:J] for g in range(G)])
    q = np.array([pats[g % 3][1] for g in range(G)])
    bodies = VotingBodies(w, q)
    ncfg = rng.integers(1, C + 1, size=G)
    ncfg[0] = C
    mask = np.arange(C)[None, :] < ncfg[:, None]
    chosen = np.array([rng.integers(0, n) for n in ncfg])
    nb = G if per_body else 1
    lu = LinearUtilities(
        proposal_x=rng.normal(size=(G, C, 3)),
        proposal_coef=rng.normal(size=(nb, 3)),
        member_terms=tuple((rng.normal(size=(G, J)), rng.normal(size=nb)) for _ in range(2)),
        config_terms=tuple((rng.normal(size=(G, C, J)), rng.normal(size=nb))
                           for _ in range(2)),
        utility_offset=rng.normal(size=(G, C, J)),
        kappa=np.abs(rng.normal(1.5, 0.5, size=nb)),
        proposal_offset=rng.normal(size=(G, C)))
    if twins:
        for g, dst, src in ([(g, d, 0) for g in range(1, G, 3) for d in (1, 3)]
                            + [(g, 5, 4) for g in range(1, G, 3)] + [(0, 2, 1)]):
            assert w[g, dst] == w[g, src]
            lu.utility_offset[g, :, dst] = lu.utility_offset[g, :, src]
            for x, _ in lu.config_terms:
                x[g, :, dst] = x[g, :, src]
            for x, _ in lu.member_terms:
                x[g, dst] = x[g, src]
    v = vm = None
    if votes:
        v = rng.integers(0, 2, size=(G, J)).astype(float)
        vm = rng.random((G, J)) < 0.4
        vm[2, 3] = True                    # an observed vote of a member without weight
        if impossible:                     # every member observed opposing: cannot pass
            v[4], vm[4] = 0.0, True
    return lu, bodies, mask, chosen, v, vm


def _reference(lu: LinearUtilities, bodies, mask, chosen, v, vm) -> np.ndarray:
    """The composition on numpy, written out from the primitives."""
    z = lu.proposal_logits(NUMPY)
    a = lu.support_logits(NUMPY)
    lp = log_pass_probability(a, bodies)
    rows = np.arange(len(chosen))
    out = log_choice_probability(z, lp, mask)[rows, chosen]
    if v is None:
        return out
    return out + log_vote_probability(a[rows, chosen], v, vm, bodies,
                                      log_pass=lp[rows, chosen])


def _flat(lu: LinearUtilities) -> list:
    """The coefficients of *lu*, in order."""
    return [lu.proposal_coef, lu.kappa, *(c for _, c in lu.member_terms),
            *(c for _, c in lu.config_terms)]


def _rebuild(base: LinearUtilities, cs) -> LinearUtilities:
    """*base* with the coefficients *cs* (as :func:`_flat` orders them)."""
    from dataclasses import replace

    m = len(base.member_terms)
    return replace(base, proposal_coef=cs[0], kappa=cs[1],
                   member_terms=tuple((x, c) for (x, _), c in
                                      zip(base.member_terms, cs[2:2 + m], strict=True)),
                   config_terms=tuple((x, c) for (x, _), c in
                                      zip(base.config_terms, cs[2 + m:], strict=True)))


@pytest.mark.parametrize("per_body", [True, False])
@pytest.mark.parametrize("votes", [True, False])
def test_compiled_loop_equals_the_numpy_composition(per_body, votes, monkeypatch):
    """Values to 1e-12, tiles split mid-group (a tile of 4 columns), -inf where the
    observed votes make passing impossible."""
    import jax

    from gametheory.formation import core

    monkeypatch.setattr(core, "TILE_COLUMNS", 4)
    xp = jax_backend()
    for seed in range(3):
        lu, bodies, mask, chosen, v, vm = _case(seed, per_body=per_body, votes=votes,
                                                impossible=votes)
        ref = _reference(lu, bodies, mask, chosen, v, vm)
        # the numpy entry point is the composition itself
        np.testing.assert_allclose(formation_log_likelihood(lu, bodies, mask, chosen, v, vm),
                                   ref, rtol=1e-13)
        def ll(cs, lu=lu, b=bodies, m=mask, ch=chosen, v=v, vm=vm):
            return formation_log_likelihood(_rebuild(lu, cs), b, m, ch, v, vm, xp)

        got = np.asarray(jax.jit(ll)([xp.asarray(c) for c in _flat(lu)]))
        fin = np.isfinite(ref)
        assert np.array_equal(fin, np.isfinite(got))
        assert fin.sum() >= len(ref) // 2
        if votes:
            assert not fin[4]
        np.testing.assert_allclose(got[fin], ref[fin], rtol=1e-12, atol=1e-12)


def test_twins_share_a_row_of_the_compiled_loop():
    """Members with the same weight and the same data get one row of entries, only
    those; bodies of one weight pattern with different twins go to different tiles."""
    from gametheory.formation import core

    lu, bodies, mask, chosen, _, _ = _case(0, votes=False)
    lay = core._tiles(bodies, mask, None, core._support_data(lu, bodies))
    rows = {}
    for t in range(len(lay["t_nr"])):
        nm = lay["t_nm"][t]
        for bi in range(lay["t_b0"][t], lay["t_b1"][t]):
            rows[int(lay["body"][bi])] = tuple(lay["t_row"][t, :nm].tolist())
        first = lay["t_first"][t, :lay["t_nr"][t]]
        assert [lay["t_row"][t, i] for i in first] == list(range(lay["t_nr"][t]))
    # active members: weights > 0 (pattern 0: members 0, 1, 2, 4)
    assert rows[0] == (0, 1, 1, 2)
    assert rows[3] == rows[6] == (0, 1, 2, 3)
    assert rows[1] == rows[4] == rows[7] == (0, 0, 1, 0, 2, 2)
    assert rows[2] == (0, 1, 2, 3)
    ncol = lay["t_ncol"]
    assert (lay["t_nr"] * ncol).sum() == len(lay["e_g"]) < (lay["t_nm"] * ncol).sum()
    # without the data every member has its own row
    plain = core._tiles(bodies, mask, None)
    assert np.array_equal(plain["t_nr"], plain["t_nm"])


@pytest.mark.parametrize("votes", [True, False])
def test_compiled_gradient_equals_finite_differences_and_jax_own(votes, monkeypatch):
    """The hand-written reverse-mode gradient in every coefficient against central
    differences of the numpy composition, and against JAX differentiating the
    composition (the path without the compiled loop)."""
    import jax

    from gametheory.formation import core

    xp = jax_backend()
    lu, bodies, mask, chosen, v, vm = _case(11, votes=votes)
    if votes:          # supporting votes where the observed ones would block for sure
        v[~np.isfinite(_reference(lu, bodies, mask, chosen, v, vm))] = 1.0
        assert np.isfinite(_reference(lu, bodies, mask, chosen, v, vm)).all()
        assert (v[vm] == 0).sum() >= 3
    wts = np.arange(1.0, len(chosen) + 1)

    def loss(cs, backend):
        ll = formation_log_likelihood(_rebuild(lu, cs), bodies, mask, chosen, v, vm, backend)
        return (ll * wts).sum()

    c0 = [xp.asarray(c) for c in _flat(lu)]
    g_new = jax.jit(jax.grad(lambda cs: loss(cs, xp)))(c0)
    monkeypatch.setattr(core, "_formation_compiled", lambda *args: None)
    g_jax = jax.jit(jax.grad(lambda cs: loss(cs, xp)))(c0)
    h = 1e-6
    for i, c in enumerate(_flat(lu)):
        np.testing.assert_allclose(np.asarray(g_new[i]), np.asarray(g_jax[i]), rtol=1e-9,
                                   atol=1e-11)
        for idx in np.ndindex(c.shape):
            up = [np.array(x, copy=True) for x in _flat(lu)]
            dn = [np.array(x, copy=True) for x in _flat(lu)]
            up[i][idx] += h
            dn[i][idx] -= h
            fd = (loss(up, NUMPY) - loss(dn, NUMPY)) / (2 * h)
            assert float(np.asarray(g_new[i])[idx]) == pytest.approx(fd, rel=1e-5,
                                                                      abs=1e-6), (i, idx)


def test_symbolic_or_batched_inputs_take_the_composition():
    """A batch axis (posterior draws) is computed by the composition on JAX too."""
    xp = jax_backend()
    lu, bodies, mask, chosen, v, vm = _case(5)
    from dataclasses import replace

    two = replace(lu, proposal_coef=np.stack([lu.proposal_coef] * 2),
                  kappa=np.stack([lu.kappa] * 2),
                  member_terms=tuple((x, np.stack([c] * 2)) for x, c in lu.member_terms),
                  config_terms=tuple((x, np.stack([c] * 2)) for x, c in lu.config_terms))
    got = np.asarray(formation_log_likelihood(
        _rebuild(two, [xp.asarray(c) for c in _flat(two)]), bodies, mask, chosen, v, vm, xp))
    ref = _reference(lu, bodies, mask, chosen, v, vm)
    assert got.shape == (2, len(chosen))
    np.testing.assert_allclose(got[1], ref, rtol=1e-12)
