"""Turning files that editors bring in (web pages, text copied off the web) into article fields.

`archive.ingest.extract.extract()` is the entry point: pure Python, no database access. The
database importer builds on it and decides what to do with what it finds.
"""
