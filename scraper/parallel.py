"""``scrapy reextract -a processes=N`` and ``-a scheduler=tcp://HOST:PORT``: a rebuild split into
one task per WARC file, run on N local processes or on a Dask distributed cluster.

The files are indexed once (each file by a task of its own, the parts combined here) and the
index saved for the tasks to load. A task runs the ``blog-entries`` spider
(``scraper/spiders/entries.py``, which says why its rows are the single-process rebuild's) in a
process of its own, since a Twisted reactor runs once per process, into a hidden dataset folder
of its own under the crawl folder (``.tasks/``); ``pipelines/merge.py`` then merges those into
the crawl folder and writes one ``crawl.json``. A task that dies is listed there, never dropped.

On a cluster the tasks read the WARC files and write the crawl folder where the command sees
them: both must be on a file system every worker mounts at the same path, and the workers need
this project installed.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from pipelines.merge import TaskOutput, merge

from .commands.reextract import file_info
from .lock import FolderLock
from .middlewares import Held, WarcIndex, index_file
from .outcome import CrawlSetupError, exit_code
from .seeds import read_seeds, seed

if TYPE_CHECKING:
    from scrapy.settings import Settings

log = logging.getLogger(__name__)

WORK_FOLDER = ".tasks"  # in the crawl folder, hidden: no reader globs it
LOG_TAIL = 2000  # characters of a failed task's log kept in crawl.json


@dataclass(frozen=True)
class Task:
    warc: str  # the file whose answers are the task's entry points
    folder: str  # its own dataset root
    spec: str  # its settings and spider arguments (JSON)


@dataclass(frozen=True)
class TaskResult:
    warc: str
    folder: str
    returncode: int | None  # None: the task never ran to an exit (a worker lost, an exception)
    error: str | None = None  # why it failed, when it did

    @property
    def ok(self) -> bool:
        return self.error is None


def run_task(task: Task) -> TaskResult:
    """Run one task in a process of its own; its log goes to ``<folder>/task.log``."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "scraper.settings"}
    folder = Path(task.folder)
    with open(folder / "task.log", "wb") as logfile:
        proc = subprocess.run([sys.executable, "-m", "scraper.parallel", task.spec], env=env,
                              stdin=subprocess.DEVNULL, stdout=logfile, stderr=subprocess.STDOUT)
    if proc.returncode < 0:
        return TaskResult(task.warc, task.folder, proc.returncode,
                          f"killed by signal {-proc.returncode}: {_tail(folder)}")
    if not any(folder.glob("*/crawl.json")):  # it says how it ended, or it did not end
        return TaskResult(task.warc, task.folder, proc.returncode,
                          f"exit code {proc.returncode} without a crawl.json: {_tail(folder)}")
    return TaskResult(task.warc, task.folder, proc.returncode)


def _tail(folder: Path) -> str:
    try:
        text = (folder / "task.log").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "no log"
    return text[-LOG_TAIL:].strip() or "no log"


class Runner:
    """Maps a picklable function over items on local processes or a Dask cluster; each result
    or the error that replaced it, in the items' order."""

    def __init__(self, processes: int = 1, scheduler: str | None = None) -> None:
        self.processes, self.scheduler = processes, scheduler
        self._client = None
        if scheduler:
            from distributed import Client  # an optional extra: pip install -e '.[cluster]'
            self._client = Client(scheduler, timeout="30s")

    @property
    def workers(self) -> int:
        if self._client is not None:
            return max(1, len(self._client.scheduler_info().get("workers", {})))
        return self.processes

    def map(self, fn: Callable[[Any], Any], items: list, in_processes: bool) -> list[Any | BaseException]:
        if self._client is not None:
            futures = self._client.map(fn, items, pure=False)
            return [_result(f.result) for f in futures]
        # A task runs in a child process already: threads start them; indexing needs processes.
        pool: Executor = (ProcessPoolExecutor if in_processes else ThreadPoolExecutor)(max_workers=self.processes)
        with pool:
            futures = [pool.submit(fn, item) for item in items]
            try:
                return [_result(f.result) for f in futures]
            except KeyboardInterrupt:  # the tasks running stop on their own Ctrl-C; none starts
                pool.shutdown(wait=True, cancel_futures=True)
                raise

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def _result(get: Callable[[], Any]) -> Any | BaseException:
    try:
        return get()
    except Exception as exc:  # noqa: BLE001 - a lost worker or a task's error, reported by the caller
        return exc


