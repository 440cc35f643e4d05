"""An independent implementation of the restratification model's likelihood, for tests.

Written from the model's documented definition (gametheory.restratification.spec),
not from its code: it reads the observed-allocation tables with pandas, builds
every member's vote utility configuration by configuration in plain Python,
and gets pass probabilities by enumerating every vote profile (so only small
management groups).
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd
from scipy.special import gammaln, logsumexp

RETAINED = {"trauma": (0.4, 0.1), "stroke": (0.5, 0.2), "cancer": (0.6, 0.3)}


def _loss(o: pd.Series, centre: str, unit: float, lower: float) -> float:
    if o["organisation"] == centre or o["trauma_volume"] <= 0 or o["kind"] == "ambulance":
        return 0.0
    kept = unit if o["can_be_trauma_unit"] else lower
    return o["trauma_volume"] * (1 - kept) / 100.0


def loglik(data, p: dict) -> dict[str, float]:
    """Total log-likelihood of each part at estimands ``p`` (a dict of floats/arrays)."""
    reg = data.regions.set_index("region")
    out = {"configuration": 0.0, "appointment": 0.0, "concessions": 0.0}
    lt = np.asarray(p["lam_theta"], float)
    for r in reg.index:
        org = data.organisations[data.organisations["region"] == r]
        o = org.set_index("organisation")
        bids = data.bids[data.bids["region"] == r]
        hosts = list(dict.fromkeys(bids.loc[bids["role"] == "host", "organisation"]))
        cents = list(dict.fromkeys(bids.loc[bids["role"] == "centre", "organisation"]))
        cfgs = [(h, m) for h in hosts for m in cents]
        unit, lower = reg.at[r, "unit_retained"], reg.at[r, "lower_retained"]
        tier = reg.at[r, "tier_concentration"]
        mem = data.members[data.members["region"] == r]
        w = mem["weight"].to_numpy(float)
        q = float(reg.at[r, "quota"])
        V, U = [], []
        for h, m in cfgs:
            V.append(lt @ [o.at[h, "track_record"], o.at[h, "performance"],
                           o.at[m, "specialist_breadth"], o.at[m, "n_super_specialist"]])
        k = np.array([1.0 if h == m else tier if o.at[h, "kind"] == o.at[m, "kind"]
                      == "teaching" else 0.0 for h, m in cfgs])
        for _, mm in mem.iterrows():
            own = mm["organisation"]
            if not own:
                base = p["stake_commissioners"]
                roles = np.zeros(len(cfgs))
                lost = np.zeros(len(cfgs))
            else:
                base = p["stake_ambulance"] if o.at[own, "kind"] == "ambulance" else p["support"]
                roles = np.array([(own == h) + (own == m) for h, m in cfgs], float)
                orow = org[org["organisation"] == own].iloc[0]
                lost = np.array([_loss(orow, m, unit, lower) for _, m in cfgs])
            conc = k * float(mm["bloc"])
            U.append(base + p["rho"] * (roles - roles.mean()) - (lost - lost.mean())
                     - p["delta"] * (conc - conc.mean()))
        U = np.array(U).T                                             # (C, J)
        S = 1 / (1 + np.exp(-p["kappa"] * U))
        prof = np.array(list(product([0, 1], repeat=len(w))), float)
        passing = prof @ w >= q - 1e-9
        lik = np.prod(np.where(prof[None] == 1, S[:, None], 1 - S[:, None]), axis=2)
        ppass = (lik * passing).sum(axis=1)
        lc = np.array(V) + np.log(ppass)
        lc = lc - logsumexp(lc)
        al = data.allocations[data.allocations["region"] == r].set_index("role")["holder"]
        c = cfgs.index((al["host"], al["centre"]))
        part = lc[c]
        vt = data.votes[data.votes["region"] == r]
        if len(vt):
            vv = dict(zip(vt["member"], vt["vote"], strict=True))
            obs = np.array([m in vv for m in mem["member"]])
            val = np.array([float(vv.get(m, 0)) for m in mem["member"]])
            keep = passing & np.all((prof == val) | ~obs, axis=1)
            part += np.log((lik[c] * keep).sum()) - np.log(ppass[c])
        out["configuration"] += part
        docs = data.doctors[(data.doctors["region"] == r) & ~data.doctors["opinion_leader"]]
        for role, holder_org in (("network_director", al["host"]),
                                 ("centre_director", al["centre"])):
            if role not in al:
                continue
            cand = docs[docs["organisation"] == holder_org]
            u = (cand[["cultural", "social", "symbolic"]].to_numpy(float) @ p["alpha"]
                 + p["mu"] * cand["multiplex"].to_numpy(float)
                 + p["eta"] * cand["endorsed"].to_numpy(float))
            j = list(cand["doctor"]).index(al[role])
            out["appointment"] += u[j] - logsumexp(u)
        for _, oo in org.iterrows():
            L = _loss(oo, al["centre"], unit, lower)
            n = oo["concession_roles"]
            if L > 0 and np.isfinite(n):
                lr = p["gamma0"] + p["gamma"] * L
                out["concessions"] += n * lr - np.exp(lr) - gammaln(n + 1)
    return out
