"""Bundled data: a synthetic multi-region data set and the case region as observed data.

``synthetic/`` (:func:`load_synthetic`) is **synthetic**: 100 regions drawn by
:func:`estimation.simulate` from the random-region generator with seed
``SYNTHETIC_SEED`` at the true parameters ``SYNTHETIC_PARAMS``
(``ModelParameters(lam=2.0, harm_weight=0.5)``, every other parameter at its
default: theta = (1, 1, 1, 1.5), so lam_theta = (2, 2, 2, 3); kappa = 2,
delta = 2.5, rho = 1.5, support = 0.1, stake_commissioners = 2,
stake_ambulance = 1; alpha = (1, 1, 1), mu = eta = 1; harm_weight = 0.5,
proposer_advantage = 0, patience = 0.9), drawn from the proposal-and-vote model
with concessions from the committee's bargaining (role counts of each kind in
``organisations.csv``); the management groups are in ``members.csv`` (votes
are not recorded). The harm weight is above the default 0.15 because at 0.15
almost no reservation value binds (about 2% of random committees), so the data
would carry no information on it.
The loaded data carry the estimands in ``.truth``. :func:`regenerate` rewrites
the files; a test checks they match.

``case/`` (:func:`load_case`) is the case region of the ethnographic study
(``gametheory.restratification.scenarios.load("case-region")``) with its
observed allocation: the non-teaching provider hosts, Northgate is the MTC,
the directors and concessions are those of ``restrat run case-region``.

Examples
--------
>>> d = load_synthetic()
>>> d.n_regions, d.truth["lam_theta[host_track_record]"], d.truth["delta"]
(100, 2.0, 2.5)
"""

from __future__ import annotations

from pathlib import Path

from gametheory.restratification import ModelParameters

from ..data import AllocationData

__all__ = ["load_synthetic", "load_case", "regenerate", "SYNTHETIC_PARAMS", "SYNTHETIC_SEED",
           "SYNTHETIC_N_REGIONS", "HERE"]

HERE = Path(__file__).parent
SYNTHETIC_PARAMS = ModelParameters(lam=2.0, harm_weight=0.5)
SYNTHETIC_SEED = 20240611
SYNTHETIC_N_REGIONS = 100


def load_synthetic() -> AllocationData:
    """The bundled synthetic data set (true parameters in ``.truth``)."""
    from ..simulate import normalised_truth

    d = AllocationData.from_csv(HERE / "synthetic")
    d.truth = normalised_truth(SYNTHETIC_PARAMS)
    d.params = SYNTHETIC_PARAMS
    return d


def load_case() -> AllocationData:
    """The case region with its observed allocation (one region)."""
    return AllocationData.from_csv(HERE / "case")


def make_synthetic() -> AllocationData:
    """Generate the synthetic data set afresh (what :func:`load_synthetic` reads)."""
    from ..simulate import simulate

    return simulate("random-region", SYNTHETIC_PARAMS, n_regions=SYNTHETIC_N_REGIONS,
                    seed=SYNTHETIC_SEED)


def make_case() -> AllocationData:
    """Encode the case region's observed allocation (from the deterministic model run)."""
    import tempfile

    from gametheory.restratification import run, scenarios

    res = run(scenarios.load("case-region"))
    with tempfile.TemporaryDirectory() as tmp:
        res.write(tmp, figures=False)
        return AllocationData.from_run_output(tmp)


def regenerate(folder: str | Path | None = None) -> list[Path]:
    """Write both bundled data sets (default: into this package folder)."""
    root = Path(folder) if folder is not None else HERE
    return make_synthetic().to_csv(root / "synthetic") + make_case().to_csv(root / "case")
