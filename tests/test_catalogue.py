"""costlib.catalogue: the dated catalogues (accelerators, GPU rental prices, API prices), one loader.

Figures are the packaged catalogue's rows (costlib/data/accelerators_2026-11.csv and its
sources); the tests of a user's own file write it here. Moved here from tests/test_errors.py
(a user's catalogue, a bad file) and tests/test_fast_path.py (read once, reread on change).
"""

import csv
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import costlib
from costlib import catalogue
from costlib.errors import CatalogueError, InputTypeError, UnknownNameError

HEADER = ("name,aliases,vendor,peak_tflops_bf16,peak_tflops_fp16,peak_tflops_fp8,peak_tflops_tf32,hbm_gb,"
          "bandwidth_tb_per_s,board_power_w,as_of,source\n")


def test_the_newest_packaged_file_is_loaded_with_its_date():
    cat = catalogue.load("accelerators")
    assert cat.kind == "accelerators" and cat.as_of == "2026-11"  # costlib/data/accelerators_2026-11.csv
    assert "H100" in cat.names and cat.names == sorted(cat.names)


def test_an_unknown_kind_is_refused_listing_the_kinds():
    with pytest.raises(UnknownNameError, match="kind must be one of accelerators, gpu_prices, api_prices, got 'gpus'"):
        catalogue.load("gpus")


@pytest.mark.parametrize("typed", ["H100", "h100", "H-100", " H100 SXM5 ", "h100_sxm"])
def test_a_name_is_found_without_regard_to_case_spaces_hyphens_or_by_alias(typed):
    assert catalogue.load("accelerators").find(typed, "gpu")[0]["name"] == "H100"


def test_an_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownNameError, match=r"gpu must be a name in the accelerators catalogue \(2026-11\), got "
                                              r"'H10'; closest: H100") as caught:
        catalogue.load("accelerators").find("H10", "gpu")
    assert caught.value.argument == "gpu"


@pytest.mark.parametrize("name", ["", "  ", None, 3])
def test_a_name_must_be_text(name):
    with pytest.raises(InputTypeError, match="gpu must be a name from the accelerators catalogue"):
        catalogue.load("accelerators").find(name, "gpu")


def test_gpu_spec_fields_and_short_forms():
    # H100 SXM5 dense: BF16 989.4 TFLOP/s, 3.35 TB/s, 80 GB, 700 W (the catalogue row's sources)
    assert catalogue.gpu_spec("H100", "tflops") == catalogue.gpu_spec("H100", "peak_tflops_bf16") == 989.4
    assert catalogue.gpu_spec("H100", "bandwidth") == 3.35
    assert catalogue.gpu_spec("H100", "memory") == 80
    assert catalogue.gpu_spec("H100", "power") == 700
    assert catalogue.gpu_spec("H100", "as_of") == "2026-11"


def test_gpu_spec_of_many_names_keeps_their_shape_and_index():
    assert catalogue.gpu_spec(["H100", "A100 80GB", "H100"], "bandwidth").tolist() == [3.35, 2.039, 3.35]
    s = catalogue.gpu_spec(pd.Series(["H100", "A100"], index=["a", "b"]), "memory")
    assert list(s.index) == ["a", "b"] and s.tolist() == [80, 80]


def test_a_field_a_row_leaves_empty_is_named(tmp_path):
    path = tmp_path / "accelerators.csv"
    path.write_text(HEADER + "Quiet,,v,100,100,,,80,2,,2030-01,a datasheet without its power\n")  # board_power_w empty
    with catalogue.use("accelerators", path):
        with pytest.raises(UnknownNameError, match="field board_power_w is not given for Quiet"):
            catalogue.gpu_spec("Quiet", "power")


def test_peak_flops_by_name_or_as_a_number():
    assert catalogue.peak_flops("H100") == 989.4e12               # TFLOP/s x 1e12
    assert catalogue.peak_flops("H100", "fp8") == 1978.9e12
    assert catalogue.peak_flops(500.0) == 500e12                   # a number is the peak itself [TFLOP/s]
    assert catalogue.peak_flops(np.array([100.0, 200.0])).tolist() == [100e12, 200e12]


