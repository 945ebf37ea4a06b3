"""``scrapy export <crawl folder or dataset root> -o OUTDIR [--format jsonl|csv]``: the latest
rows of every table (``open_dataset``) as one JSON Lines and/or CSV file per table, for tools
that read neither Parquet nor DuckDB.

Each file is written under a hidden temp name and renamed when complete. In CSV, a null is an
empty cell and a list or struct column (``tags``, ``categories``) is its JSON; timestamps are
ISO 8601 in both formats."""
from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from pipelines.parquet import durable_replace


FORMATS = ("jsonl", "csv")


def _json_default(value: object) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def write_table(relation, path: Path, fmt: str) -> int:
    """Write ``relation``'s rows to ``path`` (a temp file renamed); the number of rows."""
    temp = path.with_name(f".{path.name}.tmp")
    reader = relation.to_arrow_reader() if hasattr(relation, "to_arrow_reader") else relation.fetch_record_batch()
    rows = 0
    try:
        with temp.open("w", encoding="utf-8", newline="") as f:
            writer = None
            if fmt == "csv":
                writer = csv.writer(f)
                writer.writerow(relation.columns)
            for batch in reader:
                for row in batch.to_pylist():
                    if writer is None:
                        f.write(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n")
                    else:
                        writer.writerow([_cell(row[name]) for name in relation.columns])
                    rows += 1
        durable_replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return rows


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "<crawl folder or dataset root> -o OUTDIR [--format jsonl|csv]"

    def short_desc(self) -> str:
        return "Write the latest rows of every table as JSON Lines or CSV files"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="OUTDIR", help="the folder to write <table>.<format> into")
        parser.add_argument("--format", action="append", metavar="FORMAT",
                            help="jsonl (default) or csv; give it twice (or jsonl,csv) for both")

    def run(self, args: list[str], opts) -> None:
        if len(args) != 1 or not opts.output:
            raise UsageError("name one crawl folder or dataset root and -o OUTDIR", print_help=True)
        formats = [f.strip() for given in (opts.format or ["jsonl"]) for f in given.split(",") if f.strip()]
        unknown = sorted(set(formats) - set(FORMATS))
        if unknown:
            raise UsageError(f"unknown format {', '.join(unknown)}: use jsonl or csv", print_help=False)
        from ..dataset import open_dataset  # here: a rebuild's start-up imports every command module
        try:
            dataset = open_dataset(args[0])
        except FileNotFoundError as exc:
            sys.stderr.write(f"{exc}\n")
            self.exitcode = 1
            return
        for folder in dataset.without_manifest:
            sys.stderr.write(f"{folder}: left out, no crawl.json (a crawl that is running or was killed)\n")
        out = Path(opts.output)
        out.mkdir(parents=True, exist_ok=True)
        with dataset:
            for table in dataset.tables:
                for fmt in dict.fromkeys(formats):
                    path = out / f"{table}.{fmt}"
                    rows = write_table(dataset.relation(table), path, fmt)
                    print(f"{path}: {rows} rows")
