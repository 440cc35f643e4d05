"""restrat: game-theoretic and Bayesian methods for care-network restratification.

The command line (``restrat``) is a thin face over :mod:`gametheory` and
:mod:`estimation`; it holds no logic of its own.
"""

__version__ = "0.1.0"
