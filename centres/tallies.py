"""The centres' summary rows (`incubator.db.tallies`): each centre's or hub's onsite start-ups
on the day its row names, and each building's occupied units of a centre on the day its row
names (`space_day`). A start-up counts in a centre when it is active, affiliated with
the centre, and holds a lease in force on that day (`startups.services.onsite`).

A lease counts for its start-up's centres only when no other lease of the start-up is in
force that day (the start-up is onsite once, however many units it holds); PostgreSQL runs
the lease's trigger before each row changes, so that a statement changing several leases of
one start-up counts each against the ones changed before it, as SQLite's triggers do. Every
trigger updates the rows of the centres it concerns even when the count does not move: on
PostgreSQL those row locks are what makes counting a new day afresh wait for writers under
way (`centres.services.occupancy.onsite_today`)."""

from __future__ import annotations

from incubator.db.tallies import Source, Tally, flag, moved, register
from incubator.startups.services.onsite import in_force


def _onsite_in_force(lease: str) -> str:
    return in_force(lease, "centre_onsite.day")


def _active(startup: str) -> str:
    return f"EXISTS (SELECT 1 FROM startup s WHERE s.id = {startup} AND s.status = 'active')"


def _holds_lease(startup: str) -> str:
    return f"EXISTS (SELECT 1 FROM lease l WHERE l.startup = {startup} AND {_onsite_in_force('l')})"


def _moved(sign: int, counts: str) -> str:
    return moved("onsite", sign, flag(counts))


def _centres_of(startup: str) -> str:
    return f"centre IN (SELECT a.centre FROM startup_affiliation a WHERE a.startup = {startup})"


def _lease(row: str, sign: int) -> list[str]:
    alone = (
        f"NOT EXISTS (SELECT 1 FROM lease o WHERE o.startup = {row}.startup "
        f"AND o.id <> {row}.id AND {_onsite_in_force('o')})"
    )
    counts = f"{_onsite_in_force(row)} AND {_active(f'{row}.startup')} AND {alone}"
    return [
        f"UPDATE centre_onsite SET {_moved(sign, counts)} WHERE {_centres_of(f'{row}.startup')}"
    ]


def _affiliation(row: str, sign: int) -> list[str]:
    counts = f"{_active(f'{row}.startup')} AND {_holds_lease(f'{row}.startup')}"
    return [f"UPDATE centre_onsite SET {_moved(sign, counts)} WHERE centre = {row}.centre"]


def _startup(row: str, sign: int) -> list[str]:
    counts = f"{row}.status = 'active' AND {_holds_lease(f'{row}.id')}"
    return [f"UPDATE centre_onsite SET {_moved(sign, counts)} WHERE {_centres_of(f'{row}.id')}"]


def _centre(row: str, sign: int) -> list[str]:
    return [f"INSERT INTO centre_onsite (centre, day, onsite) VALUES ({row}.id, NULL, 0)"]


ONSITE_TALLY = register(
    Tally(
        name="onsite",
        table="centre_onsite",
        sources=(
            Source("centre", _centre, operations=("insert",)),
            Source(
                "lease",
                _lease,
                ("startup", "status", "starts_on", "ends_on"),
                postgres_timing="BEFORE",
            ),
            Source("startup_affiliation", _affiliation, ("startup", "centre")),
            # A start-up is deleted only without leases (they restrict it): nothing to count.
            Source("startup", _startup, ("status",), operations=("update",)),
        ),
        # A row with no day is counted afresh when it is next read.
        rebuild=(
            "INSERT INTO centre_onsite (centre, day, onsite) SELECT c.id, NULL, 0 FROM centre c "
            "WHERE NOT EXISTS (SELECT 1 FROM centre_onsite o WHERE o.centre = c.id)",
            "UPDATE centre_onsite SET day = NULL, onsite = 0",
        ),
    )
)


ENDING_WINDOWS = (30, 90, 180)


def _space_in_force(lease: str) -> str:
    return in_force(lease, "space_day.day")


def _space_lease(row: str, sign: int) -> list[str]:
    counts = flag(_space_in_force(row))
    area = f"(SELECT u.area_sqft FROM unit u WHERE u.id = {row}.unit)"
    sets = [
        moved("occupied_units", sign, counts),
        moved("occupied_sqft", sign, f"{counts} * {area}"),
        *(
            moved(
                f"ending_{d}",
                sign,
                flag(f"{_space_in_force(row)} AND {row}.ends_on <= space_day.day_{d}"),
            )
            for d in ENDING_WINDOWS
        ),
    ]
    return [
        f"UPDATE space_day SET {', '.join(sets)} WHERE (building, centre) = "
        f"(SELECT u.building, u.centre FROM unit u WHERE u.id = {row}.unit "
        "AND u.status = 'available')"
    ]


def _space_unit(row: str, sign: int) -> list[str]:
    def leases(extra: str = "") -> str:
        return (
            f"(SELECT COUNT(*) FROM lease l WHERE l.unit = {row}.id "
            f"AND {_space_in_force('l')}{extra})"
        )

    sets = [
        moved("occupied_units", sign, leases()),
        moved("occupied_sqft", sign, f"{row}.area_sqft * {leases()}"),
        *(
            moved(f"ending_{d}", sign, leases(f" AND l.ends_on <= space_day.day_{d}"))
            for d in ENDING_WINDOWS
        ),
    ]
    update = (
        f"UPDATE space_day SET {', '.join(sets)} WHERE building = {row}.building "
        f"AND centre = {row}.centre AND {row}.status = 'available'"
    )
    if sign < 0:
        return [update]
    # A building and centre with no row yet gets one with no day: counted when next read.
    return [
        "INSERT INTO space_day (building, centre) VALUES "
        f"({row}.building, {row}.centre) ON CONFLICT (building, centre) DO NOTHING",
        update,
    ]


SPACE_TALLY = register(
    Tally(
        name="space",
        table="space_day",
        sources=(
            Source("lease", _space_lease, ("unit", "status", "starts_on", "ends_on")),
            # A unit is deleted only without leases (they restrict it): nothing to count.
            Source(
                "unit",
                _space_unit,
                ("building", "centre", "status", "area_sqft"),
                operations=("insert", "update"),
            ),
        ),
        rebuild=(
            "INSERT INTO space_day (building, centre) SELECT DISTINCT u.building, u.centre "
            "FROM unit u WHERE NOT EXISTS (SELECT 1 FROM space_day d "
            "WHERE d.building = u.building AND d.centre = u.centre)",
            "UPDATE space_day SET day = NULL, occupied_units = 0, occupied_sqft = 0, "
            "ending_30 = 0, ending_90 = 0, ending_180 = 0",
        ),
    )
)
