"""costlib.scenario_table: a DataFrame of scenarios in, a DataFrame of results out."""

from __future__ import annotations

import pandas as pd
import pytest

import costlib
from costlib.errors import InputError, InputTypeError, UnknownNameError

RUNS = pd.DataFrame({"params": [7e9, 70e9], "tokens": [2e12, 15e12], "price_per_gpu_hour": 2.0},
                    index=["small", "large"])


def test_each_row_is_its_function_called_with_that_row():
    out = costlib.scenarios(RUNS, costlib.train_flops, costlib.train_cost, mfu=0.4)
    assert list(out.index) == ["small", "large"] and list(out.columns) == ["train_flops", "train_cost"]
    assert out["train_flops"].tolist() == [6 * 7e9 * 2e12, 6 * 70e9 * 15e12]  # 6 N D [Kaplan2020]: 8.4e22, 6.3e24
    # 6.3e24 FLOP / (989.4e12 FLOP/s x 0.4) / 3600 s/h x $2/GPU-h = $8,843,743.68 (H100 BF16 dense peak [NVIDIA2022])
    assert out.loc["large", "train_cost"] == pytest.approx(6.3e24 / (989.4e12 * 0.4) / 3600 * 2.0, rel=1e-12)


def test_a_column_that_is_no_argument_names_the_closest():
    with pytest.raises(UnknownNameError, match="MFU.*closest: mfu"):
        costlib.scenarios(RUNS.assign(MFU=0.4), costlib.train_cost)


def test_a_keyword_with_a_typo_is_refused_not_defaulted():
    with pytest.raises(UnknownNameError, match="closest: mfu"):
        costlib.scenarios(RUNS, costlib.train_cost, mfu_=0.4)


def test_an_argument_both_a_column_and_a_keyword_is_refused():
    with pytest.raises(InputError):
        costlib.scenarios(RUNS.assign(mfu=0.4), costlib.train_cost, mfu=0.5)


def test_frame_and_functions_are_checked():
    with pytest.raises(InputTypeError, match="frame must be a pandas DataFrame of scenarios, got dict"):
        costlib.scenarios({"params": [7e9]}, costlib.train_cost)
    with pytest.raises(InputTypeError, match="give at least one costlib function"):
        costlib.scenarios(RUNS)
