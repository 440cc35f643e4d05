r"""The restratification model: allocation by proposal and vote, appointments, concessions.

One region :math:`g`; the probabilities are those of the one specification
:mod:`gametheory.restratification.spec` (written once for numpy and pytensor),
so what :func:`~gametheory.restratification.run` reports is what
:func:`estimation.simulate` draws and the estimators fit.

1. **Organisational allocation.** Configurations :math:`c = (h, m)` pair a
   bidder for host with a bidder for centre (the MTC). The chair proposes
   :math:`c` with probability :math:`\propto e^{\lambda V(c)}`,
   :math:`V(c) = \theta \cdot x(c)`; each member of the management group
   supports it with probability :math:`\sigma(\kappa u_j(c))` (its
   organisation's stake: roles won and work lost, relative to its expected
   alternative; for the district bloc an aversion :math:`\delta` to
   concentration); :math:`c` passes when the supporting weight reaches the quota
   and failed proposals are replaced, so
   :math:`P(c) \propto e^{\lambda V(c)} P_{\text{pass}}(c)`. The report's
   *chosen* configuration is the most probable one; beside it the
   deterministic limit :math:`\kappa \to \infty` (a member supports iff
   :math:`u_j(c) > 0`, so its opponents block :math:`c` when they form a blocking
   coalition of the management group's weighted voting game). The district bloc's
   power index as one merged player is reported (it no longer enters a utility).
2. **Nested appointments.** The network director among the host's candidate
   doctors, the centre director among the centre's, with utility
   :math:`\alpha\cdot\text{capital} + \mu\,\text{multiplex} + \eta\,\text{endorsed}`;
   logit probabilities and the most likely candidate.
3. **Concessions** (:mod:`.concessions`). The network director proposes a
   division of a pool of roles (portfolio leads, committee seats, rotation
   places) to the clinical committee of the hospitals that lost work; each
   member is recognised in proportion to its voting power, its reservation
   value is the harm its withdrawal does to the network (scaled by
   ``harm_weight``), and the stationary Baron-Ferejohn shares (``patience``,
   ``proposer_advantage``) become integer role packages (multinomial draws;
   the report apportions the expected counts). Whether the packages alone keep
   every coalition of losers (``stable``) is checked against the participation
   game, with the coalitions that would withdraw and the shortfall.
4. **Hierarchy.** The two directors, the portfolio leads under the director
   their portfolio reports to, the clinical committee (chaired by the network
   director) and the centre's rotation scheme, and their members.

References
----------
Waring, J., Bishop, S., Clarke, J. et al. (case study in ``shared/case-study.txt``).
Freidson, E. (1985). The reorganization of the medical profession. *Medical Care
Review* 42(1), 11-35. Bachrach, Y. et al. (2009). The cost of stability in
coalitional games. *SAGT 2009*, LNCS 5814, 122-134. Baron, D. P. and Ferejohn,
J. A. (1989). Bargaining in legislatures. *APSR* 83(4), 1181-1206.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .. import power as _power
from ..errors import InvalidArgumentError, SolverError
from . import spec
from .actors import ScenarioError, ScenarioProblem, format_number
from .concessions import ConcessionAnalysis, concession_analysis, hierarchy_table
from .region import Region

__all__ = [
    "ModelParameters",
    "ParameterError",
    "PARAMETER_RANGES",
    "Range",
    "PARAMETER_CHOICES",
    "PARAMETER_VECTORS",
    "PARAMETER_ALIASES",
    "THETA_NAMES",
    "ALPHA_NAMES",
    "configurations",
    "allocation_analysis",
    "appointments",
    "designations_and_losses",
    "concessions",
    "ConcessionAnalysis",
    "hierarchy",
]

#: Management groups larger than this do not list their minimal blocking coalitions.
MAX_LISTED_MEMBERS = 20

#: names of theta's entries (the configuration features of the specification)
THETA_NAMES = spec.CONFIG_FEATURES
#: names of alpha's entries (the kinds of capital)
ALPHA_NAMES = spec.CAPITAL

#: parameters removed from the model, with what replaced them
_REMOVED = {
    "beta": "the bloc's soft penalty was replaced by its vote: its aversion to "
            "concentration is delta (and kappa the votes' precision)",
    "gamma0": "concession roles are no longer Poisson counts: they are drawn from the "
              "committee's bargaining equilibrium (harm_weight, proposer_advantage, "
              "patience)",
    "gamma": "concession roles are no longer Poisson counts: they are drawn from the "
             "committee's bargaining equilibrium (harm_weight, proposer_advantage, "
             "patience)",
}


class Range(NamedTuple):
    """The valid values of a numeric parameter: an interval, closed unless an end is open.

    ``infinite=True`` also accepts ``+inf`` as the upper end (a limit case with a
    meaning, e.g. a deterministic choice); NaN is never valid.

    Examples
    --------
    >>> Range(0.0, 1e6, open_lo=True).text()
    '(0, 1e6]'
    """

    lo: float
    hi: float
    open_lo: bool = False
    open_hi: bool = False
    infinite: bool = False

    def contains(self, x: float) -> bool:
        if x != x:  # NaN
            return False
        if x == math.inf:
            return self.infinite
        if not math.isfinite(x):
            return False
        above = x > self.lo if self.open_lo else x >= self.lo
        below = x < self.hi if self.open_hi else x <= self.hi
        return above and below

    def text(self) -> str:
        hi = "inf" if self.infinite else format_number(self.hi)
        return (f"{'(' if self.open_lo else '['}{format_number(self.lo)}, {hi}"
                f"{')' if self.open_hi else ']'}")


#: Valid range of every numeric parameter (for a vector parameter, the range of each
#: entry). New numeric parameters join this table; one not listed gets
#: :data:`DEFAULT_RANGE` (the tests require every parameter to be listed).
PARAMETER_RANGES: dict[str, Range] = {
    "theta": Range(-1e6, 1e6),
    "lam": Range(0.0, 1e6),
    "kappa": Range(0.0, 1e6, open_lo=True, infinite=True),
    "delta": Range(0.0, 1e6),
    "rho": Range(-1e6, 1e6),
    "support": Range(-1e6, 1e6),
    "stake_commissioners": Range(-1e6, 1e6),
    "stake_ambulance": Range(-1e6, 1e6),
    "alpha": Range(-1e6, 1e6),
    "mu": Range(-1e6, 1e6),
    "eta": Range(-1e6, 1e6),
    "tier_concentration": Range(0.0, 1.0),
    "credible_share": Range(0.0, 1.0),
    "partial_hold": Range(0.0, 1.0),
    "harm_weight": Range(0.0, 1e3),
    "proposer_advantage": Range(-20.0, 20.0),
    "patience": Range(0.01, 0.99),
}
#: Allowed values of every text parameter.
PARAMETER_CHOICES: dict[str, tuple[str, ...]] = {
    "power_index": ("banzhaf", "shapley_shubik"),
}
#: Entry names of every vector parameter (``theta_<name>`` sets one entry).
PARAMETER_VECTORS: dict[str, tuple[str, ...]] = {"theta": THETA_NAMES, "alpha": ALPHA_NAMES}
#: Other names :meth:`ModelParameters.from_dict` accepts, and the parameter they set.
PARAMETER_ALIASES: dict[str, str] = {"lambda": "lam"}
#: Range of a numeric parameter missing from :data:`PARAMETER_RANGES`.
DEFAULT_RANGE = Range(-1e6, 1e6)

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NONFINITE = {"nan", "inf", "infinity"}


class ParameterError(InvalidArgumentError):
    """Invalid model parameters; :attr:`problems` lists every problem (name, value, fix)."""

    def __init__(self, problems: list[ScenarioProblem]) -> None:
        self.problems = list(problems)
        if len(problems) == 1:
            p = problems[0]
            super().__init__(p.path, p.value, p.problem, p.fix)
        else:
            body = "\n  - ".join(str(p) for p in problems)
            super().__init__("params", f"<{len(problems)} problems>",
                             f"{len(problems)} problems:\n  - {body}\n",
                             "Fix each parameter listed above")




def _range_text(name: str) -> str:
    return PARAMETER_RANGES.get(name, DEFAULT_RANGE).text()


def _is_real(value: Any) -> bool:
    return (isinstance(value, int | float | np.integer | np.floating)
            and not isinstance(value, bool | np.bool_))


def _check_number(name: str, value: Any, rng: Range, out: list[ScenarioProblem],
                  label: str | None = None) -> float | None:
    label = label or name
    fix = f"Give a number in {rng.text()}"
    if not _is_real(value):
        what = ("a boolean" if isinstance(value, bool | np.bool_) else
                f"text {value!r}" if isinstance(value, str) else f"a {type(value).__name__}")
        out.append(ScenarioProblem(label, value, f"is {what}, not a number", fix))
        return None
    try:
        x = float(value)
    except OverflowError:
        out.append(ScenarioProblem(label, value, "is too large", fix))
        return None
    if x != x or (not math.isfinite(x) and not (x == math.inf and rng.infinite)):
        out.append(ScenarioProblem(label, value, "is not finite", fix))
        return None
    if not rng.contains(x):
        out.append(ScenarioProblem(label, value, "is outside its valid range", fix))
        return None
    return x


def _parse_number(name: str, text: str, out: list[ScenarioProblem], canon: str = ""
                  ) -> float | None:
    """A decimal number from text (no hex, no NaN/inf, no lists), or None and a problem."""
    t = text.strip()
    fix = f"Give a decimal number in {_range_text(canon or name)}"
    if not t:
        out.append(ScenarioProblem(name, text, "is empty", fix + f", e.g. {name}=1.5"))
        return None
    if t.lower().lstrip("+-") in _NONFINITE:
        rng = PARAMETER_RANGES.get(canon or name, DEFAULT_RANGE)
        if rng.infinite and t.lower().lstrip("+") in ("inf", "infinity"):
            return math.inf
        out.append(ScenarioProblem(name, text, "is not finite", fix))
        return None
    if not _DECIMAL.fullmatch(t):
        if "," in t:
            problem = "is a list, but this parameter takes one number"
        elif t.lower().lstrip("+-").startswith(("0x", "0o", "0b")):
            problem = "is not a decimal number (hexadecimal, octal and binary are refused)"
        else:
            problem = "is not a number"
        out.append(ScenarioProblem(name, text, problem, fix))
        return None
    x = float(t)
    if not np.isfinite(x):
        out.append(ScenarioProblem(name, text, "is not finite (too large)", fix))
        return None
    return x


@dataclass(frozen=True)
class ModelParameters:
    r"""Parameters of the restratification model (every one named, with a default).

    Every value is checked on construction (one place: this class): numbers
    must be real numbers (never booleans or text), finite and within the
    parameter's valid range (:data:`PARAMETER_RANGES`, listed below), text
    parameters one of their allowed values; every problem is reported at
    once in one :class:`ParameterError`.

    Attributes
    ----------
    theta : tuple of floats, default (1.0, 1.0, 1.0, 1.5)
        Weights of the configuration features in :math:`V(c)`, one per entry of
        :data:`~gametheory.restratification.spec.CONFIG_FEATURES` (host track
        record, host performance, centre specialist breadth, the centre's number
        of super-specialist services). Finite reals.
    lam : float, default 5.0
        The chair's precision :math:`\lambda` (proposal logit), ``>= 0`` and finite
        (0 = uniform proposals). Only :math:`\lambda\theta` is identified.
    kappa : float, default 2.0
        Precision :math:`\kappa > 0` of the members' votes per hundred trauma cases a
        year; ``inf`` is the deterministic veto (support iff :math:`u_j(c) > 0`).
    delta : float, default 2.5
        The district bloc's aversion :math:`\delta \ge 0` to concentration, in
        hundreds of cases a year; 0 is the model without the bloc's veto.
    rho : float, default 1.5
        Value to a member of a role (host or centre) its organisation wins, in
        hundreds of cases a year; a finite real.
    support : float, default 0.1
        Baseline support of a member representing an organisation (other than the
        ambulance service) for a configuration as good for it as its expected
        alternative; a finite real (hundreds of cases a year).
    stake_commissioners : float, default 2.0
        Baseline support of the commissioners (members representing no
        organisation); a finite real.
    stake_ambulance : float, default 1.0
        Baseline support of the ambulance service's representative; a finite real.
    alpha : tuple of 3 floats, default (1.0, 1.0, 1.0)
        Weights of cultural, social and symbolic capital in appointments (finite).
    mu : float, default 1.0
        Bonus of multiplex elites (finite).
    eta : float, default 1.0
        Bonus of the opinion leaders' endorsement (finite).
    power_index : {"banzhaf", "shapley_shubik"}, default "banzhaf"
        Index reporting the bloc's power (a reported quantity, not in a utility).
    tier_concentration : float, default 0.5
        Concentration :math:`k(c)` when two teaching hospitals share the two roles,
        in [0, 1].
    credible_share : float, default 0.5
        Share of the committee's harm a coalition of losers must hold for its
        withdrawal to be credible (unitless).
    partial_hold : float, default 0.5
        Share of its harm a non-credible coalition can still claim (unitless).
    harm_weight : float, default 0.15
        :math:`\omega`: value units a hospital can claim per hundred cases a year
        of harm its withdrawal does to the network (value units are hundreds of
        cases a year, so unitless); scales the reservation values and the
        participation game (:mod:`.concessions`).
    proposer_advantage : float, default 0.0
        :math:`\phi`: the network director's log-odds of being recognised in the
        committee's bargaining against the committee hospitals together
        (unitless; 0 = proposes half the time).
    patience : float, default 0.9
        :math:`\delta_p`: discount factor per bargaining round, in [0.01, 0.99]
        (unitless).
    """

    theta: tuple[float, ...] = (1.0, 1.0, 1.0, 1.5)
    lam: float = 5.0
    kappa: float = 2.0
    delta: float = 2.5
    rho: float = 1.5
    support: float = 0.1
    stake_commissioners: float = 2.0
    stake_ambulance: float = 1.0
    alpha: tuple[float, ...] = (1.0, 1.0, 1.0)
    mu: float = 1.0
    eta: float = 1.0
    power_index: str = "banzhaf"
    tier_concentration: float = 0.5
    credible_share: float = 0.5
    partial_hold: float = 0.5
    harm_weight: float = 0.15
    proposer_advantage: float = 0.0
    patience: float = 0.9

    def __post_init__(self) -> None:
        probs = _parameter_problems(self)
        if probs:
            raise ParameterError(probs)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | Iterable[tuple[str, Any]]
                  ) -> ModelParameters:
        """Parameters from a mapping (or name-value pairs); the others keep their defaults.

        ``theta_<name>`` / ``alpha_<name>`` set one entry of a vector
        (``theta_centre_super``), ``lambda`` is another name for ``lam``.
        Values may be numbers or text: text is read as a decimal number
        (``"1.5"``, ``"2e-3"``; never hexadecimal, ``nan`` or ``inf``), a
        vector as comma-separated numbers (``theta="1,2,3,4"``). A name given
        twice (in pairs), two names for one parameter (``lambda`` and
        ``lam``), or a vector given both whole and by entry, is refused.
        Every problem is reported at once (:class:`ParameterError`).

        Examples
        --------
        >>> ModelParameters.from_dict({"lambda": "2", "theta_centre_super": 3}).theta
        (1.0, 1.0, 1.0, 3.0)
        >>> ModelParameters.from_dict([("delta", "abc"), ("lam", 1), ("lambda", 2)])
        ... # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
        Traceback (most recent call last):
        ...
        gametheory.restratification.model.ParameterError: params='<2 problems>': 2 problems:
          - delta: 'abc' is not a number; ...
          - lambda: 2 sets the same parameter as lam, given before; ...
        """
        base = cls()
        names = [f.name for f in fields(cls)]
        if isinstance(values, Mapping):
            pairs = list(values.items())
        elif isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise InvalidArgumentError("params", values, "is not a mapping of parameters",
                                       "Give a dict such as {'delta': 1.5}")
        else:
            pairs = list(values)
        probs: list[ScenarioProblem] = []
        given: dict[str, str] = {}           # parameter (or vector entry) -> name as given
        kw: dict[str, Any] = {}
        entries: dict[str, dict[int, Any]] = {}
        accepted = sorted({*names, *PARAMETER_ALIASES} | {f"{v}_{e}" for v, es in
                                                           PARAMETER_VECTORS.items()
                                                           for e in es})
        for item in pairs:
            if not (isinstance(item, tuple | list) and len(item) == 2):
                probs.append(ScenarioProblem("params", item, "is not a (name, value) pair",
                                             "Give pairs such as ('delta', 1.5)"))
                continue
            key, val = item
            if not isinstance(key, str) or not key.strip():
                probs.append(ScenarioProblem("params", key, "is not a parameter name",
                                             f"Use one of {accepted}"))
                continue
            key = key.strip()
            canon = PARAMETER_ALIASES.get(key, key)
            entry: int | None = None
            if canon not in names:
                vec, _, elem = key.partition("_")
                if vec in PARAMETER_VECTORS and elem in PARAMETER_VECTORS[vec]:
                    canon, entry = vec, PARAMETER_VECTORS[vec].index(elem)
                elif key in _REMOVED:
                    probs.append(ScenarioProblem(key, val, f"is no longer a parameter: "
                                                 f"{_REMOVED[key]}",
                                                 "Drop it (ModelParameters lists the "
                                                 "parameters)"))
                    continue
                else:
                    hint = difflib.get_close_matches(key, accepted, n=1)
                    fix = ("The seed is not a model parameter: give it with seed= (--seed)"
                           if key == "seed" else
                           (f"Did you mean {hint[0]!r}? " if hint else "")
                           + f"Use one of {accepted}")
                    probs.append(ScenarioProblem(key, val, "is an unknown parameter", fix))
                    continue
            target = canon if entry is None else f"{canon}_{PARAMETER_VECTORS[canon][entry]}"
            clash = given.get(target)
            if clash is None and entry is None and canon in entries:
                clash = next(iter(given[f"{canon}_{PARAMETER_VECTORS[canon][j]}"]
                                  for j in entries[canon]))
            if clash is None and entry is not None and canon in given:
                clash = given[canon]
            if clash is not None:
                what = ("is given twice" if clash == key else
                        f"sets the same parameter as {clash}, given before")
                probs.append(ScenarioProblem(key, val, what, "Give each parameter once"))
                continue
            given[target] = key
            val = _coerce(canon, key, val, entry is None, probs)
            if val is _REFUSED:
                continue
            if entry is None:
                kw[canon] = val
            else:
                entries.setdefault(canon, {})[entry] = val
        for vec, got in entries.items():
            full = list(getattr(base, vec))
            for j, v in got.items():
                full[j] = v
            kw[vec] = tuple(full)
        try:
            out = replace(base, **kw)
        except ParameterError as exc:
            # name each problem as the user wrote it (lambda, not lam)
            probs += [replace(p, path=given.get(p.path, p.path)) for p in exc.problems]
            out = None
        if probs:
            raise ParameterError(probs)
        assert out is not None
        return out

    @classmethod
    def from_strings(cls, items: Iterable[str]) -> ModelParameters:
        """Parameters from ``NAME=VALUE`` strings (the command line's ``--param``).

        Examples
        --------
        >>> ModelParameters.from_strings(["delta=0.5", "theta=1,2,3,4"]).theta
        (1.0, 2.0, 3.0, 4.0)
        """
        pairs: list[tuple[str, Any]] = []
        probs: list[ScenarioProblem] = []
        for it in items:
            if not isinstance(it, str) or "=" not in it:
                probs.append(ScenarioProblem("--param", it, "is not NAME=VALUE",
                                             "Write e.g. --param delta=1.5"))
                continue
            k, v = it.split("=", 1)
            if not k.strip():
                probs.append(ScenarioProblem("--param", it, "has no parameter name",
                                             "Write e.g. --param delta=1.5"))
                continue
            pairs.append((k, v))
        try:
            out = cls.from_dict(pairs)
        except ParameterError as exc:
            raise ParameterError(probs + exc.problems) from None
        if probs:
            raise ParameterError(probs)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_REFUSED = object()


def _coerce(canon: str, key: str, val: Any, whole: bool, probs: list[ScenarioProblem]) -> Any:
    """Text values to numbers (strictly); other values pass to the constructor's checks."""
    if not isinstance(val, str) or canon in PARAMETER_CHOICES:
        if isinstance(val, str):
            return val.strip()
        return val
    if whole and canon in PARAMETER_VECTORS:
        parts = val.split(",")
        n0 = len(probs)
        nums = [_parse_number(f"{key}[{j}]", part, probs, canon)
                for j, part in enumerate(parts)]
        return _REFUSED if len(probs) > n0 else tuple(nums)
    n0 = len(probs)
    x = _parse_number(key, val, probs, canon)
    return _REFUSED if len(probs) > n0 else x


def _parameter_problems(p: ModelParameters) -> list[ScenarioProblem]:
    """Check every field by its entry in the tables above; normalise the valid ones."""
    probs: list[ScenarioProblem] = []
    for f in fields(p):
        name, val = f.name, getattr(p, f.name)
        if name in PARAMETER_CHOICES:
            choices = PARAMETER_CHOICES[name]
            if not isinstance(val, str) or val not in choices:
                probs.append(ScenarioProblem(name, val, "is not a known value",
                                             f"Use one of {list(choices)}"))
            continue
        rng = PARAMETER_RANGES.get(name, DEFAULT_RANGE)
        if isinstance(f.default, tuple):
            labels = PARAMETER_VECTORS.get(name, tuple(str(j) for j in range(len(f.default))))
            if isinstance(val, np.ndarray):
                val = val.tolist() if val.ndim == 1 else val
            if isinstance(val, str | bytes) or not isinstance(val, Sequence):
                probs.append(ScenarioProblem(name, val, f"is not a list of {len(labels)} "
                                             "numbers", f"Give one number per entry {labels}"))
                continue
            if len(val) != len(labels):
                probs.append(ScenarioProblem(name, val, f"has {len(val)} entries, not "
                                             f"{len(labels)}", f"Give one number per entry "
                                             f"{labels}"))
                continue
            n0 = len(probs)
            vec = [_check_number(name, v, rng, probs, f"{name}_{lab}")
                   for v, lab in zip(val, labels, strict=True)]
            if len(probs) == n0:
                object.__setattr__(p, name, tuple(float(v) for v in vec if v is not None))
            continue
        x = _check_number(name, val, rng, probs)
        if x is not None:
            object.__setattr__(p, name, x)
    return probs


def _ranges_doc() -> str:
    lines = ["", "    Valid ranges", "    ------------"]
    for f in fields(ModelParameters):
        if f.name in PARAMETER_CHOICES:
            lines.append(f"    ``{f.name}``: one of {list(PARAMETER_CHOICES[f.name])}")
        else:
            each = " (each entry)" if isinstance(f.default, tuple) else ""
            lines.append(f"    ``{f.name}``: {_range_text(f.name)}{each}")
    return "\n".join(lines) + "\n"


if ModelParameters.__doc__:  # pragma: no branch - absent under python -OO
    ModelParameters.__doc__ += _ranges_doc()


# ------------------------------------------------------------ allocation
def configurations(region: Region) -> list[tuple[str, str]]:
    """Feasible (host, centre) pairs from the bids."""
    return [(h, m) for h in region.bidders("host") for m in region.bidders("centre")]


def compile_region(region: Region, params: ModelParameters) -> spec.Design:
    """The region's design arrays (:func:`spec.compile_design`)."""
    return spec.compile_design(spec.region_frames(
        [region], tier_concentration=params.tier_concentration), params)


def bloc_power(region: Region, params: ModelParameters) -> float:
    """The bloc's power index as one merged player (0 without a bloc)."""
    if sum(m.weight for m in region.management_group if m.bloc) <= 0:
        return 0.0
    game = region.merged_voting_game()
    idx = (_power.banzhaf(game, normalized=True) if params.power_index == "banzhaf"
           else _power.shapley_shubik(game))
    return float(idx["district bloc"])


@dataclass(frozen=True)
class AllocationAnalysis:
    """Configurations with their proposal, pass and choice probabilities, and the limit.

    Attributes
    ----------
    table : DataFrame
        One row per configuration (see :func:`allocation_analysis`).
    power : DataFrame
        Power indices of the management group's members.
    bloc_power : float
        The district bloc's power index as one merged player (reported).
    chosen : (str, str)
        The most probable configuration.
    all_blocked : bool
        Every configuration is blocked in the deterministic limit.
    limit_chosen : (str, str)
        The most probable configuration in the deterministic limit (the proposer's
        best passing configuration; its best overall when all are blocked).
    """

    table: pd.DataFrame
    power: pd.DataFrame
    bloc_power: float
    chosen: tuple[str, str]
    all_blocked: bool
    params: ModelParameters = field(repr=False)
    limit_chosen: tuple[str, str] = ("", "")
    design: Any = field(default=None, repr=False)


def allocation_analysis(region: Region, params: ModelParameters | None = None
                        ) -> AllocationAnalysis:
    r"""Proposal, pass and choice probabilities of every configuration, and the limit.

    Returns a table with one row per configuration: the chair's value ``V``, the
    concentration, the ``proposal`` probability, the ``pass_probability``, the
    choice ``probability`` :math:`P(c)` (all under the parameters the estimator
    uses, from :mod:`~gametheory.restratification.spec`), the expected supporting
    weight, and the deterministic limit :math:`\kappa \to \infty` beside: the
    supporting weight, the opponents (members with :math:`u_j(c) \le 0`), whether
    they block, the minimal blocking coalitions of the management group they
    contain, and the limit's choice probability. ``chosen`` marks the most
    probable configuration.

    Examples
    --------
    >>> from gametheory.restratification import scenarios
    >>> a = allocation_analysis(scenarios.load("case-region"))
    >>> a.chosen
    ('Riverside Care Trust', 'Northgate Teaching Hospital')
    """
    params = params or ModelParameters()
    design = compile_region(region, params)
    par = spec.parameters(params)
    pr = spec.probabilities(par, design)
    u = spec.vote_utilities(par, design)[0]                        # (C, J)
    wvg = region.voting_game()
    pi = bloc_power(region, params)
    members = [m.name for m in region.management_group]
    w = design.bodies.weights[0, :len(members)].astype(float)
    mbc = ([set(c) for c in wvg.minimal_blocking_coalitions()]
           if wvg.n <= MAX_LISTED_MEMBERS else None)
    with np.errstate(over="ignore"):
        p_support = (u[:, :len(members)] > 0).astype(float) if np.isinf(params.kappa) else \
            1.0 / (1.0 + np.exp(-params.kappa * u[:, :len(members)]))
    theta = np.asarray(params.theta)
    rows = []
    for c, (h, m) in enumerate(design.configurations(0)):
        opp = [members[j] for j in range(len(members)) if u[c, j] <= 0]
        contained = (None if mbc is None
                     else [tuple(sorted(b)) for b in mbc if b <= set(opp)])
        rows.append({
            "host": h, "centre": m, "V": float(theta @ design.cfg_x[0, c]),
            "concentration": float(design.cfg_k[0, c]),
            "proposal": float(pr.proposal[0, c]),
            "pass_probability": float(pr.pass_probability[0, c]),
            "probability": float(pr.choice[0, c]),
            "expected_support": float(p_support[c] @ w),
            "support_weight": float(w[u[c, :len(members)] > 0].sum()),
            "opponents": tuple(opp), "blocked": not bool(pr.passes_in_limit[0, c]),
            "limit_probability": float(pr.limit_choice[0, c]),
            "blocking_coalitions": (tuple(contained) if contained is not None
                                    else ("(not listed: group too large)",))})
    table = pd.DataFrame(rows)
    if not np.all(np.isfinite(table[["V", "proposal", "probability"]].to_numpy())):
        raise SolverError("the proposal-and-vote model", "non-finite",
                          f"values {table['V'].tolist()} give probabilities "
                          f"{table['probability'].tolist()}",
                          "Check the region's covariates and the parameters are finite and "
                          "of moderate size")
    best = int(np.argmax(table["probability"].to_numpy()))
    chosen = (str(table.at[best, "host"]), str(table.at[best, "centre"]))
    lbest = int(np.argmax(table["limit_probability"].to_numpy()))
    limit_chosen = (str(table.at[lbest, "host"]), str(table.at[lbest, "centre"]))
    table["chosen"] = np.arange(len(table)) == best
    ss = _power.shapley_shubik(wvg)
    bz = _power.banzhaf(wvg, normalized=True)
    power = pd.DataFrame({"weight": [m.weight for m in region.management_group],
                          "bloc": [m.bloc for m in region.management_group],
                          "shapley_shubik": ss.values, "banzhaf": bz.values},
                         index=pd.Index(wvg.players, name="member"))
    return AllocationAnalysis(table, power, pi, chosen, bool(pr.limit_all_blocked[0]), params,
                              limit_chosen, design)


# ---------------------------------------------------------- appointments
def appointments(region: Region, chosen: tuple[str, str],
                 params: ModelParameters | None = None,
                 design: spec.Design | None = None) -> pd.DataFrame:
    r"""Candidates for the two director roles with utilities and logit probabilities.

    Utilities :math:`\alpha\cdot\text{capital} + \mu\,\text{multiplex} +
    \eta\,\text{endorsed}` from :func:`spec.appointment_logits`; opinion leaders
    are not candidates; ``appointed`` marks the most likely candidate.
    """
    params = params or ModelParameters()
    design = design if design is not None else compile_region(region, params)
    par = spec.parameters(params)
    orgs = list(design.org_names[0])
    docs = {d.name: d for d in region.doctors}
    rows = []
    for role, org in ((region.roles.network_director, chosen[0]),
                      (region.roles.centre_director, chosen[1])):
        o = orgs.index(org)
        mask = design.cand_mask[0, o]
        if not mask.any():
            raise ScenarioError("doctors", org, f"no candidate for {role}",
                                f"Add a candidate doctor employed by {org!r}")
        u = spec.appointment_logits(par, design.cand_z[0, o], mask)[0][mask]
        p = np.exp(u - u.max())
        p /= p.sum()
        if not (np.all(np.isfinite(u)) and np.all(np.isfinite(p))):
            raise SolverError(f"the {role} logit", "non-finite",
                              f"utilities {u.tolist()} give probabilities {p.tolist()}",
                              "Check the doctors' capital and the parameters are finite and "
                              "of moderate size")
        best = int(np.argmax(u))
        for j, name in enumerate(design.cand_names[0, o][mask]):
            d = docs[str(name)]
            rows.append({"role": role, "organisation": org, "doctor": d.name, "utility": u[j],
                         "probability": p[j], "multiplex": d.multiplex,
                         "endorsed": d.endorsed, "appointed": j == best})
    return pd.DataFrame(rows)


# ----------------------------------------------------------- concessions
def designations_and_losses(region: Region, chosen: tuple[str, str]) -> pd.DataFrame:
    """Each organisation's designation and its loss of specialist work.

    The loss (hundreds of cases a year) is :func:`spec.work_lost`, the quantity the
    members' votes and the concession counts use.
    """
    r = region.roles
    rows = []
    for o in region.organisations:
        is_centre = o.name == chosen[1]
        if is_centre:
            des = r.centre
        elif o.trauma_volume <= 0 or o.kind == "ambulance":
            des = "" if o.name != chosen[0] else r.host
        elif o.can_be_trauma_unit:
            des = r.unit
        else:
            des = r.lower_unit
        if o.name == chosen[0] and not is_centre:
            des = f"{r.host}" + (f" + {des}" if des and des != r.host else "")
        loss = float(spec.work_lost(o.trauma_volume, is_centre, o.kind == "ambulance",
                                    o.can_be_trauma_unit, r.unit_retained, r.lower_retained))
        kept = 1.0 - loss * 100.0 / o.trauma_volume if o.trauma_volume > 0 else 1.0
        rows.append({"organisation": o.name, "kind": o.kind, "designation": des,
                     "volume_before": o.trauma_volume, "retained_share": kept, "loss": loss})
    return pd.DataFrame(rows).set_index("organisation")


def concessions(region: Region, chosen: tuple[str, str],
                params: ModelParameters | None = None,
                directors: Sequence[str] = ()) -> ConcessionAnalysis:
    """Concessions as committee bargaining
    (:func:`gametheory.restratification.concessions.concession_analysis`)."""
    return concession_analysis(region, chosen, params or ModelParameters(), directors)


def hierarchy(region: Region, appointed: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """Who reports to whom (:func:`gametheory.restratification.concessions.hierarchy_table`)."""
    return hierarchy_table(region, appointed, roles)
