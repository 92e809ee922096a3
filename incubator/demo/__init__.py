"""The demo park's builders, one module per domain; park.py puts them together."""
