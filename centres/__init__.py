"""The park's space: buildings, units and the leases that make a start-up onsite."""
