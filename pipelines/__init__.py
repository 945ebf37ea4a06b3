"""Item pipelines: validation, then Parquet storage. Wired in ``scraper/settings.py``."""
