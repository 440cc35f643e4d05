"""The restratification model's blocs and networks: the bloc as an a priori union, a
declared cooperation graph, and the bloc that forms from the organisations' stakes."""

from dataclasses import replace

import networkx as nx
import numpy as np
import pytest

import gametheory as gt
from gametheory.restratification import ScenarioError, run, scenarios
from gametheory.restratification.blocs import (
    BlocPreferences,
    bloc_power_readings,
    bloc_preferences,
    endogenous_blocs,
    with_endogenous_bloc,
)
from gametheory.restratification.concessions import participation_game
from gametheory.restratification.model import ModelParameters, concessions


@pytest.fixture(scope="module")
def case():
    return scenarios.load("case-region")


def test_bloc_power_readings_quotient_property_and_banzhaf_difference(case):
    r = bloc_power_readings(case, "shapley_shubik")
    # Owen (1977): the union's total is its Shapley value in the quotient game, which is
    # the merged game when the other members stay single
    merged = gt.power.shapley_shubik(case.merged_voting_game())["district bloc"]
    assert r.merged == pytest.approx(merged)
    assert r.union == pytest.approx(merged, abs=1e-12)
    # the separate reading from the member-level game, summed over the bloc
    ss = gt.power.shapley_shubik(case.voting_game()).to_series()
    assert r.separate == pytest.approx(ss[list(case.bloc_members())].sum())
    assert r.members["share_of_bloc"].sum() == pytest.approx(1.0)
    # Banzhaf: the Banzhaf-Owen reading differs from the merged player's Banzhaf index
    b = bloc_power_readings(case, "banzhaf")
    assert abs(b.difference) > 1e-3 and "Banzhaf-Owen" in b.explanation
    enum = gt.power.banzhaf_owen(case.voting_game(),
                                 [list(case.bloc_members())] + [
                                     [p] for p in case.voting_game().players
                                     if p not in case.bloc_members()],
                                 normalized=True, method="enumeration")
    idx = [case.voting_game().players.index(p) for p in case.bloc_members()]
    assert b.union == pytest.approx(enum.values[idx].sum())
    # the report states both readings
    text = run(case).report()
    assert "a priori union" in text and "as one merged player" in text


def test_no_bloc_gives_no_readings(case):
    nobloc = replace(case, management_group=tuple(replace(m, bloc=False)
                                                  for m in case.management_group))
    assert bloc_power_readings(nobloc) is None


def test_cooperation_links_are_validated_and_round_trip(case):
    orgs = [o.name for o in case.organisations]
    with pytest.raises(ScenarioError, match="unknown organisation"):
        replace(case, cooperation=((orgs[0], "Nowhere General"),))
    with pytest.raises(ScenarioError, match="itself"):
        replace(case, cooperation=((orgs[0], orgs[0]),))
    linked = replace(case, cooperation=((orgs[4], orgs[5]),))
    again = type(case).from_dict(linked.to_dict())
    assert again.cooperation == linked.cooperation


def _restricted_by_networkx(values, players, links):
    G = nx.Graph()
    G.add_nodes_from(players)
    G.add_edges_from([(a, b) for a, b in links if a in players and b in players])
    n = len(players)
    out = np.zeros(1 << n)
    for m in range(1, 1 << n):
        members = [players[i] for i in range(n) if m >> i & 1]
        for comp in nx.connected_components(G.subgraph(members)):
            out[m] += values[sum(1 << players.index(p) for p in comp)]
    return out


def test_participation_game_and_committee_respect_the_graph(case):
    params = ModelParameters()
    chosen = run(case).chosen
    districts = [o.name for o in case.organisations if o.kind == "district"]
    links = tuple(zip(districts[:-1], districts[1:], strict=True))[:2]   # a short chain
    region = replace(case, cooperation=links)
    conc = concessions(region, chosen, params)
    names = list(conc.table.index)
    plain = participation_game(case, names, conc.table["harm"].to_numpy(), params)
    expected = _restricted_by_networkx(plain.values, list(plain.players), links)
    np.testing.assert_allclose(conc.game.values, expected)
    # unlinked losers can no longer hold out together: no coalition is worth more
    free = concessions(case, chosen, params)
    assert np.all(conc.game.values <= free.game.values + 1e-12)
    assert (conc.game.values < free.game.values - 1e-9).any()
    # the committee (director + the hospitals that lost work, simple majority) on this
    # sparse graph: no connected part holds a majority, so by component efficiency nobody
    # has power
    np.testing.assert_allclose(conc.committee_game["myerson_share"], 0.0)
    assert "myerson_share" not in free.committee_game
    # on a chain of all districts the chain is a connected majority (6 of 8 members):
    # shares sum to one and the director and the teaching hospital, linked to nobody, get
    # nothing
    chain = tuple(zip(districts[:-1], districts[1:], strict=True))
    full = concessions(replace(case, cooperation=chain), chosen, params).committee_game
    my = full.set_index("organisation")["myerson_share"]
    assert my.sum() == pytest.approx(1.0)
    assert full["myerson_share"].iloc[0] == pytest.approx(0.0)
    assert my[scenarios.TH2] == pytest.approx(0.0)
    assert my[districts[2]] > max(my[districts[0]], my[districts[-1]])


def test_endogenous_blocs_case_region(case):
    e = endogenous_blocs(case)
    g = e.game
    # the preferences are symmetric (so a Nash-stable partition exists)
    a = g._params["values"]
    np.testing.assert_allclose(a, a.T)
    assert e.concept == "core" and e.n_stable >= 1
    assert g.is_stable(e.partition, "core").stable
    # in the case the district hospitals stand together in every core-stable partition,
    # joined by the neutral bidder they back for host
    assert e.emerges and e.in_every
    assert e.allies == ("Riverside Care Trust representative",)
    # checked literally: every core-stable partition puts the districts in one block
    bloc = set(case.bloc_members())
    for p in g.stable_partitions("core"):
        assert any(bloc <= set(b) for b in p.blocks)


def test_geography_can_split_the_bloc(case):
    # if the districts can only cooperate in two separate clusters and distance weighs
    # heavily, the bloc no longer forms as a whole
    d = [o.name for o in case.organisations if o.kind == "district"]
    links = ((d[0], d[1]), (d[1], d[2]), (d[3], d[4]), (d[4], d[5]))
    region = replace(case, cooperation=links)
    e = endogenous_blocs(region, BlocPreferences(far=5.0))
    assert not e.emerges
    assert "do not" in e.summary() or "does not" in e.summary()


def test_run_with_endogenous_blocs_and_cli(case, capsys):
    res = run(case, blocs="endogenous")
    assert res.meta["blocs"] == "endogenous"
    formed = set(res.meta["endogenous_blocs"]["formed"])
    assert set(res.region.bloc_members()) == formed
    assert "Which blocs form" in res.report()
    assert res.to_dict()["meta"]["endogenous_blocs"]["emerges"] is True
    with pytest.raises(gt.InvalidArgumentError, match="bloc mode"):
        run(case, blocs="imagined")
    from restrat.cli import main

    assert main(["run", "case-region", "--blocs", "endogenous", "--no-figures"]) == 0
    assert "district bloc emerges" in capsys.readouterr().out


def test_large_region_uses_dynamics_with_certificate():
    region = scenarios.load("random-region", seed=3, n_organisations=40)
    region2, e = with_endogenous_bloc(region)
    assert e.concept == "nash" and e.n_stable is None
    assert e.game.is_stable(e.partition, "nash").stable
    assert "no deviation" in e.certificate
    assert set(region2.bloc_members()) == set(e.formed)
    assert bloc_preferences(region).n > 10
