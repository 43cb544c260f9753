"""Hypothesis strategies for the engine's arguments, shared by the property tests."""

from hypothesis import strategies as st

positive = st.floats(min_value=1e-3, max_value=1e15, allow_nan=False, allow_infinity=False)
params_st = st.floats(min_value=1e6, max_value=2e12)
tokens_st = st.floats(min_value=1e8, max_value=1e14)
price_st = st.floats(min_value=0.01, max_value=100)
fraction_st = st.floats(min_value=1e-3, max_value=1.0)
