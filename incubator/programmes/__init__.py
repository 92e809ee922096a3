"""Programme intake: calls for applications, applications and their files (and, to come,
review panels and decisions). One domain beside start-ups and partners, which it builds on."""
