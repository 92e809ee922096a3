"""A page of rows in the park's order of buildings, read building by building (PostgreSQL).

The registers list units and leases by building (its place in the park's order), then by
floor, number or first day. Sorting every row of the park for one page of them cost 30-40 ms
at 100,000 start-ups (55,000 units, 71,000 leases). Each building's first rows, read in
order off the units' (building, code) or (building, floor, code) index and stopped after as
many as the page needs, are 1.7-6.7 ms: the park's first n are among each building's first
n, so the page is the first n of those. SQLite has no LATERAL join and keeps its sort."""

from __future__ import annotations

from collections.abc import Sequence


def by_building(ident: str, source: str, where_sql: str, order: Sequence[str]) -> str:
    """SQL choosing the ids (`ident`, e.g. "u.id") of a page from `source` (FROM ..., with
    the unit as `u`) and `where_sql` (" WHERE ..." or ""), in the order of the buildings'
    places and then `order`, whose last column must make it total. Arguments: the
    filters', then (offset + n) for each building, then n and the offset."""
    keys = ", ".join(f"{column} AS k{i}" for i, column in enumerate(order))
    outer = ", ".join(f"x.k{i}" for i in range(len(order)))
    where = f"{where_sql} AND u.building = bo.id" if where_sql else " WHERE u.building = bo.id"
    return (
        f"SELECT x.id FROM building bo CROSS JOIN LATERAL (SELECT {ident} AS id, {keys} "
        f"{source}{where} ORDER BY {', '.join(order)} LIMIT {{}}) x "
        f"ORDER BY bo.sort_order, {outer} LIMIT {{}} OFFSET {{}}"
    )
