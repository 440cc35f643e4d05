"""restrat: game-theoretic and Bayesian methods for care-network restratification.

The command line (``restrat``) is a thin face over :mod:`gametheory` and
:mod:`estimation`; it holds no logic of its own.
"""

from gametheory import __version__

__all__ = ["__version__"]
