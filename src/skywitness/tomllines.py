"""Line numbers of keys in a TOML text, for error messages (``tomllib`` keeps no positions)."""

from __future__ import annotations

import re


class KeyLines:
    """Finds the line of a key in the TOML text (tomllib keeps no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        # (first line index, table name) of each [[array-table]] / [table] header
        self.sections: list[tuple[int, str]] = []
        for i, line in enumerate(self.lines):
            m = re.match(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?", line)
            if m:
                self.sections.append((i, m.group(1)))

    def _span(self, table: str | None, index: int) -> tuple[int, int]:
        if table is None:
            end = self.sections[0][0] if self.sections else len(self.lines)
            return 0, end
        starts = [i for i, name in self.sections if name == table]
        if index >= len(starts):
            return 0, len(self.lines)
        begin = starts[index]
        later = [i for i, _ in self.sections if i > begin]
        return begin, later[0] if later else len(self.lines)

    def line(self, table: str | None, index: int, key: str, nth: int = 0) -> int:
        """1-based line of the ``nth`` ``key =`` in that section, else of the section header."""
        begin, end = self._span(table, index)
        pattern = re.compile(rf"(^|[{{,\s]){re.escape(key)}\s*=")
        seen = 0
        for i in range(begin, end):
            if pattern.search(self.lines[i]):
                if seen == nth:
                    return i + 1
                seen += 1
        return begin + 1
