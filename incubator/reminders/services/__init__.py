"""The reminders domain's rules: the only code that writes its tables."""
