"""The Whoosh engine: one searcher shared by all requests, replaced when the index changes."""

import threading
from pathlib import Path

from .arrays import SegmentArrays
from .build import indexer
from .searcher import WhooshReader
from ...errors import IndexMissing, IndexOutdated
from ...settings import Place
from .store import IndexDir, read_meta


class WhooshEngine:
    name = "whoosh"

    def __init__(self, root: Path | str):
        self.index_dir = IndexDir(root)
        self.location = str(self.index_dir.root)
        self.place = Place(folder=self.index_dir.root)
        self._lock = threading.Lock()
        self._state = None  # (generation name, WhooshReader)

    def exists(self) -> bool:
        return self.index_dir.exists()

    def reader(self) -> WhooshReader:
        with self._lock:
            name = self.index_dir.current_name()
            state = self._state
            if state is None or state[0] != name or not state[1].searcher.up_to_date():
                # A fresh searcher, never Searcher.refresh(): Whoosh's reader reuse brings back
                # segments merged away and keeps old deletions (a live server showed removed
                # paragraphs), and closes readers that requests may still be reading.
                for _ in range(5):
                    searcher = self.index_dir.open().searcher()
                    arrays = SegmentArrays(searcher)
                    # A commit between opening the segments and their side files may have merged one
                    # away: open again.
                    if arrays.complete() or searcher.up_to_date():
                        break
                state = (name, WhooshReader(searcher, arrays))
            # The previous searcher is not closed here: a request may still be reading it.
            self._state = state
            return state[1]

    def meta(self) -> dict:
        """What the live generation's last commit recorded ({} without one): the stored configuration."""
        try:
            return read_meta(self.index_dir.open_raw())
        except (IndexMissing, IndexOutdated):
            return {}

    def indexer(self, rebuild: bool = False, wait: float = 0.0):
        return indexer(self.index_dir, rebuild, wait)
