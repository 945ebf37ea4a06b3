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

# A crawl shared by workers over Redis (scraper/shared.py):
# ``article_claim``: sent with ``article_id`` before the spider assembles an article; a receiver
# returning False says another worker assembles (or stored) it.
article_claim = object()
# ``commit_requested``: asks the dataset to publish the rows it holds now (a worker gone idle).
commit_requested = object()
# ``dataset_committed``: sent with ``article_ids`` (those added since the last one) after the
# dataset published its pending parts: every row added before it is stored.
dataset_committed = object()
