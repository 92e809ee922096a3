"""The start-ups' summary rows (`incubator.db.tallies`): each centre's or hub's active
start-ups, all of them, by stage and by cluster (`centre_startups`). Read where one centre's
figures are wanted (a manager's dashboard, a centre's directory count); a start-up
affiliated with two centres is in both, so figures for several centres at once are counted
from the rows instead. A start-up's share is taken away before it is deleted, while its
affiliations and clusters are still there to say where it counted."""

from __future__ import annotations

from incubator.db.tallies import Source, Tally, register

_INSERT = "INSERT INTO centre_startups (centre, kind, value, n) "
_UPSERT = " ON CONFLICT (centre, kind, value) DO UPDATE SET n = centre_startups.n + excluded.n"


def _rows(select: str, tables: str, where: str) -> str:
    return f"{_INSERT}SELECT {select} FROM {tables} WHERE {where}{_UPSERT}"


def _counted(sign: int, centre: str, stage: str, source: str, kept: str, startup: str) -> list[str]:
    """A start-up's share in a centre: in all, in its stage, and in each of its clusters."""
    return [
        _rows(f"{centre}, 'all', '', {sign}", source, kept),
        _rows(f"{centre}, 'stage', {stage}, {sign}", source, kept),
        _rows(
            f"{centre}, 'cluster', CAST(sc.cluster AS TEXT), {sign}",
            f"{source}, startup_cluster sc",
            f"{kept} AND sc.startup = {startup}",
        ),
    ]


def _startup(row: str, sign: int) -> list[str]:
    kept = f"a.startup = {row}.id AND {row}.status = 'active'"
    return _counted(sign, "a.centre", f"{row}.stage", "startup_affiliation a", kept, f"{row}.id")


def _affiliation(row: str, sign: int) -> list[str]:
    kept = f"s.id = {row}.startup AND s.status = 'active'"
    return _counted(sign, f"{row}.centre", "s.stage", "startup s", kept, "s.id")


def _cluster(row: str, sign: int) -> list[str]:
    kept = f"s.id = {row}.startup AND s.status = 'active' AND a.startup = s.id"
    return [
        _rows(
            f"a.centre, 'cluster', CAST({row}.cluster AS TEXT), {sign}",
            "startup s, startup_affiliation a",
            kept,
        )
    ]


CENTRE_STARTUPS = register(
    Tally(
        name="startups",
        table="centre_startups",
        sources=(
            Source(
                "startup",
                _startup,
                ("status", "stage"),
                operations=("delete", "update"),
                postgres_timing="BEFORE",
                sqlite_timing="BEFORE",
            ),
            Source("startup_affiliation", _affiliation, ("startup", "centre")),
            Source("startup_cluster", _cluster, ("startup", "cluster")),
        ),
        rebuild=(
            "DELETE FROM centre_startups",
            _INSERT + "SELECT a.centre, 'all', '', COUNT(*) FROM startup_affiliation a "
            "JOIN startup s ON s.id = a.startup WHERE s.status = 'active' GROUP BY a.centre",
            _INSERT + "SELECT a.centre, 'stage', s.stage, COUNT(*) FROM startup_affiliation a "
            "JOIN startup s ON s.id = a.startup WHERE s.status = 'active' "
            "GROUP BY a.centre, s.stage",
            _INSERT + "SELECT a.centre, 'cluster', CAST(sc.cluster AS TEXT), COUNT(*) "
            "FROM startup_affiliation a JOIN startup s ON s.id = a.startup "
            "JOIN startup_cluster sc ON sc.startup = s.id WHERE s.status = 'active' "
            "GROUP BY a.centre, sc.cluster",
        ),
    )
)
