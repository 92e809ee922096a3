"""The start-up community: centres and hubs, start-ups, their teams, clusters and programmes."""
