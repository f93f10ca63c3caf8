"""Reading a results file in the format of Moodle's quiz statistics test fixtures:
`quizattempt, slots.1.mark, …, slots.N.mark, summarks`, one row per attempt."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from soal.errors import SoalError

SLOT_COLUMN = re.compile(r"^slots\.(\d+)\.mark$")
# Moodle stores an attempt's sum of marks to 5 decimals and each mark to 7; a larger difference
# between `summarks` and the marks means the file does not hold what it claims.
SUM_TOLERANCE = 1e-4


@dataclass(frozen=True)
class ResultsTable:
    slots: tuple[int, ...]
    marks: NDArray[np.float64]  # attempts × slots


def results_parse(*, text: str, max_mark: float) -> ResultsTable:
    """Parse and check the whole file; SoalError (Indonesian) on the first thing that is wrong."""
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip() for cell in next(reader, [])]
    if not header or header == [""]:
        raise SoalError(_("Berkas kosong: baris judul kolom tidak ada."))
    if len(set(header)) != len(header):
        raise SoalError(_("Ada nama kolom yang muncul dua kali."))
    missing = [name for name in ("quizattempt", "summarks") if name not in header]
    slot_positions = {
        int(match.group(1)): i
        for i, name in enumerate(header)
        if (match := SLOT_COLUMN.match(name))
    }
    if not slot_positions:
        missing.append("slots.N.mark")
    if missing:
        raise SoalError(_("Kolom wajib tidak ada: %(columns)s.") % {"columns": ", ".join(missing)})
    slots = tuple(sorted(slot_positions))
    attempt_at, sum_at = header.index("quizattempt"), header.index("summarks")

    rows: list[list[float]] = []
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise SoalError(
                _("Baris %(line)s berisi %(got)s kolom, seharusnya %(want)s.")
                % {"line": line, "got": len(record), "want": len(header)}
            )
        if not record[attempt_at].strip():
            raise SoalError(_("Baris %(line)s: kolom quizattempt kosong.") % {"line": line})
        marks = [_number(record[slot_positions[s]], line, header[slot_positions[s]]) for s in slots]
        for slot, mark in zip(slots, marks, strict=True):
            if not 0 <= mark <= max_mark:
                raise SoalError(
                    _(
                        "Baris %(line)s, soal %(slot)s: nilai %(mark)s di luar rentang 0 sampai "
                        "%(max)s (atur --max-mark bila nilai maksimum per soal bukan %(max)s)."
                    )
                    % {"line": line, "slot": slot, "mark": mark, "max": max_mark}
                )
        total = _number(record[sum_at], line, "summarks")
        if abs(total - math.fsum(marks)) > SUM_TOLERANCE:
            raise SoalError(
                _("Baris %(line)s: summarks %(total)s tidak sama dengan jumlah nilai soal %(sum)s.")
                % {"line": line, "total": total, "sum": round(math.fsum(marks), 7)}
            )
        rows.append(marks)
    if not rows:
        raise SoalError(_("Berkas tidak berisi satu pun percobaan."))
    return ResultsTable(slots=slots, marks=np.array(rows, dtype=np.float64))


def _number(cell: str, line: int, column: str) -> float:
    try:
        value = float(cell.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise SoalError(
            _("Baris %(line)s, kolom %(column)s: '%(value)s' bukan angka.")
            % {"line": line, "column": column, "value": cell}
        )
    return value
