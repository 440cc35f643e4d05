"""Generic proposal-and-vote formation: a proposer's logit, stochastic weighted votes.

A body of voting members with integer weights and a quota chooses among a
finite set of feasible configurations: a proposer offers one with probability
proportional to :math:`e^{z_c}`, every member supports it with probability
:math:`\\sigma(a_{jc})`, it passes when the supporting weight reaches the quota,
and failed proposals are replaced. :mod:`.core` computes the exact pass and
choice probabilities (vectorised over bodies and configurations, written once
against an array backend from :mod:`.backend` so that numpy and pytensor/JAX run
the same code); :class:`FormationGame` is the one-body object. The module knows
nothing of what the members and configurations stand for: applications build
the proposer's logits and the members' support logits and call it.
"""

from .backend import (
    NUMPY,
    ArrayBackend,
    compiled_on_jax,
    get_backend,
    jax_backend,
    pytensor_backend,
)
from .core import (
    LinearUtilities,
    VotingBodies,
    choice_probability,
    formation_log_likelihood,
    log_choice_probability,
    log_pass_probability,
    log_vote_probability,
    passes_in_limit,
    sample_votes,
    simulate_process,
)
from .game import FormationGame

__all__ = [
    "ArrayBackend", "NUMPY", "compiled_on_jax", "get_backend", "pytensor_backend",
    "jax_backend", "VotingBodies",
    "log_pass_probability", "passes_in_limit", "log_choice_probability",
    "choice_probability", "log_vote_probability", "sample_votes", "simulate_process",
    "FormationGame", "LinearUtilities", "formation_log_likelihood",
]
