"""The linkage network: who each complex works with, how often, gaps and overlaps.

Reads like networkx: the graph comes first, options are keywords, results
are ``{node: value}`` dicts. Complexes are nodes ``"c:<id>"`` with
``bipartite=0``, agencies ``"a:<id>"`` with ``bipartite=1``.

- :mod:`network.graph` — :func:`build_graph`, :func:`type_graph`
- :mod:`network.measures` — per agency, per complex and whole-network measures
- :mod:`network.explain` — what each measure means, in Korean (data)
- :mod:`network.contacts` — the contact log and the level it implies
- :mod:`network.links` — set/delete links with optimistic concurrency
- :mod:`network.gaps`, :mod:`network.overlaps`, :mod:`network.recommend`
- :mod:`network.report` — whole-network and per-complex reports
"""
from .graph import agency_node, build_graph, complex_node, type_graph

__all__ = ["build_graph", "type_graph", "complex_node", "agency_node"]