def entry_points(held: dict[Path, list[Held]], task_files: list[Path]) -> dict[Path, list[Held]]:
    """The requests each task file starts from, in file order: every request it holds, each in
    one file only (the one with its latest capture, as replay answers it; ties: the later file),
    so no page is read by two tasks unless two URLs lead to it."""
    owner: dict[str, Held] = {}
    for path in task_files:
        for h in held[path]:
            if h.key not in owner or h.date >= owner[h.key].date:
                owner[h.key] = h
    return {path: [h for h in held[path] if owner[h.key] is h] for path in task_files}


def task_files(paths: list[Path], crawl: str) -> list[Path]:
    """The files whose requests are entry points: those of the rebuilt crawl (``isPartOf``), or,
    when several crawls' files are rebuilt as one, the latest crawl's. An earlier crawl's files
    only answer requests (the content behind a re-crawl's 304s), as in a single-process rebuild,
    which reaches no page the latest crawl did not fetch."""
    infos = {p: file_info(p) for p in paths}
    latest: dict[str | None, str] = {}
    for date, info in infos.values():
        latest[info.get("isPartOf")] = max(date, latest.get(info.get("isPartOf"), ""))
    own = crawl if crawl in latest else max(latest, key=lambda c: latest[c])
    return [p for p in paths if infos[p][1].get("isPartOf") == own]


def crawl_seeds(spider_args: dict[str, str]) -> list[str]:
    """The crawl's seed lines, as the spider reads them from its arguments."""
    if spider_args.get("seeds"):
        return [s.as_line() for s in read_seeds(spider_args["seeds"])]
    return [seed(spider_args["url"], spider_args.get("hosts") or "").as_line()]


