"""The rules of the park's space: leases, units and buildings, occupancy, a centre's overview."""
