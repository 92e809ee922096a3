"""The directory query: full-text search (FTS5 or tsvector), filters, sorting and pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import msgspec

from incubator.db import fetch, fetch_planned, is_postgres
from incubator.i18n import today_hk
from incubator.startups.schemas import StartupSummary
from incubator.startups.services import figures
from incubator.startups.services.onsite import IN_FORCE, onsite_condition
from incubator.startups.services.terms import fts5_query, parse_query, tsquery
from incubator.startups.tables import NOT_ACTIVE_SQL

SORTS = ("relevance", "name", "newest", "updated")
MAX_PER_PAGE = 100
# A search counts its matches up to this many, and ranks them by relevance only when there
# are no more: ranking reads every match, and a common word matches tens of thousands of
# start-ups at 100,000. A broader search lists the most
# recently added first, which both engines read straight from an index.
SEARCH_LIMIT = 1000
# A search's capped count stops at SEARCH_LIMIT + 1 matches: from the index's list of matches
# (reading those rows), or by testing start-ups in turn until that many matched (every one
# for a rare term). PostgreSQL prices testing a start-up far below its cost and a row read
# from the list at a spinning disk's; priced as the cached or solid-state read it is (its
# documentation's advice for such storage), the count of a term matching one start-up in
# twenty takes the list rather than testing every start-up, and a term matching one in three
# is still counted by testing, the cheaper there. Only this
# count is planned so: other plans keep the server's settings.
SEARCH_COUNT_PLANNER = "SET LOCAL random_page_cost = 1.1"


@dataclass
class DirectoryQuery:
    q: str = ""
    centre: str = ""
    hub: str = ""
    cluster: str = ""
    programme: str = ""
    stage: str = ""
    onsite: bool | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    archived: bool = False
    # Set by the service for managers browsing archived start-ups: only their centres.
    within_centres: list[int] | None = field(default=None)
    # The day onsite refers to; today in Hong Kong when not set.
    day: date | None = None


@dataclass
class DirectoryPage:
    rows: list[StartupSummary]
    total: int
    page: int
    per_page: int
    # The search matched more than `total` (SEARCH_LIMIT): counting stopped there.
    more: bool = False
    # The order applied: the query's sort, or "added" (most recently added first) for a
    # search too broad to rank by relevance.
    order: str = "relevance"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class DirectorySQL:
    """The directory query as SQL with `{}` placeholders: a page of rows and the total
    (for a search, `capped`: the total up to SEARCH_LIMIT + 1)."""

    page_sql: str
    page_args: list
    count_sql: str
    count_args: list
    order: str
    capped: bool
    count_planner: str = ""  # PostgreSQL's settings for planning the count (SET LOCAL ...)


async def directory_rows(query: DirectoryQuery) -> DirectoryPage:
    """Count, read the page in the order the count allows, then the page's links: three
    queries straight through the driver (`db.fetch`; the count planned as `count_planner`
    says on PostgreSQL), or the count read from the rows the database keeps where they
    answer it (`kept_count`)."""
    counted = await kept_count(query)
    large = counted is None and await _large_centre(query)
    sql = directory_sql(query, large_centre=large)
    if counted is None:
        if sql.count_planner:
            found = await fetch_planned(sql.count_planner, sql.count_sql, sql.count_args)
        else:
            found = await fetch(sql.count_sql, sql.count_args)
        counted = int(found[0]["n"])
    more = sql.capped and counted > SEARCH_LIMIT
    if more:
        sql = directory_sql(query, broad=True)  # a search: the matches drive, no hint
    rows = await fetch(sql.page_sql, sql.page_args)
    await attach_links(rows, query.day or today_hk())
    for row in rows:
        row["tags"] = [t for t in row["tags"].split(",") if t]
    return DirectoryPage(
        rows=msgspec.convert(rows, list[StartupSummary], strict=False),
        total=min(counted, SEARCH_LIMIT) if more else counted,
        page=query.page,
        per_page=query.per_page,
        more=more,
        order=sql.order,
    )


# On SQLite a count of a centre's or hub's list with another filter is driven by the list of
# one of them. A centre's list larger than this costs more to build than looking each start-up
# of the other filter's list up in the centre's links (at 100,000: a centre of 55,000 with a
# cluster and onsite 31 -> 22 ms; a hub of 6,000 the other way, 9 -> 17 ms).
LARGE_CENTRE = 20_000


async def _large_centre(query: DirectoryQuery) -> bool:
    """Whether SQLite should count the query's centre or hub by looking each start-up up:
    it is larger than LARGE_CENTRE (as the database keeps it) and a cluster, a programme or
    a stage is there to drive the count instead (onsite is looked up too, so cannot)."""
    slug, kind = (query.centre, "centre") if query.centre else (query.hub, "hub")
    drivers = (query.cluster, query.programme, query.stage)
    if is_postgres() or not slug or query.q.strip() or not any(drivers):
        return False
    found = await fetch(
        "SELECT n FROM centre_startups t JOIN centre c ON c.id = t.centre "
        "WHERE c.slug = {} AND c.kind = {} AND t.kind = 'all'",
        [slug, kind],
    )
    return bool(found) and int(found[0]["n"]) > LARGE_CENTRE


async def kept_count(query: DirectoryQuery) -> int | None:
    """The count of a centre's or hub's own list, with at most a stage, a cluster or onsite,
    from the rows the database keeps (`centre_startups`; `centre_onsite` for today, read by
    name: the tenancy package keeps it); None for any other list, which is counted."""
    slug, kind = (query.centre, "centre") if query.centre else (query.hub, "hub")
    narrowed = [f for f in (query.stage, query.cluster, query.onsite is not None) if f]
    if (
        not slug
        or (query.centre and query.hub)
        or query.q.strip()
        or query.archived
        or query.programme
        or query.within_centres is not None
        or len(narrowed) > 1
        or (query.day is not None and query.day != today_hk())
    ):
        return None
    centre = await fetch("SELECT id FROM centre WHERE slug = {} AND kind = {}", [slug, kind])
    if not centre:
        return 0
    centre_id = centre[0]["id"]
    if query.stage:
        return (await figures.centre_counts(centre_id, "stage")).get(query.stage, 0)
    if query.cluster:
        found = await fetch("SELECT id FROM cluster WHERE slug = {}", [query.cluster])
        by_cluster = await figures.centre_counts(centre_id, "cluster")
        return by_cluster.get(str(found[0]["id"]), 0) if found else 0
    everyone = (await figures.centre_counts(centre_id, "all")).get("", 0)
    if query.onsite is None:
        return everyone
    kept = await fetch(
        "SELECT onsite FROM centre_onsite WHERE centre = {} AND day = {}", [centre_id, today_hk()]
    )
    if not kept:
        return None  # not yet counted for today: the list is counted instead
    onsite = int(kept[0]["onsite"])
    return onsite if query.onsite else everyone - onsite


async def attach_links(rows: list[dict], day: date) -> None:
    """Add to each row its clusters, centres and hubs (slugs, sorted), has_logo, and onsite
    on `day`, in one query."""
    if not rows:
        return
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row |= {"clusters": [], "centres": [], "hubs": [], "has_logo": False, "onsite": False}
    ids, marks = list(by_id), ", ".join("{}" for _ in by_id)
    links = await fetch(
        "SELECT sc.startup AS startup, 'clusters' AS kind, cl.slug AS slug "
        "FROM startup_cluster sc JOIN cluster cl ON cl.id = sc.cluster "
        f"WHERE sc.startup IN ({marks}) "
        "UNION ALL SELECT a.startup, CASE c.kind WHEN 'hub' THEN 'hubs' ELSE 'centres' END, "
        "c.slug FROM startup_affiliation a JOIN centre c ON c.id = a.centre "
        f"WHERE a.startup IN ({marks}) "
        f"UNION ALL SELECT startup, 'logo', '' FROM startup_logo WHERE startup IN ({marks}) "
        "UNION ALL SELECT DISTINCT l.startup, 'onsite', '' FROM lease l "
        f"WHERE l.startup IN ({marks}) AND {IN_FORCE} ORDER BY 3",
        [*ids, *ids, *ids, *ids, day, day],
    )
    for link in links:
        row, kind = by_id[link["startup"]], link["kind"]
        if kind in ("logo", "onsite"):
            row["has_logo" if kind == "logo" else "onsite"] = True
        else:
            row[kind].append(link["slug"])


# A filter's centre, cluster or programme by its slug, as one value found first: PostgreSQL
# then reads the links of that one row (a join by slug planned the links of any centre, and
# on two cores built the list of 55,000 in three processes: a centre, a cluster and onsite
# counted in 28 ms, 20 with the id found first).
_CENTRE = "a.centre = (SELECT c.id FROM centre c WHERE c.kind = {} AND c.slug = {})"
_CLUSTER = "sc.cluster = (SELECT cl.id FROM cluster cl WHERE cl.slug = {})"
_PROGRAMME = "sp.programme = (SELECT p.id FROM programme p WHERE p.slug = {})"


_MEMBERS = {
    "centre": f"SELECT a.startup FROM startup_affiliation a WHERE {_CENTRE}",
    "cluster": f"SELECT sc.startup FROM startup_cluster sc WHERE {_CLUSTER}",
    "programme": f"SELECT sp.startup FROM startup_programme sp WHERE {_PROGRAMME}",
}


def _onsite_count(lists: list[tuple[str, list]], day: date) -> tuple[str, list]:
    """The count of onsite start-ups in every one of `lists`, from the leases in force: their
    distinct holders in the lists, less those not active (few). It reads no start-up row:
    at 100,000 on PostgreSQL a cluster's onsite 21 -> 12 ms, a centre's and a cluster's 26 ->
    17, the park's 15 -> 8; on SQLite only the park's gains (29 -> 19: with a list to drive,
    its count of the start-ups' side is faster)."""
    holders = "".join(f" AND l.startup IN ({sub})" for sub, _ in lists)
    inactive = "".join(f" AND s.id IN ({sub})" for sub, _ in lists)
    values = [value for _, subs in lists for value in subs]
    sql = (
        f"SELECT (SELECT COUNT(DISTINCT l.startup) FROM lease l WHERE {IN_FORCE}{holders}) - "
        f"(SELECT COUNT(*) FROM startup s WHERE s.status IN ({NOT_ACTIVE_SQL}){inactive} AND "
        f"EXISTS (SELECT 1 FROM lease l WHERE l.startup = s.id AND {IN_FORCE})) AS n"
    )
    return sql, [day, day, *values, *values, day, day]


def directory_sql(
    query: DirectoryQuery, broad: bool = False, large_centre: bool = False
) -> DirectorySQL:
    """The SQL of `query`; `broad`: the search matched more than SEARCH_LIMIT, so a
    relevance sort lists the most recently added first instead."""
    postgres = is_postgres()
    args: list = []
    source = "startup s"
    where = ["s.status = {}"]
    args.append("archived" if query.archived else "active")
    rank = None
    terms = parse_query(query.q)
    if terms:
        if postgres:
            where.append("s.search_vector @@ to_tsquery('english', {})")
            args.append(tsquery(terms))
            rank = "ts_rank(s.search_vector, to_tsquery('english', {}))"
        else:
            # CROSS JOIN fixes the order: matches first, then their rows. Left to itself
            # SQLite may probe the index once per start-up instead, far slower.
            source = "startup_fts f CROSS JOIN startup s ON s.id = f.rowid"
            where.append("startup_fts MATCH {}")
            args.append(fts5_query(terms))
            rank = "f.rank"
    # Each filter has two forms: a lookup per start-up for the page, which reads start-ups in
    # its order and stops after a page, and, for the count of a list without search terms, a
    # list of the start-ups that pass, which SQLite can drive the count from. With
    # search terms the matches drive both, and each is looked up.
    listed = not terms
    count_where, count_args = list(where), list(args)

    lists: list[tuple[str, list]] = []  # the start-ups of each list filter, as SELECTs

    def condition(lookup: str, members: str, values: list) -> None:
        where.append(lookup)
        args.extend(values)
        count_where.append(members if listed else lookup)
        count_args.extend(values)

    for kind, slug in (("centre", query.centre), ("hub", query.hub)):
        if slug:
            lookup = (
                f"EXISTS (SELECT 1 FROM startup_affiliation a WHERE a.startup = s.id AND {_CENTRE})"
            )
            members = f"s.id IN ({_MEMBERS['centre']})"
            condition(lookup, lookup if large_centre else members, [kind, slug])
            lists.append((_MEMBERS["centre"], [kind, slug]))
    if query.cluster:
        condition(
            f"EXISTS (SELECT 1 FROM startup_cluster sc WHERE sc.startup = s.id AND {_CLUSTER})",
            f"s.id IN ({_MEMBERS['cluster']})",
            [query.cluster],
        )
        lists.append((_MEMBERS["cluster"], [query.cluster]))
    if query.programme:
        condition(
            f"EXISTS (SELECT 1 FROM startup_programme sp WHERE sp.startup = s.id AND {_PROGRAMME})",
            f"s.id IN ({_MEMBERS['programme']})",
            [query.programme],
        )
        lists.append((_MEMBERS["programme"], [query.programme]))
    if query.stage:
        condition("s.stage = {}", "s.stage = {}", [query.stage])
    if query.onsite is not None:
        day = query.day or today_hk()
        negation = "" if query.onsite else "NOT "
        lookup, values = onsite_condition(day, correlated=True)
        members, _ = onsite_condition(day)
        if len(count_where) > 1 and not postgres:
            # Another filter's list drives SQLite's count: each start-up of it looked up by
            # its leases rather than a list of the 45,000 onsite built to test against
            # (a stage with onsite 31 -> 13 ms at 100,000; PostgreSQL plans both alike).
            members = lookup
        condition(negation + lookup, negation + members, values)
    if query.within_centres is not None:
        ids = query.within_centres or [0]
        marks = ", ".join("{}" for _ in ids)
        condition(
            "EXISTS (SELECT 1 FROM startup_affiliation a2 "
            f"WHERE a2.startup = s.id AND a2.centre IN ({marks}))",
            f"s.id IN (SELECT a2.startup FROM startup_affiliation a2 WHERE a2.centre IN ({marks}))",
            list(ids),
        )
    where_sql = " WHERE " + " AND ".join(where)

    order_args: list = []
    if query.sort == "relevance" and rank is not None and broad:
        # FTS5 and the primary key both give rows in id order without sorting them.
        order, order_name = ("s.id DESC" if postgres else "f.rowid DESC"), "added"
    elif query.sort == "relevance" and rank is not None:
        order, order_name = (f"{rank} DESC, s.id" if postgres else f"{rank}, s.id"), "relevance"
        order_args = [tsquery(terms)] if postgres else []
    elif query.sort == "newest":
        order, order_name = "s.founded_year DESC, s.name_en, s.id", "newest"
    elif query.sort == "updated":
        order, order_name = "s.updated_at DESC, s.id", "updated"
    else:
        order, order_name = "s.name_en, s.id", "name"

    offset = (query.page - 1) * query.per_page
    columns = (
        "s.id, s.slug, s.name_en, s.name_zh, s.description_en, s.description_zh, "
        "s.website, s.stage, s.founded_year, s.team_size, s.tags, s.status, s.updated_at"
    )
    if postgres and order_name == "added":
        # A broad search's page: the start-ups newest first, tested one by one until the
        # page is full (more than 1,000 match, so in a park of 100,000 at least one in a
        # hundred). The subquery, fenced by OFFSET 0, keeps the planner to that order: from a
        # phrase's match count, which it misjudges, it chose the index and a sort of every
        # match over reading a few hundred rows.
        matching = "s.search_vector @@ to_tsquery('english', {})"
        search = where.index(matching)
        at = sum(clause.count("{}") for clause in where[:search])  # its argument
        fenced = " AND ".join(where[:search] + where[search + 1 :])
        source = f"(SELECT * FROM startup s WHERE {fenced} ORDER BY s.id DESC OFFSET 0) s"
        where_sql = f" WHERE {matching}"
        args = [*args[:at], *args[at + 1 :], args[at]]
    select_sql = (
        f"SELECT {columns} FROM {source}{where_sql} ORDER BY {order} LIMIT {{}} OFFSET {{}}"
    )
    count_where_sql = " WHERE " + " AND ".join(count_where)
    if terms:
        count_sql = (
            f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM {source}{count_where_sql} LIMIT {{}}) "
            "matches"
        )
        count_args = [*count_args, SEARCH_LIMIT + 1]
    elif (
        query.onsite
        and not (query.stage or query.archived or query.within_centres is not None)
        and (postgres or not lists)
    ):
        count_sql, count_args = _onsite_count(lists, query.day or today_hk())
    else:
        count_sql = f"SELECT COUNT(*) AS n FROM {source}{count_where_sql}"
    return DirectorySQL(
        select_sql,
        [*args, *order_args, query.per_page, offset],
        count_sql,
        count_args,
        order_name,
        capped=bool(terms),
        count_planner=SEARCH_COUNT_PLANNER if terms and postgres else "",
    )
