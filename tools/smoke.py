"""Smoke test of an installed restrat (run from outside the repository by ``make floors``).

Imports every package, plays the case region, simulates data, fits the MLE and a
tiny Bayesian posterior with pymc's sampler, saves and reloads it as NetCDF, and
prints the versions it ran with. Exits non-zero on the first failure.
"""

from __future__ import annotations

import importlib.metadata as md
import tempfile
from pathlib import Path

import estimation as est
import gametheory as gt
import restrat
from gametheory.restratification import ModelParameters, run, scenarios

for name in ["numpy", "scipy", "pandas", "statsmodels", "nashpy", "pymc", "pytensor", "arviz",
             "xarray", "h5netcdf", "matplotlib", "PyYAML", "threadpoolctl"]:
    print(f"{name:<14} {md.version(name)}")
print(f"restrat        {restrat.__version__} (from {Path(restrat.__file__).parent})")

result = run(scenarios.load("case-region"), ModelParameters())
assert "Configurations" in result.report() or result.report()
print("run case-region: ok")
assert abs(gt.shapley_value(gt.games.majority(3)).total - 1.0) < 1e-12
data = est.simulate(n_regions=20, seed=1)
mle = est.fit_mle(data, model="structural")
print(f"MLE: {len(mle.params)} parameters, log-likelihood {mle.loglik:.2f}")
res = est.fit(data, sampler="pymc", chains=2, cores=1, draws=30, tune=30, seed=1,
              progressbar=False)
with tempfile.TemporaryDirectory() as tmp:
    path = res.save(Path(tmp) / "fit.nc")
    back = est.FitResults.load(path)
    assert back.summary(warn=False).shape == res.summary(warn=False).shape
print("Bayesian fit, save and load: ok")
print("smoke test passed")
