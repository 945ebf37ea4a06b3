"""Crawl policy. Components (pipelines, middlewares, commands) are wired here, not by imports."""
from scraper import __version__

BOT_NAME = "blog-archiver"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"
COMMANDS_MODULE = "scraper.commands"

# No contact of ours: the archivist running the crawl gives theirs (blog-archiver crawl --contact,
# or -s USER_AGENT); scraper/contact.py warns until they do.
USER_AGENT = f"blog-archiver/{__version__} (archival crawler)"
CONTACT_WARNING = True
# Crawl limits (0: none): Scrapy's CLOSESPIDER_PAGECOUNT/ITEMCOUNT/TIMEOUT/ERRORCOUNT and
# DEPTH_LIMIT for the whole crawl; pages of each blog of a collection:
MAX_PAGES_PER_SITE = 0

# Politeness: obey robots.txt, adapt to the server, at most two requests at a time per site.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 2

# A 429 or 503 with Retry-After is retried no earlier than the server asks (scraper/retry.py):
# retrying sooner only adds load where the server said it has none to spare. A server asking for
# more than RETRY_AFTER_MAX seconds gets no retry of that request, rather than one too early.
RETRY_AFTER_MAX = 300.0

# Bound the work per page: a 50 MB "article" is an error, not content.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

# Breadth-first, so listing pages are read before the crawl goes deep into one archive.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

# WARC capture and replay next to the downloader (> 590, HttpCompressionMiddleware), so captures
# hold the body as received; conditional requests below it, so a 304 answered from the earlier
# capture (already decoded) skips decompression.
DOWNLOADER_MIDDLEWARES = {
    # Retries that wait out a 429's or 503's Retry-After, in place of Scrapy's (same order, 550).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.retry.RetryAfterMiddleware": 550,
    # Redirects kept on the crawl's hosts, loops reported (scraper/redirects.py), in the
    # built-in redirect middlewares' places (meta refresh just before the conditional requests).
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scraper.redirects.ScopedRedirectMiddleware": 600,
    "scraper.redirects.ScopedMetaRefreshMiddleware": 579,
    "scraper.middlewares.ConditionalRequestMiddleware": 580,
    # MAX_PAGES_PER_SITE: pages past a blog's limit are not fetched, and counted (scraper/limits.py).
    "scraper.limits.SitePageLimit": 50,
    "scraper.middlewares.WarcCaptureMiddleware": 950,
    "scraper.middlewares.WarcReplayMiddleware": 960,
}
# WARC capture into <DATASET_ROOT>/<CRAWL_ID>/warc/, rotated after WARC_MAX_SIZE bytes.
WARC_ENABLED = True
WARC_MAX_SIZE = 1024 ** 3
# Each record its own gzip member, as warcio writes them; level 6, not warcio's 9: a quarter less
# compression time (~5 % of a crawl's CPU at 9) for files about 0.2 % larger.
WARC_GZIP_LEVEL = 6
# Files or folders to answer every request from, instead of the network (scrapy reextract).
WARC_REPLAY_FILES: list[str] = []
# Their index, read once and saved by a parallel rebuild (scraper/parallel.py): its tasks load it
# instead of each reading every file again.
WARC_REPLAY_INDEX: str | None = None
# Re-crawls ask previous crawls' validators (ETag, Last-Modified) of the same site.
INCREMENTAL_ENABLED = True
# A killed crawl (JOBDIR) loses the rows not yet in a finished part: finish one this often.
PARQUET_COMMIT_INTERVAL = 60.0
# The resumable single-process scheduler (JOBDIR), or a worker of a crawl shared over Redis
# (scraper/shared.py) when REDIS_URL is set: start the same command, with the same -a crawl=NAME,
# on as many processes and machines as you like.
SCHEDULER = "scraper.shared.Scheduler"
# Scrapy's duplicate filter with its fingerprints packed (~21 bytes a URL instead of ~100): the
# same requests dropped, a long crawl's memory no longer growing by a Python object per URL.
DUPEFILTER_CLASS = "scraper.dupefilter.CompactDupeFilter"
REDIS_URL: str | None = None
# Names this worker's Parquet parts, WARC files and manifest (default <host>-<pid>).
WORKER_ID: str | None = None
# "set" (scrapy-redis: exact, ~100 bytes a URL) or "bloom" (a fixed bitmap, for very large crawls:
# BLOOMFILTER_ERROR_RATE of new URLs wrongly taken as seen, up to BLOOMFILTER_CAPACITY URLs).
SHARED_DUPEFILTER = "set"
BLOOMFILTER_CAPACITY = 10_000_000
BLOOMFILTER_ERROR_RATE = 1e-6
# A worker whose heartbeat is older than this is taken for dead: its requests are queued again.
SHARED_WORKER_TIMEOUT = 60.0
# An idle worker looks at the shared queue this often (s): for links other workers find, and for
# the end of the crawl.
SHARED_IDLE_POLL = 0.5

