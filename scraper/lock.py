"""One writer per crawl: a crawl holds an exclusive lock on its dataset folder (and on its
JOBDIR) from start to end, so a second crawl with the same ``out`` and crawl id, or the same
JOBDIR, refuses to start instead of writing parts and WARC files beside the first one.

The lock is ``fcntl.flock`` on a hidden ``.lock`` file in the folder. The kernel drops it when
its process ends, however it ends (``kill -9`` included), so a stale lock of a dead crawl is
simply free: the next run takes it over, with no pid to guess about. The file holds the
holder's pid, for the message the second crawl prints, and is removed when the crawl ends.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals

from .outcome import CrawlSetupError
from .workers import worker_id

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

LOCK_FILE = ".lock"


class FolderLock:
    """An exclusive lock on ``folder``, created if missing; ``acquire`` raises
    ``CrawlSetupError`` when another process holds it or the folder cannot be written."""

    def __init__(self, folder: Path, what: str, instead: str = "give this crawl another -a crawl=NAME",
                 lock_file: str = LOCK_FILE) -> None:
        self.folder, self.what, self.instead, self.lock_file = folder, what, instead, lock_file
        self._fd: int | None = None

    @property
    def path(self) -> Path:
        return self.folder / self.lock_file

    def acquire(self) -> None:
        while self._fd is None:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise CrawlSetupError(f"the {self.what} {self.folder} is in use by another crawl (pid {holder}): "
                                      f"wait for it to end, or {self.instead}") from None
            if self._still_linked(fd):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
                self._fd = fd
            else:  # the holder removed it as we opened it: a new file, a new try
                os.close(fd)

    def release(self) -> None:
        if self._fd is not None:
            self.path.unlink(missing_ok=True)  # still held: no one can take the old file meanwhile
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise CrawlSetupError(f"cannot write to the {self.what} {self.folder}: {exc.strerror or exc}; "
                                  "choose a writable folder (-a out=DIR, -s JOBDIR=DIR)") from None

    def _still_linked(self, fd: int) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False


class CrawlLock:
    """Holds ``DATASET_ROOT/CRAWL_ID`` and ``JOBDIR`` while the crawl runs. An extension, so it
    is built before the engine: before the pipelines open parts or the capture middleware
    recovers the WARC files a killed run left open."""

    def __init__(self, locks: list[FolderLock]) -> None:
        self.locks: list[FolderLock] = []
        for lock in locks:
            try:
                lock.acquire()
            except CrawlSetupError:
                self.release()
                raise
            self.locks.append(lock)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLock:
        settings = crawler.settings
        locks = []
        if settings.get("CRAWL_ID"):
            root = Path(settings.get("DATASET_ROOT") or "datasets")
            # Workers of a shared crawl share the folder, each writing files of its own name.
            worker = worker_id(settings)
            locks.append(FolderLock(root / settings["CRAWL_ID"], f"crawl folder (worker {worker})" if worker else
                                    "crawl folder", lock_file=f".lock-{worker}" if worker else LOCK_FILE))
        jobdir = settings.get("JOBDIR")
        # One lock for a JOBDIR that is the crawl folder itself: a second flock would refuse us.
        if jobdir and not any(Path(jobdir).resolve() == lock.folder.resolve() for lock in locks):
            locks.append(FolderLock(Path(jobdir), "job directory", "give this crawl another -s JOBDIR=DIR"))
        ext = cls(locks)
        crawler.signals.connect(ext.release, signal=signals.engine_stopped)
        return ext

    def release(self) -> None:
        for lock in self.locks:
            lock.release()
        self.locks = []
