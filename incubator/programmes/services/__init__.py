"""The rules of programme intake: calls, answers, applications, files."""