# Scrapy starts CONCURRENT_ITEMS tasks (default 100) for every callback, to run the pipelines of
# its items in parallel; ours are synchronous and a callback yields one or two things, so those
# tasks only cost time (~9 % of a crawl's CPU at 100). One runs them in order, as before; a
# sitemap's thousands of links then enter the queue as the crawl goes rather than all at once,
# so the memory queue stays short (same pages fetched, in another order).
CONCURRENT_ITEMS = 1

# Scrapy reads a callback's source (inspect, ast) on every response to warn about a generator
# that returns a value: ~3 % of a crawl's CPU, its cache keyed by bound methods that die at once.
# tests/test_spider_callbacks.py runs the same check once over the spiders' callbacks instead.
WARN_ON_GENERATOR_RETURN_VALUE = False

ITEM_PIPELINES = {
    "pipelines.validation.ThreadValidationPipeline": 100,
    "pipelines.parquet.ParquetDatasetPipeline": 800,
}

# Where datasets go (``-a out=DIR`` on the blog spider overrides it per crawl).
DATASET_ROOT = "datasets"
PARQUET_ROW_GROUP_SIZE = 1000
PARQUET_FILE_ROWS = 100_000
PARQUET_COMPRESSION = "zstd"

# Ask the WordPress REST API for true reply targets and missing author bios.
WORDPRESS_REST_API = True

# Fetch the thread from the page's comment system (Disqus, a Blogger feed, Isso, giscus ...;
# scraper/commentsystems/). Systems from other packages: COMMENT_SYSTEM_PACKAGES.
COMMENT_SYSTEMS_ENABLED = True
COMMENT_SYSTEM_PACKAGES: list[str] = []
# Requests to one article's comment system at most (pages of its thread): 100,000 comments at
# 100 a page; past it the thread is marked incomplete.
COMMENT_SYSTEM_MAX_REQUESTS = 1000
# Disqus serves a thread's first page without a key; every page needs the public key of a
# registered Disqus API application.
DISQUS_API_KEY: str | None = None

# Packages of site extractors besides scraper.extractors.sites (see CONTRIBUTING.md).
EXTRACTOR_PACKAGES: list[str] = []

# One crawl at a time in a crawl folder and a JOBDIR (scraper/lock.py), first of all extensions
# (Scrapy's own SpiderState creates JOBDIR: an unwritable one gets our one-line error).
# A worker of a shared crawl joins it (Redis, its name) next, before the engine is built.
# Progress (scraper/progress.py) in place of Scrapy's LogStats: a live line on a terminal, else
# one log line every PROGRESS_INTERVAL seconds (0: none).
EXTENSIONS = {"scraper.lock.CrawlLock": -1, "scraper.shared.Membership": 0,
              "scrapy.extensions.logstats.LogStats": None,
              "scraper.progress.Progress": 500, "scraper.contact.ContactCheck": 510,
              "scraper.wacz_extension.WaczOnClose": 600, "scraper.memory.AllocatorTrim": 700}
PROGRESS_INTERVAL = 30.0
# glibc's malloc (scraper/memory.py): blocks this large or larger get mappings of their own,
# returned when freed (glibc's own threshold climbs to the largest block freed, up to 32 MiB,
# and the heap then keeps what a crawl's large pages once needed); free heap pages are given
# back every MEMORY_TRIM_INTERVAL seconds and after each Parquet commit. 0: glibc's defaults.
MALLOC_MMAP_THRESHOLD = 256 * 1024
MEMORY_TRIM_INTERVAL = 10.0
# Pack the crawl folder into <crawl id>.wacz when the crawl ends (scrapy pack does it later).
WACZ = False

LOG_LEVEL = "INFO"
# Scrapy's stats go into crawl.json ("stats"); the end of a crawl prints its summary instead.
STATS_DUMP = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
