"""A short demonstration of the TU-game solvers on classic games (``restrat demo``)."""

from __future__ import annotations

from typing import TextIO

import numpy as np


def run(out: TextIO) -> None:
    import gametheory as gt

    def show(title: str, res: object) -> None:
        print(f"  {title:<28} {res}", file=out)

    print("restrat demo: transferable-utility games\n", file=out)

    g = gt.games.glove(left=["L"], right=["R1", "R2"])
    print("Glove game, one left glove and two right gloves (Shapley and Shubik 1969)", file=out)
    show("Shapley value", gt.shapley_value(g).to_series().round(4).to_dict())
    show("nucleolus (core point)", gt.nucleolus(g).to_series().round(4).to_dict())
    show("core non-empty", not gt.core_is_empty(g))

    m = gt.games.majority(3, players=["A", "B", "C"])
    print("\nThree-player majority game", file=out)
    eps, x = gt.least_core(m)
    show("core empty", gt.core_is_empty(m))
    show("least core epsilon", round(eps, 4))
    show("blocking (1/2, 1/2, 0)",
         [b.coalition for b in gt.blocking_coalitions(m, [0.5, 0.5, 0.0])])

    print("\nTalmud bankruptcy (Aumann and Maschler 1985), claims 100, 200, 300", file=out)
    for estate in (100, 200, 300):
        game = gt.games.bankruptcy(estate, [100, 200, 300])
        nuc = gt.nucleolus(game)
        tal = gt.bankruptcy.talmud(estate, [100, 200, 300])
        show(f"estate {estate}: nucleolus", np.round(nuc.values, 2).tolist())
        show(f"estate {estate}: Talmud rule", np.round(tal.values, 2).tolist())
        show("  Kohlberg criterion holds", bool(gt.kohlberg_criterion(game, nuc)))

    costs = [1.0, 2.0, 3.0, 3.0, 5.0]
    a = gt.games.airport(costs, players=list("abcde"))
    print(f"\nAirport cost game, runway costs {costs} (Littlechild and Owen 1973)", file=out)
    show("Shapley (sequential rule)", gt.shapley_value(a).to_series().round(4).to_dict())
    show("nucleolus", gt.nucleolus(a).to_series().round(4).to_dict())

    rng = np.random.default_rng(7)
    big = gt.games.airport(rng.uniform(1, 100, size=5000))
    sv = gt.shapley_value(big)
    show("5,000-player airport Shapley", f"sum {sv.total:.4f} = max cost "
         f"{big.costs.max():.4f}; dense array built: {big.has_dense}")
