"""The shape contract every public function keeps: scalars in, a float out; a Series keeps its index.

The identities of each subject are in its own file: tests/test_economics.py, tests/test_training.py,
tests/test_inference.py.
"""

import numpy as np
import pandas as pd
import pytest

import costlib

class TestShapes:
    def test_scalar_gives_float(self):
        assert type(costlib.train_cost(70e9, 15e12, 2.0)) is float
        assert type(costlib.token_cost(2.5, 2000)) is float

    def test_series_keeps_index(self):
        s = pd.Series([0.2, 0.5], index=pd.Index(["pilot", "launch"], name="phase"))
        out = costlib.token_cost(2.5, 2000, s)
        assert isinstance(out, pd.Series) and out.index.equals(s.index)

    def test_series_with_different_index_is_refused(self):
        a = pd.Series([1.0, 2.0], index=[0, 1])
        b = pd.Series([1.0, 2.0], index=[5, 6])
        with pytest.raises(costlib.ShapeError, match="must share one index"):
            costlib.token_cost(a, 2000, b)

    def test_million_rows_each_in_one_call(self):
        n = 1_000_000
        rng = np.random.default_rng(0)
        params, tokens = rng.uniform(1e9, 1e11, n), rng.uniform(1e11, 1e13, n)
        assert costlib.train_cost(params, tokens, 2.0).shape == (n,)
        assert costlib.token_cost(2.5, rng.uniform(100, 5000, n), 0.5).shape == (n,)
        be = costlib.breakeven(1000.0, 3.0, rng.uniform(0, 6, n))
        assert be.shape == (n,) and np.isinf(be).any() and np.isfinite(be).any()

    def test_dataframe_of_scenarios(self):
        frame = pd.DataFrame({"params": [7e9, 70e9], "tokens": [2e12, 15e12], "price_per_gpu_hour": [2.0, 2.0]},
                             index=["small", "large"])
        out = costlib.scenarios(frame, costlib.train_cost, costlib.train_gpu_hours)
        assert list(out.index) == ["small", "large"]
        assert out.loc["large", "train_cost"] == pytest.approx(costlib.train_cost(70e9, 15e12, 2.0))

    def test_gpu_names_broadcast(self):
        out = costlib.train_cost(70e9, 15e12, 2.0, gpu=["H100", "A100 80GB", "h100-sxm"])
        assert out[0] == out[2] and out[1] > out[0]
