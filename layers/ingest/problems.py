"""What an import says about a file: every problem, where, in Indonesian and English.

A :class:`Problem` names the row (as the user counts it: the header is row 1, the first
data row is row 2, like Excel), the column, the value seen and what was expected. An
:class:`ImportReport` collects them with the counts; :class:`Rejected` carries a report
out of a file-level failure (empty file, truncated zip, missing CRS…).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from layers.ingest import wording
from layers.text import Text

#: the first data row as a user counts rows (row 1 is the header)
FIRST_DATA_ROW = 2
#: at most this many problems are kept per report; the count says how many there were
MAX_PROBLEMS = 1000
#: where a problem is, and the keys of its dict (``baris``/``row``…: the JSON in lang)
ROW, COLUMN, VALUE, MESSAGE = (Text("baris", "row"), Text("kolom", "column"),
                               Text("nilai", "value"), Text("pesan", "message"))  # fmt: skip
ROWS_VALID = Text("{ok}/{total} baris valid", "{ok}/{total} rows valid")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    message: Text
    row: int | None = None
    column: str | None = None
    value: Any = None
    code: str = "invalid"

    def to_dict(self, lang: str = "id") -> dict[str, Any]:
        return {
            ROW(lang): self.row,
            COLUMN(lang): self.column,
            VALUE(lang): _jsonable(self.value),
            "kode": self.code,
            MESSAGE(lang): self.message(lang),
        }

    def line(self, lang: str = "id") -> str:
        """A one-line rendering: ``baris 7, kolom kasus, nilai '-3': …``."""
        where = []
        if self.row is not None:
            where.append(f"{ROW(lang)} {self.row}")
        if self.column is not None:
            where.append(f"{COLUMN(lang)} {self.column}")
        if self.value is not None:
            where.append(f"{VALUE(lang)} {self.value!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message(lang)}" if prefix else self.message(lang)


@dataclass
class ImportReport:
    """The outcome of one import (or of a dry run)."""

    jenis: str
    file: str
    sha256: str = ""
    rows_total: int = 0
    rows_ok: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    mapped_columns: dict[str, str] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    notes: list[Text] = field(default_factory=list)
    status: str = "baru"
    impor_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def rows_rejected(self) -> int:
        return self.rows_total - self.rows_ok

    def add(self, problems: list[Problem]) -> None:
        self.problem_count += len(problems)
        room = MAX_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    def to_dict(self, lang: str = "id") -> dict[str, Any]:
        return {
            "jenis": self.jenis,
            "file": self.file,
            "sha256": self.sha256,
            "status": self.status,
            "impor_id": self.impor_id,
            "rows_total": self.rows_total,
            "rows_ok": self.rows_ok,
            "rows_rejected": self.rows_rejected,
            "written": dict(self.written),
            "mapped_columns": dict(self.mapped_columns),
            "notes": [n(lang) for n in self.notes],
            "problem_count": self.problem_count,
            "problems": [p.to_dict(lang) for p in self.problems],
        }

    def text(self, lang: str = "id") -> str:
        """A human-readable report for the command line (statuses and counts in words)."""
        valid = ROWS_VALID(lang).format(ok=self.rows_ok, total=self.rows_total)
        lines = [f"{self.file}: {wording.status(self.status, lang)}, {valid}"]
        for src, dst in self.mapped_columns.items():
            lines.append(f"  {src!r} -> {dst}")
        lines += [f"  {n(lang)}" for n in self.notes]
        if self.written:
            lines.append("  " + wording.written(self.written, lang))
        lines += [f"  - {p.line(lang)}" for p in self.problems]
        hidden = self.problem_count - len(self.problems)
        if hidden > 0:
            lines.append(f"  … +{hidden}")
        return "\n".join(lines)


class Rejected(Exception):
    """A file that cannot be imported at all; carries the problems that say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.line("en") for p in problems))
        self.problems = problems


def reject(message_id: str, message_en: str, code: str = "file", **where: Any) -> Rejected:
    """Shorthand for a single-problem :class:`Rejected`."""
    return Rejected([Problem(Text(message_id, message_en), code=code, **where)])


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
