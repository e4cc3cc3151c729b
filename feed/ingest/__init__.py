"""Feed ingestion core: fetch bytes, parse them, clean the result. No Django here."""
