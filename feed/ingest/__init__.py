"""Feed ingestion core: fetch bytes, parse them, clean the result. No Django here.

fetch (with netguard, the SSRF guard) -> parse (with clean) -> plain dataclasses;
discover and opml find feeds, schedule says when to fetch next, hostlimit keeps
fetches polite across workers. See docs/ingest.md for the guarantees.
"""
