"""HTML pages of the start-up community: the directory, profiles and teams, invitations,
administration."""
