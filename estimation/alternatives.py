r"""Sampling of alternatives for conditional logits over very large choice sets.

When an opportunity has too many alternatives to list (every subset of 19
parties is 524,287 potential cabinets), the conditional logit is estimated on
a sampled choice set: the chosen alternative plus :math:`R` draws, with
replacement, from an importance distribution :math:`q` over all alternatives.
With :math:`\tilde k_j` the number of times alternative :math:`j` appears in
the set (its draws, plus one if it is the chosen one), the probability of the
set given that :math:`j` was chosen is proportional to :math:`\tilde k_j / q_j`
(the multinomial probability of the draws), so by McFadden's (1978) positive
conditioning property

.. math::

    P(i \mid D) = \frac{\exp(v_i + \log \tilde k_i - \log q_i)}
                       {\sum_{j \in D} \exp(v_j + \log \tilde k_j - \log q_j)}

is a conditional likelihood that gives consistent estimates of the
coefficients in :math:`v` (Ben-Akiva and Lerman 1985, sec. 9.3; Frejinger,
Bierlaire and Ben-Akiva 2009). The *offset* :math:`\log \tilde k_j - \log q_j`
enters the utility with coefficient one. Under uniform sampling
(:math:`q` constant) only :math:`\log \tilde k_j` remains.

:class:`SubsetSampler` draws potential coalitions of :math:`n` members with a
chosen law over their size and uniformly within a size, so small coalitions
(single parties, pairs) are not drowned by the :math:`\binom{n}{n/2}` middle-sized
ones, as they would be under uniform sampling of subsets. :class:`UniformSampler`
draws from a finite list of alternatives.

References
----------
McFadden, D. (1978). Modelling the choice of residential location. In
*Spatial Interaction Theory and Planning Models*, 75-96. North-Holland.
Ben-Akiva, M. and Lerman, S. R. (1985). *Discrete Choice Analysis*. MIT Press.
Frejinger, E., Bierlaire, M. and Ben-Akiva, M. (2009). Sampling of
alternatives for route choice modeling. *Transportation Research Part B*
43(10), 984-994.

Examples
--------
>>> import numpy as np
>>> s = SubsetSampler(4)
>>> alts, offset = sample_choice_set(np.random.default_rng(1), 0b0011, s, n_draws=6)
>>> int(alts[0]), len(alts) == len(offset)
(3, True)
>>> round(float(np.exp(s.log_prob(np.arange(1, 16))).sum()), 12)   # q sums to one
1.0
"""

from __future__ import annotations

from math import comb, lgamma, log
from typing import Any, Protocol

import numpy as np

from gametheory.coalitions import popcount
from gametheory.errors import InvalidArgumentError

__all__ = ["SubsetSampler", "UniformSampler", "WeightedSampler", "sample_choice_set",
           "AlternativeSampler"]


class AlternativeSampler(Protocol):
    """What :func:`sample_choice_set` needs: draws and their log probabilities."""

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray: ...

    def log_prob(self, alternatives: np.ndarray) -> np.ndarray: ...


