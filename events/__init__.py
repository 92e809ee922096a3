"""Events in the park's venues: scheduling, registration with waitlists, check-in, feeds."""
