"""The dashboard's figures: one definition of each number the pages, API, CSV and PDF show."""
