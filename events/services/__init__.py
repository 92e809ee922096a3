"""The rules of events: scheduling in venues, registration and waitlists, calendars, feeds."""
