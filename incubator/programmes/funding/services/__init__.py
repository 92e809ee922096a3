"""The rules of programme funding: the only code that writes its tables."""
