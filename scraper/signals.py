"""Signals of this project, beside Scrapy's own (``scrapy.signals``).

``dataset_commit``: sent (no arguments) before a Parquet part is finalised. Its rows point at
WARC records; a receiver that writes captures makes them durable (fsync) before it returns, so
that after a crash or power loss no finished row points at a missing record. A receiver that
raises keeps the part from being finalised.
"""
dataset_commit = object()
