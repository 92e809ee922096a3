"""The academy's rules: courses, runs and enrolment; attendance, completion and certificates."""
