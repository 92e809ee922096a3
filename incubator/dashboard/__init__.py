"""The park dashboard and reports: the figures administrators and centre managers look at."""
