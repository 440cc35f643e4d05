"""An independent implementation of the restratification model's likelihood, for tests.

Written from the model's documented definition (gametheory.restratification.spec),
not from its code: it reads the observed-allocation tables with pandas, builds
every member's vote utility configuration by configuration in plain Python,
and gets pass probabilities by enumerating every vote profile (so only small
management groups).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from gametheory.errors import InvalidArgumentError
from gametheory.restratification.concessions import (
    MAX_QUOTA_COMMITTEE,
    ROLE_KINDS,
    CommitteeDesign,
    _params,
    winning_coalitions,
)

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


# ------------------------------------------------------------------ committee arrays, by loop
def _region_power(members: pd.DataFrame, quota: float, power_index: str
                  ) -> tuple[dict[str, float], float, dict[str, tuple[str, float]]]:
    """Non-bloc members' power, the bloc's power (merged player) and the bloc members'
    (organisation, weight), from a members table."""
    from gametheory import power as _power
    from gametheory.voting import WeightedVotingGame

    w = members["weight"].to_numpy(dtype=float)
    bloc = members["bloc"].to_numpy(dtype=bool)
    if len(w) == 0 or w.sum() <= 0:
        return {}, 0.0, {}
    labels = list(members.loc[~bloc, "member"])
    weights = list(w[~bloc])
    if w[bloc].sum() > 0:
        labels.append("district bloc")
        weights.append(float(w[bloc].sum()))
    game = WeightedVotingGame(weights, quota, players=labels)
    idx = (_power.banzhaf(game, normalized=True) if power_index == "banzhaf"
           else _power.shapley_shubik(game))
    vals = dict(zip(labels, np.asarray(idx.values, dtype=float).tolist(), strict=True))
    members_of_bloc = {m: (o, float(wt)) for m, o, wt, b in zip(
        members["member"], members["organisation"], w, bloc, strict=True) if b and o}
    return vals, float(vals.get("district bloc", 0.0)), members_of_bloc


def committee_design_by_loop(tables: Mapping[str, pd.DataFrame],
                                 region_names: Sequence[str], org_names: np.ndarray,
                                 host: np.ndarray, centre: np.ndarray, cfg_mask: np.ndarray,
                                 loss: np.ndarray, params: Any = None) -> CommitteeDesign:
    """The committees' arrays built region by region and configuration by configuration
    (the builder as it was before it was vectorised; kept to check the vectorised one).

    Parameters
    ----------
    tables : mapping
        ``regions``, ``organisations`` and ``members`` tables with the columns of
        :func:`committee_tables` (:data:`REGION_COLUMNS` are optional: the
        network's role set fills them; ``practice_elites`` too: 0).
    region_names : the G regions, in the order of the arrays
    org_names : (G, O) object
        Organisation of each slot ("" for padding).
    host, centre : (G, C) int
        Organisation slot of each configuration's host and centre.
    cfg_mask : (G, C) bool
    loss : (G, C, O) float
        Trauma work each organisation loses under each configuration (hundreds of
        cases a year).
    params : ModelParameters, optional
    """
    from gametheory.restratification.actors import roles_by_name

    params = _params(params)
    cs, ph, index = params.credible_share, params.partial_hold, params.power_index
    G, C = cfg_mask.shape
    O = org_names.shape[1]
    M, K = O + 1, len(ROLE_KINDS)
    reg = tables["regions"].set_index("region")
    org = tables["organisations"]
    mem = tables["members"]
    names = np.full((G, C, M), "", dtype=object)
    member = np.zeros((G, C, M), bool)
    power_a = np.zeros((G, C, M))
    res = np.zeros((G, C, M))
    loss_a = np.zeros((G, C, M))
    harm_a = np.zeros((G, C, M))
    worth1 = np.zeros((G, C, M))
    elig = np.zeros((G, C, K, M), bool)
    unanimous = np.ones(G, bool)
    quota_share = np.ones((G, C))
    counts_a = np.zeros((G, C, K), np.int64)
    values_a = np.zeros((G, C, K))
    member[:, :, 0] = True          # a padded configuration is a director-only committee
    elig[:, :, :, 0] = True         # the network may keep portfolios and rotation places,
    elig[:, :, ROLE_KINDS.index("seat"), 0] = False       # not committee seats
    k_rot = ROLE_KINDS.index("rotation")
    for g, rname in enumerate(region_names):
        row = reg.loc[rname]
        roles = roles_by_name(str(row["network"]))
        ports = np.array(list(roles.portfolios.values()), dtype=float)

        def col(name: str, default: float, r: Any = row) -> float:
            v = r.get(name, np.nan) if hasattr(r, "get") else np.nan
            return float(v) if v is not None and np.isfinite(float(v)) else float(default)

        n_port = col("portfolio_pool", len(ports))
        v_port = col("portfolio_value", ports.mean() if len(ports) else 0.0)
        n_seat0 = col("seat_pool", roles.seat_pool)
        v_seat = col("seat_value", roles.seat_value)
        n_rot = col("rotation_pool", roles.rotation_pool)
        v_rot = col("rotation_value", roles.rotation_value)
        rr = col("rehabilitation_return", roles.rehabilitation_return)
        quota = col("committee_quota", 1.0)
        o_g = org[org["region"] == rname].set_index("organisation")
        vals, bloc_power, bloc_members = _region_power(mem[mem["region"] == rname],
                                                       float(row["quota"]), index)
        org_power: dict[str, float] = {}
        for mname, oname in zip(mem.loc[mem["region"] == rname, "member"],
                                mem.loc[mem["region"] == rname, "organisation"], strict=True):
            if oname and mname not in bloc_members:
                org_power[oname] = org_power.get(oname, 0.0) + vals.get(mname, 0.0)
        n_orgs = int((org_names[g] != "").sum())
        volume = np.array([float(o_g.at[n, "trauma_volume"]) for n in org_names[g, :n_orgs]])
        kinds = [str(o_g.at[n, "kind"]) for n in org_names[g, :n_orgs]]
        elites = [float(o_g.at[n, "practice_elites"]) if "practice_elites" in o_g.columns
                  else 0.0 for n in org_names[g, :n_orgs]]
        for c in range(C):
            if not cfg_mask[g, c]:
                continue
            L = loss[g, c, :n_orgs]
            h_all = volume / 100.0 + rr * L
            on = (L > 1e-12) & (np.arange(n_orgs) != host[g, c]) & (
                np.arange(n_orgs) != centre[g, c])
            idx = np.flatnonzero(on)
            j = idx + 1
            stake = {mname: wt * float(h_all[list(org_names[g, :n_orgs]).index(o)])
                     for mname, (o, wt) in bloc_members.items()
                     if o in list(org_names[g, :n_orgs])}
            total_stake = sum(stake.values())
            pw = np.zeros(n_orgs)
            for i, oname in enumerate(org_names[g, :n_orgs]):
                pw[i] = org_power.get(oname, 0.0) + sum(
                    bloc_power * st / total_stake for mname, st in stake.items()
                    if bloc_members[mname][0] == oname and total_stake > 0)
            h = h_all[idx]
            credible = h >= cs * h.sum() - 1e-12
            w1 = h * np.where(credible, 1.0, ph)
            n_seat = n_seat0 if n_seat0 > 0 else float(len(idx))
            counts = np.round([n_port, n_seat, n_rot]).astype(np.int64)
            values = np.array([v_port, v_seat, v_rot])
            W = float(counts @ values)
            member[g, c, j] = True
            names[g, c, j] = org_names[g, idx]
            power_a[g, c, j] = pw[idx]
            res[g, c, j] = w1 / W if W > 0 else 0.0
            loss_a[g, c, j] = L[idx]
            harm_a[g, c, j] = h
            worth1[g, c, j] = w1
            counts_a[g, c] = counts
            values_a[g, c] = values
            elig[g, c, :, j] = True
            elig[g, c, k_rot, j] = [kinds[i] == "district" and elites[i] > 0 for i in idx]
            quota_share[g, c] = quota
            unanimous[g] &= quota >= 1.0
    options = coalitions = None
    if not unanimous.all():
        if M > MAX_QUOTA_COMMITTEE:
            raise InvalidArgumentError(
                "committee_quota", float(quota_share.min()),
                f"a quota below unanimity needs the committee's coalitions, and a region "
                f"here has {M - 1} organisations (at most {MAX_QUOTA_COMMITTEE - 1})",
                "Use committee_quota = 1 (unanimity, solved in closed form) for large "
                "regions")
        coalitions, _ = winning_coalitions(np.ones(M), 1.0)
        options = np.zeros((G, C, M, len(coalitions)), bool)
        for g in range(G):
            for c in range(C):
                mem_gc = member[g, c]
                n = int(mem_gc.sum())
                inside = coalitions[:, ~mem_gc].sum(axis=1) == 0
                need = np.ceil(quota_share[g, c] * n - 1e-9)
                wins = inside & (coalitions[:, mem_gc].sum(axis=1) >= need)
                options[g, c] = (coalitions.T > 0.5) & wins[None, :] & mem_gc[:, None]
                # padding slots (never recognised) may buy themselves alone, so that
                # every proposer's logit has an option
                for jj in np.flatnonzero(~mem_gc):
                    options[g, c, jj, (1 << jj) - 1] = True
    return CommitteeDesign(names, member, power_a, res, elig, counts_a, values_a, unanimous,
                           loss_a, harm_a, worth1, cfg_mask.copy(), options, coalitions)
