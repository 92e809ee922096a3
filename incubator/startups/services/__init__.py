"""The startups domain's rules: the only code that writes its tables."""
