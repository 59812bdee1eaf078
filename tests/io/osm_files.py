"""Writers of OpenStreetMap test files, shared by the OSM reader tests and the own-data walk-through.

PBF with ``osmium.SimpleWriter``; XML as text by a small writer of our own, so the two formats are
produced independently and must read the same.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

import osmium
from osmium.osm.mutable import Node, Relation, Way

T = "2024-01-01T00:00:00Z"


def write_pbf(path, nodes, ways=(), relations=()):
    """nodes: (id, lon, lat, tags); ways: (id, refs, tags); relations: (id, [(type, ref, role)], tags)."""
    path.unlink(missing_ok=True)  # SimpleWriter refuses to overwrite
    w = osmium.SimpleWriter(str(path))
    for nid, lon, lat, tags in nodes:
        w.add_node(Node(id=nid, location=(lon, lat), tags=tags, version=1, timestamp=T))
    for wid, refs, tags in ways:
        w.add_way(Way(id=wid, nodes=refs, tags=tags, version=1, timestamp=T))
    for rid, members, tags in relations:
        w.add_relation(Relation(id=rid, members=members, tags=tags, version=1, timestamp=T))
    w.close()
    return path


def write_xml(path, nodes, ways=(), relations=()):
    """The same data as OSM XML, written as text (not by osmium)."""
    def tags_xml(tags):
        return "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
    out = ["<?xml version='1.0' encoding='UTF-8'?>", '<osm version="0.6" generator="test">']
    for nid, lon, lat, tags in nodes:
        out.append(f'<node id="{nid}" version="1" lat="{lat}" lon="{lon}">{tags_xml(tags)}</node>')
    for wid, refs, tags in ways:
        out.append(f'<way id="{wid}" version="1">' + "".join(f'<nd ref="{r}"/>' for r in refs) + tags_xml(tags)
                   + "</way>")
    for rid, members, tags in relations:
        out.append(f'<relation id="{rid}" version="1">'
                   + "".join(f'<member type="{ {"n": "node", "w": "way", "r": "relation"}[t]}" ref="{r}" '
                             f'role="{role}"/>' for t, r, role in members) + tags_xml(tags) + "</relation>")
    out.append("</osm>")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def square(first_id, x0, y0, size):
    """Four corner nodes (id, lon, lat, {}) of a square, counter-clockwise, and the closed ring of ids."""
    corners = [(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size)]
    nodes = [(first_id + k, x, y, {}) for k, (x, y) in enumerate(corners)]
    return nodes, [first_id + k for k in (0, 1, 2, 3, 0)]
