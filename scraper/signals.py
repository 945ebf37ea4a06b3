"""Signals of this project, beside Scrapy's own (``scrapy.signals``).

``dataset_commit``: sent (no arguments) before a Parquet part is finalised. Its rows point at
WARC records; a receiver that writes captures makes them durable (fsync) before it returns, so
that after a crash or power loss no finished row points at a missing record. A receiver that
raises keeps the part from being finalised.

``page_error``: sent with ``url`` and ``message`` when the spider could not use a page (or part
of one) fully: a body that is not HTML, a failed extraction, invalid REST JSON, a thread that
holds fewer comments than the page states. The dataset records them in its manifest.
"""
dataset_commit = object()
page_error = object()
