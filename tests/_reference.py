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
from scipy.special import logsumexp

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
    out["concessions"] = concessions_loglik(data, p)
    return out


# ------------------------------------------------------------------ concessions
KINDS = ("portfolio", "seat", "rotation")


def _banzhaf(weights: list[float], quota: float) -> np.ndarray:
    """Normalised Banzhaf index by enumerating every coalition."""
    n = len(weights)
    swings = np.zeros(n)
    for prof in product([0, 1], repeat=n):
        tot = float(np.dot(prof, weights))
        for i in range(n):
            if prof[i] and tot >= quota - 1e-9 and tot - weights[i] < quota - 1e-9:
                swings[i] += 1
    return swings / swings.sum() if swings.sum() > 0 else swings


def _unanimity_by_iteration(rho: np.ndarray, delta: float, r: np.ndarray) -> np.ndarray:
    """Stationary values under unanimity by iterating the value equations
    v_i = rho_i (1 - sum_{j != i} c_j) + (1 - rho_i) c_i, c_j = max(delta v_j, r_j)."""
    if r.sum() >= 1:
        return r / r.sum()
    v = rho.copy()
    for _ in range(20000):
        c = np.maximum(delta * v, r)
        new = rho * (1 - (c.sum() - c)) + (1 - rho) * c
        if np.max(np.abs(new - v)) < 1e-15:
            break
        v = new
    return new


def concessions_loglik(data, p: dict, credible_share: float = 0.5,
                       partial_hold: float = 0.5) -> float:
    """The concession roles' log-likelihood, from the tables and the documented model."""
    from scipy.stats import multinomial

    reg = data.regions.set_index("region")
    total = 0.0
    for r in reg.index:
        row = reg.loc[r]
        org = data.organisations[data.organisations["region"] == r].reset_index(drop=True)
        al = data.allocations[data.allocations["region"] == r].set_index("role")["holder"]
        host, centre = al["host"], al["centre"]
        L = np.array([_loss(o, centre, row["unit_retained"], row["lower_retained"])
                      for _, o in org.iterrows()])
        h_all = org["trauma_volume"].to_numpy(float) / 100 + row["rehabilitation_return"] * L
        com = [i for i in range(len(org)) if L[i] > 0
               and org.at[i, "organisation"] not in (host, centre)]
        if not com:
            continue
        names = list(org["organisation"])
        mem = data.members[data.members["region"] == r]
        bloc = mem["bloc"].to_numpy(bool)
        w = mem["weight"].to_numpy(float)
        players = [("member", i) for i in np.flatnonzero(~bloc)]
        weights = list(w[~bloc])
        if w[bloc].sum() > 0:
            players.append(("bloc", -1))
            weights.append(float(w[bloc].sum()))
        bz = _banzhaf(weights, float(row["quota"]))
        power = np.zeros(len(org))
        orgs_m = list(mem["organisation"].fillna(""))
        for (kind, i), b in zip(players, bz, strict=True):
            if kind == "member" and orgs_m[i]:
                power[names.index(orgs_m[i])] += b
            elif kind == "bloc":
                stake = {j: w[j] * h_all[names.index(orgs_m[j])]
                         for j in np.flatnonzero(bloc) if orgs_m[j] in names}
                tot = sum(stake.values())
                for j, st in stake.items():
                    power[names.index(orgs_m[j])] += b * st / tot if tot > 0 else 0.0
        pw = power[com]
        e = np.exp(p["proposer_advantage"])
        rho = (np.r_[e / (1 + e), pw / ((1 + e) * pw.sum())] if pw.sum() > 0
               else np.r_[1.0, np.zeros(len(com))])
        N = {"portfolio": row["portfolio_pool"], "seat": row["seat_pool"] or len(com),
             "rotation": row["rotation_pool"]}
        V = {k: row[f"{k}_value"] for k in KINDS}
        W = sum(N[k] * V[k] for k in KINDS)
        h = h_all[com]
        hold = np.where(h >= credible_share * h.sum() - 1e-12, 1.0, partial_hold)
        res = np.r_[0.0, p["harm_weight"] * h * hold / W]
        v = _unanimity_by_iteration(rho, p["patience"], res)
        for k in KINDS:
            col = f"{k}_roles"
            n = org.loc[com, col].to_numpy(float)
            seen = np.isfinite(n)
            if not seen.any():
                continue
            if k == "rotation":
                ok = np.array([org.at[i, "kind"] == "district" and org.at[i, "practice_elites"]
                               > 0 for i in com])
            else:
                ok = np.ones(len(com), bool)
            q = np.where(ok, v[1:], 0.0)
            if k == "seat":
                q = q / q.sum()
            cells = np.r_[n[seen], N[k] - n[seen].sum()]
            probs = np.r_[q[seen], max(1 - q[seen].sum(), 0.0)]
            total += float(multinomial.logpmf(cells.astype(int), int(N[k]), probs))
    return total
