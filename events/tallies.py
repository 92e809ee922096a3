"""The events' summary rows (`incubator.db.tallies`): per event, its confirmed and waitlisted
registrations, those of each checked in, and (for a course run) its certificates not
revoked. A row is made with its event and goes with it."""

from __future__ import annotations

from incubator.db.tallies import Source, Tally, flag, moved, register


def _registration_counts(row: str) -> dict[str, str]:
    checked_in = f"{row}.checked_in_at IS NOT NULL"
    return {
        "confirmed": flag(f"{row}.status = 'confirmed'"),
        "waitlisted": flag(f"{row}.status = 'waitlisted'"),
        "confirmed_checked_in": flag(f"{row}.status = 'confirmed' AND {checked_in}"),
        "waitlisted_checked_in": flag(f"{row}.status = 'waitlisted' AND {checked_in}"),
    }


def _event(row: str, sign: int) -> list[str]:
    if sign > 0:
        return [f"INSERT INTO event_tally (event) VALUES ({row}.id)"]
    return [f"DELETE FROM event_tally WHERE event = {row}.id"]


def _registration(row: str, sign: int) -> list[str]:
    counts = _registration_counts(row)
    sets = ", ".join(moved(column, sign, amount) for column, amount in counts.items())
    return [f"UPDATE event_tally SET {sets} WHERE event = {row}.event"]


def _certificate(row: str, sign: int) -> list[str]:
    amount = flag(f"{row}.revoked_at IS NULL")
    return [f"UPDATE event_tally SET {moved('certificates', sign, amount)} WHERE event = {row}.run"]


_COUNTED = _registration_counts("r")

EVENT_TALLY = register(
    Tally(
        name="event",
        table="event_tally",
        sources=(
            Source("event", _event),
            Source("registration", _registration, ("event", "status", "checked_in_at")),
            Source("certificate", _certificate, ("run", "revoked_at")),
        ),
        rebuild=(
            "DELETE FROM event_tally",
            "INSERT INTO event_tally (event, confirmed, waitlisted, confirmed_checked_in, "
            "waitlisted_checked_in, certificates) "
            "SELECT e.id, COALESCE(r.confirmed, 0), COALESCE(r.waitlisted, 0), "
            "COALESCE(r.confirmed_checked_in, 0), COALESCE(r.waitlisted_checked_in, 0), "
            "COALESCE(c.n, 0) FROM event e LEFT JOIN (SELECT r.event, "
            + ", ".join(f"SUM({amount}) AS {column}" for column, amount in _COUNTED.items())
            + " FROM registration r GROUP BY r.event) r ON r.event = e.id "
            "LEFT JOIN (SELECT run, COUNT(*) AS n FROM certificate WHERE revoked_at IS NULL "
            "GROUP BY run) c ON c.run = e.id",
        ),
    )
)