def test_peak_flops_of_a_precision_the_row_lacks_is_named():
    with pytest.raises(UnknownNameError, match="gpu A100 80GB has no fp8 peak"):
        catalogue.peak_flops("A100", "fp8")  # the A100 has no FP8 (its datasheet)
    with pytest.raises(UnknownNameError, match="precision must be one of bf16, fp16, fp8, tf32, got 'fp4'"):
        catalogue.peak_flops("H100", "fp4")


def test_number_like_text_is_refused_rather_than_guessed():
    with pytest.raises(InputTypeError, match="gpu must be a catalogue name or a number, got text '989'"):
        catalogue.peak_flops("989")


def test_gpu_price_is_the_median_of_the_quotes():
    cat = catalogue.load("gpu_prices")
    quotes = sorted(r["price_per_gpu_hour"] for r in cat.rows if r["gpu"] == "H100" and r["tier"] == "on_demand")
    n = len(quotes)
    median = quotes[n // 2] if n % 2 else (quotes[n // 2 - 1] + quotes[n // 2]) / 2  # by hand
    assert catalogue.gpu_price("H100") == median
    assert catalogue.gpu_price("h100", "On-Demand") == median  # the tier as people write it


def test_gpu_price_of_an_unknown_tier_lists_the_tiers():
    with pytest.raises(UnknownNameError, match="tier must be one of reserved, on_demand, spot, 1_year, 3_year"):
        catalogue.gpu_price("H100", "weekly")


@pytest.mark.parametrize("row,fragment", [
    ("X,,v,-1,1,1,1,1,1,1,2030-01,s", "peak_tflops_bf16 must be a finite number > 0, got '-1'"),
    ("X,,v,0,1,1,1,1,1,1,2030-01,s", "peak_tflops_bf16 must be a finite number > 0, got '0'"),
    ("X,,v,many,1,1,1,1,1,1,2030-01,s", "peak_tflops_bf16 must be a number, got 'many'"),
    (",,v,1,1,1,1,1,1,1,2030-01,s", "name must name the row, got an empty cell"),
    ("X,,v,1,1,1,1,1,1,1,2030-01,s\nx,,v,1,1,1,1,1,1,1,2030-01,s", "name 'x' is the name of line 2"),
    ("X,Y,v,1,1,1,1,1,1,1,2030-01,s\nY,,v,1,1,1,1,1,1,1,2030-01,s", "the alias 'Y' is the name of line 3"),
])
def test_a_bad_row_is_refused_naming_its_line(tmp_path, row, fragment):
    path = tmp_path / "accelerators_2030-01.csv"
    path.write_text(HEADER + row + "\n")
    with pytest.raises(CatalogueError, match="line [23]") as caught:
        catalogue.load("accelerators", path)
    assert fragment in str(caught.value)


def test_a_file_that_is_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "accelerators_2030-01.csv"
    path.write_bytes((HEADER + "Café,,v,1,1,1,1,1,1,1,2030-01,s\n").encode("latin-1"))
    with pytest.raises(CatalogueError, match="not UTF-8 text \\(byte 0xe9"):
        catalogue.load("accelerators", path)


def test_a_file_without_a_date_in_its_name_is_as_of_unknown(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(HEADER + "X,,v,1,1,1,1,1,1,1,2030-01,s\n")
    assert catalogue.load("accelerators", path).as_of == "unknown"


def test_user_catalogue(tmp_path):
    own = tmp_path / "accelerators_2030-01.csv"
    own.write_text("name,aliases,vendor,peak_tflops_bf16,peak_tflops_fp16,peak_tflops_fp8,peak_tflops_tf32,"
                   "hbm_gb,bandwidth_tb_per_s,board_power_w,as_of,source\n"
                   "FutureGPU,,ACME,4000,4000,8000,2000,288,16,1200,2030-01,a made-up row for this test\n")
    with catalogue.use("accelerators", own) as cat:
        assert cat.as_of == "2030-01"
        assert costlib.train_gpu_hours(70e9, 15e12, "FutureGPU", 0.4) == pytest.approx(
            costlib.train_gpu_hours(70e9, 15e12, 4000, 0.4))
    with pytest.raises(costlib.UnknownNameError):
        costlib.gpu_spec("FutureGPU", "tflops")  # back to the packaged catalogue after the block


def test_bad_catalogue_file(tmp_path):
    bad = tmp_path / "accelerators_2030-01.csv"
    bad.write_text("name,source\nX,y\n")
    with pytest.raises(costlib.CatalogueError, match="must have the columns peak_tflops_bf16"):
        catalogue.load("accelerators", bad)


def _write(path: Path, peak: float) -> None:
    """The packaged accelerators catalogue with the H100's BF16 peak set to ``peak`` [TFLOP/s]."""
    with open(catalogue.load("accelerators").path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["name"] == "H100":
            row["peak_tflops_bf16"] = repr(peak)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_catalogue_is_read_once_and_reread_when_its_file_changes(tmp_path, monkeypatch):
    reads = []
    real_read = catalogue._read
    monkeypatch.setattr(catalogue, "_read", lambda *a: reads.append(a[0]) or real_read(*a))
    path = tmp_path / "accelerators_2030-01.csv"
    _write(path, 1000.0)
    one_hour = 3.6e18  # FLOP: one hour at 1000 TFLOP/s
    with catalogue.use("accelerators", path):
        for _ in range(100):
            assert costlib.compute_gpu_hours(one_hour, gpu="H100", mfu=1.0) == 1.0
        assert len(reads) == 1  # a hundred calls, one read
        _write(path, 2000.5)  # another size, so the change shows even within one mtime tick
        time.sleep(catalogue._RECHECK_S + 0.05)  # a file in use is checked every _RECHECK_S seconds
        assert costlib.compute_gpu_hours(one_hour, gpu="H100", mfu=1.0) == pytest.approx(1 / 2.0005)
        assert len(reads) == 2
        assert catalogue.load("accelerators", path) is catalogue.load("accelerators")
        assert len(reads) == 2  # unchanged since: not read again
    # the block is over: the packaged catalogue is back
    assert costlib.compute_gpu_hours(one_hour, gpu="H100", mfu=1.0) == pytest.approx(1000 / 989.4)


def test_use_swaps_the_catalogue_at_once(tmp_path):
    path = tmp_path / "accelerators_2030-02.csv"
    _write(path, 1000.0)
    before = costlib.compute_gpu_hours(3.6e18, gpu="H100", mfu=1.0)
    with catalogue.use("accelerators", path):
        assert costlib.compute_gpu_hours(3.6e18, gpu="H100", mfu=1.0) == 1.0
    assert costlib.compute_gpu_hours(3.6e18, gpu="H100", mfu=1.0) == before


def test_packaged_files_are_listed_once(monkeypatch):
    catalogue.load("accelerators"), catalogue.load("gpu_prices")
    calls = []
    real = catalogue.resources.files
    monkeypatch.setattr(catalogue.resources, "files", lambda *a: calls.append(a) or real(*a))
    monkeypatch.setattr(catalogue, "_RECHECK_S", 0.0)  # every call checks its file: still no listing
    for _ in range(10):
        costlib.train_cost(70e9, 15e12, 2.0)
        catalogue.load("gpu_prices")
    assert calls == []


def test_a_name_is_a_dict_lookup():
    cat = catalogue.load("accelerators")
    costlib.train_cost(70e9, 15e12, 2.0, gpu=" H-100 ")
    assert cat.find(" H-100 ", "gpu") is cat.find("H100", "gpu")
    assert " H-100 " in cat._found
    # the figure is remembered per name and precision: the next call reads no row
    catalogue.peak_flops("H100")
    assert cat._found[("H100", "bf16")] == 989.4e12  # dense BF16 peak, [NVIDIA2022] (1,979 with sparsity)
