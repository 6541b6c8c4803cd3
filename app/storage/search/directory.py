"""Where the index lives on disk: generations, the current one, and the change-log position it has reached.

    <root>/CURRENT          name of the generation readers use
    <root>/g<N>/            a tantivy index
    <root>/g<N>/checkpoint  the last change-log seq whose changes are committed in that index, and when that
                            change was logged (an index left from a database since re-created is rebuilt)
    <root>/g<N>/format      the schema format it was built with (one of another format is rebuilt, not opened)
    <root>/g<N>/common.json its common words (search/pairs.py), fixed for the generation's life

The checkpoint file is written after the index commit it describes, so an index always holds at least what
its checkpoint says; replaying a change twice is harmless (a change re-reads the article's current row).
A rebuild fills a new generation beside the live one and switches CURRENT when it has caught up, so searches
never see a half-built index. Only one process at a time may write a generation (tantivy's lock file).
"""

import os
import shutil
from pathlib import Path

import tantivy

from app.storage.search.pairs import CommonWords
from app.storage.search.schema import ANALYZER, FORMAT, PAIR_ANALYZER, PAIR_TOKENIZER, SCHEMA, TEXT_TOKENIZER

_CURRENT = "CURRENT"
_CHECKPOINT = "checkpoint"
_FORMAT = "format"
_COMMON = "common.json"
_KEEP_OLD = 1  # generations kept behind the current one: a reader in another process may still be on it


class IndexDirectory:
    def __init__(self, root: Path) -> None:
        self.root = root

    def current(self) -> str | None:
        """The current generation's name; None before the first build or while it is of another format."""
        try:
            name = (self.root / _CURRENT).read_text().strip() or None
            return name if name and (self.root / name / _FORMAT).read_text().strip() == str(FORMAT) else None
        except FileNotFoundError:
            return None

    def open(self, generation: str) -> tantivy.Index:
        index = tantivy.Index(SCHEMA, path=str(self.root / generation), reuse=True)
        index.register_tokenizer(TEXT_TOKENIZER, ANALYZER)
        index.register_tokenizer(PAIR_TOKENIZER, PAIR_ANALYZER)
        return index

    def new_generation(self, words: CommonWords) -> str:
        """An empty directory for a new generation with these common words, numbered after every existing one."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[1:]) for p in self.root.glob("g*") if p.name[1:].isdigit()]
        name = f"g{max(numbers, default=0) + 1}"
        (self.root / name).mkdir()
        words.save(self.root / name / _COMMON)
        _write_atomically(self.root / name / _FORMAT, str(FORMAT))
        return name

    def common_words(self, generation: str) -> CommonWords:
        return CommonWords.load(self.root / generation / _COMMON)

    def checkpoint(self, generation: str) -> int | None:
        mark = self.checkpoint_mark(generation)
        return None if mark is None else mark[0]

    def checkpoint_mark(self, generation: str) -> tuple[int, str] | None:
        """(seq, when that change was logged): the time tells this database's log from another one's."""
        try:
            seq, _, logged = (self.root / generation / _CHECKPOINT).read_text().partition(" ")
            return int(seq), logged.strip()
        except (FileNotFoundError, ValueError):
            return None

    def save_checkpoint(self, generation: str, seq: int, logged: str = "") -> None:
        _write_atomically(self.root / generation / _CHECKPOINT, f"{seq} {logged}".strip())

    def make_current(self, generation: str) -> None:
        """Point readers at `generation` and remove generations older than the ones kept."""
        _write_atomically(self.root / _CURRENT, generation)
        number = int(generation[1:])
        for path in self.root.glob("g*"):
            if path.name[1:].isdigit() and int(path.name[1:]) < number - _KEEP_OLD:
                shutil.rmtree(path, ignore_errors=True)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
