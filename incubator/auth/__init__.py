"""Users, roles, sessions, log-in throttling and the viewer every request carries."""
