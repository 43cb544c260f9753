"""costlib.workbook.files: reproducible bytes, and writes that leave no half-written file."""

import io
import zipfile

import pytest
from rendered import default_bytes

from costlib.workbook import files, render


def test_same_inputs_same_bytes():
    # the budget: its Ranges sheet's draws are seeded, so they are the same bytes too
    assert render("budget", {"months": 12}) == render("budget", {"months": 12}) != default_bytes("budget")


def test_zip_entries_have_fixed_dates():
    with zipfile.ZipFile(io.BytesIO(default_bytes("unit-economics"))) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    out = tmp_path / "budget.xlsx"

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError):
        files.write_workbook(default_bytes("unit-economics"), out)
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary file
