"""Random TU-game families for the nucleolus benchmarks (private to benchmarks and tests).

The BNF types follow the descriptions of the test-game generator of Benedek, Fliege
and Nguyen (2021, *Finding and verifying the nucleolus of cooperative games*,
Mathematical Programming 190, 135-170), written here from those descriptions:

* type 1: v(N) uniform on 100(n-2) + {0..200}; singletons 0; any other coalition S
  uniform on {1..100|S|};
* type 2: singletons 0; every other coalition uniform on {1..50n};
* type 3: a simple game: v(N) = 1, each N \\ {i} and each N \\ {i, j} is winning
  (worth 1) with probability 0.9, every other coalition 0;
* type 4: singletons 0; every other coalition uniform on {1..n};
* type 6: a weighted majority game, weights uniform on {1..n}, quota half the total
  weight plus one.

``random_superadditive`` is the dense random family used elsewhere in the benchmarks.
"""

from __future__ import annotations

import numpy as np


def sizes(n: int) -> np.ndarray:
    return np.array([bin(s).count("1") for s in range(1 << n)])


def random_superadditive(n: int, seed: int) -> np.ndarray:
    """v(S) = |S|^2 + U[0, 1): superadditive (the square's cross term >= 2 beats the noise)."""
    rng = np.random.default_rng(seed)
    v = sizes(n).astype(float) ** 2 + rng.uniform(0, 1, size=1 << n)
    v[0] = 0.0
    return v


def bnf(kind: int, n: int, seed: int) -> np.ndarray:
    """Worths (length 2**n, bitmask order) of a BNF-type game."""
    rng = np.random.default_rng(seed)
    full = (1 << n) - 1
    k = sizes(n)
    if kind == 1:
        v = rng.integers(1, 100 * np.maximum(k, 1) + 1).astype(float)
        v[k == 1] = 0.0
        v[full] = 100 * (n - 2) + rng.integers(0, 201)
    elif kind in (2, 4):
        top = 50 * n if kind == 2 else n
        v = rng.integers(1, top + 1, size=1 << n).astype(float)
        v[k == 1] = 0.0
    elif kind == 3:
        v = np.zeros(1 << n)
        v[full] = 1.0
        for i in range(n):
            v[full & ~(1 << i)] = float(rng.uniform() < 0.9)
            for j in range(i + 1, n):
                v[full & ~(1 << i) & ~(1 << j)] = float(rng.uniform() < 0.9)
    elif kind == 6:
        w = rng.integers(1, n + 1, size=n)
        quota = w.sum() / 2 + 1
        weight = np.zeros(1 << n)
        for i in range(n):
            weight[1 << i:2 << i] = weight[:1 << i] + w[i]
        v = (weight >= quota).astype(float)
    else:
        raise ValueError(f"unknown BNF type {kind}")
    v[0] = 0.0
    return v