class SubsetSampler:
    r"""Non-empty subsets of ``n`` members: size :math:`k` with probability :math:`r_k`,
    then uniformly among the :math:`\binom{n}{k}` subsets of that size.

    :math:`q(S) = r_{|S|} / \binom{n}{|S|}`. Subsets are int64 bitmasks.

    Parameters
    ----------
    n : int
        Number of members (1 to 62).
    size_weights : sequence of float, optional
        :math:`r_1, \dots, r_n` (normalised here; zeros allowed, but a chosen
        subset of a size with weight 0 can then never be explained by the
        sample and is refused by :func:`sample_choice_set`). Default uniform.

    Examples
    --------
    >>> s = SubsetSampler(3, size_weights=[2, 1, 1])
    >>> np.exp(s.log_prob(np.array([1, 3, 7]))).round(4).tolist()
    [0.1667, 0.0833, 0.25]
    """

    def __init__(self, n: int, size_weights: Any = None) -> None:
        if int(n) != n or not 1 <= n <= 62:
            raise InvalidArgumentError("n", n, "not a whole number from 1 to 62",
                                       "Give the number of members (at most 62)")
        self.n = int(n)
        r = np.ones(self.n) if size_weights is None else np.asarray(size_weights, float)
        if r.shape != (self.n,) or np.any(~np.isfinite(r)) or np.any(r < 0) or r.sum() <= 0:
            raise InvalidArgumentError("size_weights", size_weights,
                                       f"not {self.n} non-negative numbers with a positive sum",
                                       "Give one weight per coalition size 1..n")
        self.size_prob = r / r.sum()
        with np.errstate(divide="ignore"):
            self._log_q_size = np.concatenate([[-np.inf], [
                log(self.size_prob[k - 1]) - lgamma(self.n + 1) + lgamma(k + 1)
                + lgamma(self.n - k + 1) if self.size_prob[k - 1] > 0 else -np.inf
                for k in range(1, self.n + 1)]])

    def __repr__(self) -> str:
        return f"SubsetSampler(n={self.n})"

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` subsets drawn independently from :math:`q` (bitmasks)."""
        k = rng.choice(np.arange(1, self.n + 1), size=size, p=self.size_prob)
        order = np.argsort(rng.random((size, self.n)), axis=1)
        pick = np.arange(self.n)[None, :] < k[:, None]
        bits = np.left_shift(np.int64(1), order.astype(np.int64))
        return np.where(pick, bits, 0).sum(axis=1).astype(np.int64)

    def log_prob(self, alternatives: np.ndarray) -> np.ndarray:
        """:math:`\\log q(S)` of each subset."""
        return self._log_q_size[popcount(np.asarray(alternatives, np.int64))]

    def n_alternatives(self) -> int:
        """:math:`2^n - 1`."""
        return (1 << self.n) - 1

    def size_count(self, k: int) -> int:
        """:math:`\\binom{n}{k}`."""
        return comb(self.n, k)


class UniformSampler:
    """Alternatives ``0 .. n_alternatives - 1`` drawn uniformly.

    Examples
    --------
    >>> u = UniformSampler(4)
    >>> float(np.exp(u.log_prob(np.array([2]))[0]))
    0.25
    """

    def __init__(self, n_alternatives: int) -> None:
        if int(n_alternatives) != n_alternatives or n_alternatives < 1:
            raise InvalidArgumentError("n_alternatives", n_alternatives, "not a positive "
                                       "whole number", "Give the number of alternatives")
        self.n = int(n_alternatives)

    def __repr__(self) -> str:
        return f"UniformSampler({self.n})"

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.integers(0, self.n, size=size).astype(np.int64)

    def log_prob(self, alternatives: np.ndarray) -> np.ndarray:
        return np.full(np.shape(alternatives), -log(self.n))


class WeightedSampler:
    r"""Alternatives ``alternatives[i]`` drawn with probability :math:`q_i \propto e^{w_i}`.

    An importance distribution given explicitly over a listed universe, e.g.
    the probabilities of a simpler model fitted beforehand, so that the sample
    concentrates where the likely alternatives are.

    Parameters
    ----------
    alternatives : (M,) int array
        The universe (distinct ids, e.g. bitmasks).
    log_weights : (M,) float array
        :math:`w_i` (finite).

    Examples
    --------
    >>> s = WeightedSampler(np.array([1, 2, 3]), np.log([1.0, 1.0, 2.0]))
    >>> np.exp(s.log_prob(np.array([3, 1]))).tolist()
    [0.5, 0.25]
    """

    def __init__(self, alternatives: np.ndarray, log_weights: np.ndarray) -> None:
        a = np.asarray(alternatives, dtype=np.int64)
        w = np.asarray(log_weights, dtype=float)
        if a.ndim != 1 or w.shape != a.shape or not len(a):
            raise InvalidArgumentError("log_weights", log_weights, "not one weight per "
                                       "alternative", "Give two 1-d arrays of equal length")
        if not np.all(np.isfinite(w)):
            raise InvalidArgumentError("log_weights", log_weights, "has non-finite entries",
                                       "Give finite log weights (every alternative drawable)")
        if len(np.unique(a)) != len(a):
            raise InvalidArgumentError("alternatives", alternatives, "has duplicates",
                                       "List each alternative once")
        lq = w - (np.max(w) + np.log(np.sum(np.exp(w - np.max(w)))))
        self.alternatives = a
        self._order = np.argsort(a)
        self._lq = lq
        self._p = np.exp(lq)
        self._p /= self._p.sum()

    def __repr__(self) -> str:
        return f"WeightedSampler({len(self.alternatives)} alternatives)"

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.alternatives[rng.choice(len(self.alternatives), size=size, p=self._p)]

    def log_prob(self, alternatives: np.ndarray) -> np.ndarray:
        a = np.asarray(alternatives, dtype=np.int64)
        pos = np.searchsorted(self.alternatives[self._order], a)
        pos = np.clip(pos, 0, len(self.alternatives) - 1)
        idx = self._order[pos]
        return np.where(self.alternatives[idx] == a, self._lq[idx], -np.inf)


def sample_choice_set(rng: np.random.Generator, chosen: int, sampler: AlternativeSampler,
                      n_draws: int) -> tuple[np.ndarray, np.ndarray]:
    r"""The chosen alternative plus ``n_draws`` importance draws, and the correction.

    Parameters
    ----------
    rng : numpy Generator
    chosen : int
        The observed alternative.
    sampler : SubsetSampler or UniformSampler
        The importance distribution :math:`q`.
    n_draws : int
        :math:`R`, draws with replacement.

    Returns
    -------
    alternatives : (m,) int64
        Distinct alternatives, the chosen one first.
    offset : (m,) float
        :math:`\log \tilde k_j - \log q_j` (module docstring), to add to each utility.
    """
    if int(n_draws) != n_draws or n_draws < 1:
        raise InvalidArgumentError("n_draws", n_draws, "not a positive whole number",
                                   "Give how many alternatives to draw (e.g. 100)")
    lq_chosen = float(sampler.log_prob(np.array([chosen], np.int64))[0])
    if not np.isfinite(lq_chosen):
        raise InvalidArgumentError("chosen", chosen, "has probability 0 under the sampler",
                                   "Use a sampler that can draw every alternative")
    draws = sampler.draw(rng, int(n_draws))
    alts, counts = np.unique(np.concatenate([[chosen], draws]).astype(np.int64),
                             return_counts=True)
    first = int(np.flatnonzero(alts == chosen)[0])
    order = np.r_[first, np.delete(np.arange(len(alts)), first)]
    alts, counts = alts[order], counts[order]
    return alts, np.log(counts) - sampler.log_prob(alts)