def plan(paths: list[Path], work: Path, runner: Runner, spider_args: dict[str, str],
         settings: dict[str, Any]) -> list[Task]:
    """Index every file (in parallel), save the index, and write each task's entry points and
    spec under ``work``."""
    indexed = runner.map(index_file, paths, in_processes=True)
    failed = [(p, r) for p, r in zip(paths, indexed) if isinstance(r, BaseException)]
    if failed:
        raise RuntimeError(f"could not index {failed[0][0]}: {failed[0][1]!r}")
    held = dict(zip(paths, indexed))
    index = WarcIndex(paths, [held[p] for p in paths])
    index.save(work / "index.pickle")
    if index.not_modified:
        log.error("%d URL(s) are held only as '304 Not Modified' answers of a re-crawl (e.g. %s): give "
                  "the earlier crawls' WARC files too", len(index.not_modified), index.not_modified[0])
    tasks = []
    for n, (path, entries) in enumerate(entry_points(held, task_files(paths, spider_args["crawl"])).items()):
        folder = work / f"task-{n:05d}"
        folder.mkdir(parents=True)
        (folder / "entries.json").write_text(json.dumps(
            [{"url": h.url, "method": h.method, "body": h.body.decode("latin-1") if h.body is not None else None}
             for h in entries]), encoding="utf-8")
        spec = {"settings": {**settings, "WARC_REPLAY_FILES": [str(p) for p in paths],
                             "WARC_REPLAY_INDEX": str(work / "index.pickle")},
                "spider": {**spider_args, "out": str(folder), "entries": str(folder / "entries.json")}}
        (folder / "task.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
        tasks.append(Task(str(path), str(folder), str(folder / "task.json")))
    return tasks


def run_tasks(runner: Runner, tasks: list[Task]) -> list[TaskResult]:
    results = []
    for task, result in zip(tasks, runner.map(run_task, tasks, in_processes=False)):
        if isinstance(result, BaseException):
            result = TaskResult(task.warc, task.folder, None, f"{type(result).__name__}: {result}")
        log.log(logging.INFO if result.ok else logging.ERROR, "Task for %s: %s", Path(task.warc).name,
                "done" if result.ok else result.error)
        results.append(result)
    return results


def remove_work(work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)


def rebuild(paths: list[Path], spider_args: dict[str, str], task_settings: dict[str, Any], settings: Settings,
            processes: int, scheduler: str | None) -> int:
    """Rebuild the crawl in parallel into ``<out>/<crawl>``; the exit code (``scraper/outcome.py``)."""
    args = dict(spider_args)
    args.setdefault("crawl", _crawl_id(args))
    root = Path(args.pop("out", None) or settings.get("DATASET_ROOT") or "datasets").resolve()
    target = root / args["crawl"]
    lock = FolderLock(target, "crawl folder")
    try:
        lock.acquire()
    except CrawlSetupError as exc:
        return _setup_error(str(exc))
    work = target / WORK_FOLDER
    remove_work(work)  # what a killed rebuild left
    work.mkdir()
    runner: Runner | None = None
    try:
        if args.get("seeds"):  # on the shared file system, for the cluster's workers
            args["seeds"] = str(shutil.copy(args["seeds"], work / "seeds.txt"))
        try:
            runner = Runner(processes, scheduler)
        except ImportError:
            return _setup_error("-a scheduler= needs Dask's client: pip install -e '.[cluster]'")
        except (OSError, TimeoutError) as exc:
            return _setup_error(f"cannot reach the Dask scheduler {scheduler}: {exc}")
        log.info("Re-extracting %d WARC file(s) on %d %s", len(paths), runner.workers,
                 f"worker(s) of {scheduler}" if scheduler else "process(es)")
        results = run_tasks(runner, plan([p.resolve() for p in paths], work, runner, args, task_settings))
        merged = settings.copy()
        lines = crawl_seeds(args)
        merged.setdict({"CRAWL_ID": args["crawl"], "DATASET_ROOT": str(root), "CRAWL_SEEDS": lines,
                        "CRAWL_START_URL": lines[0].split()[0], "PARQUET_COMMIT_INTERVAL": 0}, priority="cmdline")
        manifest = merge(merged, [TaskOutput(r.warc, Path(r.folder) / args["crawl"], r.error) for r in results])
        log.info("Rebuilt %s: %d articles, %d comments, %d pages from %d task(s), %d failed; outcome %s",
                 target, manifest["counts"]["articles"], manifest["counts"]["comments"],
                 manifest["counts"]["pages"], len(results), sum(not r.ok for r in results), manifest["outcome"])
        return manifest["exit_code"]
    except KeyboardInterrupt:
        log.error("Interrupted: nothing of this rebuild is stored; run it again")
        return exit_code("interrupted")
    finally:
        if runner is not None:
            runner.close()
        remove_work(work)
        lock.release()


def _setup_error(message: str) -> int:
    print(f"Error: {message}", file=sys.stderr)
    return exit_code("setup_error")


def _crawl_id(spider_args: dict[str, str]) -> str:
    """The spider's default crawl id, fixed here: every task must write the same one."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name = Path(spider_args["seeds"]).stem if spider_args.get("seeds") else \
        seed(spider_args["url"]).hosts[0].replace(":", "_")
    return f"{name}-{stamp}"


def _child(spec_path: str) -> int:
    """One task, in this process: the ``blog-entries`` spider with the spec's settings, run by
    the loop of ``scraper/warc_loop.py`` (or on Scrapy's engine, as the rebuild chose)."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from . import warc_loop
    from .outcome import run

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    settings = get_project_settings()
    settings.setdict(spec["settings"], priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("blog-entries")
    if warc_loop.engine_needed(settings) is None:
        return warc_loop.run(crawler, **spec["spider"])
    return run(process, crawler, **spec["spider"])


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1]))
