"""Time value of money and tiered contracts (costlib.finance): reference values, identities, properties."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from costlib.finance import discounted, discounted_months_to_breakeven, npv, tiered_cost
from costlib.timeline import total

rows = st.lists(st.floats(-1e9, 1e9), min_size=1, max_size=120)
rates = st.floats(0, 1)


class TestNpv:
    def test_excel_help_example(self):
        # Microsoft's NPV help page: =NPV(10%, -10000, 3000, 4200, 6800) = $1,188.44; a 10 % rate
        # per period is (1.1^12 - 1) a year here, since each column is a month
        assert npv(1.1 ** 12 - 1, [-10000.0, 3000.0, 4200.0, 6800.0]) == pytest.approx(1188.44, abs=0.005)

    def test_annuity_closed_form(self):
        # identity: S a month for n months at monthly rate i is worth S (1 - (1 + i)^-n) / i
        i = 1.1 ** (1 / 12) - 1
        assert npv(0.10, [1000.0] * 36) == pytest.approx(1000 * (1 - (1 + i) ** -36) / i, rel=1e-12)

    @given(values=rows)
    def test_rate_zero_is_the_plain_sum(self, values):
        assert npv(0.0, values) == pytest.approx(math.fsum(values), rel=1e-9, abs=1e-3)

    @given(values=rows, rate=rates)
    def test_npv_is_the_total_of_the_discounted_row(self, values, rate):
        months = np.arange(1, len(values) + 1)
        assert npv(rate, values) == pytest.approx(total(discounted(np.array(values), rate, months)), rel=1e-9, abs=1e-3)

    @given(values=st.lists(st.floats(0, 1e9), min_size=1, max_size=60), low=rates, more=st.floats(0, 1))
    def test_a_higher_rate_never_raises_the_value_of_costs(self, values, low, more):
        assert npv(low + more, values) <= npv(low, values) * (1 + 1e-12) + 1e-9

    def test_a_draw_axis_gives_a_column_equal_to_each_row(self):
        flows = np.array([[1.0, 2.0, 3.0], [-5.0, 0.0, 9.0]])
        rate = np.array([[0.0], [0.2]])
        out = npv(rate, flows)
        assert out.shape == (2, 1)
        assert out[:, 0] == pytest.approx([npv(0.0, flows[0]), npv(0.2, flows[1])], rel=1e-15)

    def test_refuses_a_negative_rate(self):
        with pytest.raises(ValueError, match=r"annual_rate must be >= 0, got -0.1"):
            npv(-0.1, [1.0])


class TestDiscounted:
    def test_a_year_at_ten_percent(self):
        assert discounted(1000.0, 0.10, 12) == pytest.approx(1000 / 1.1, rel=1e-15)  # (1 + r)^(12/12)

    def test_rate_zero_leaves_the_amount(self):
        assert discounted(1000.0, 0.0, 600) == 1000.0


class TestDiscountedPayback:
    @given(fixed=st.floats(1, 1e8), saving=st.floats(1, 1e7), rate=st.floats(0.001, 0.5))
    def test_the_saving_repays_the_cost_in_present_value(self, fixed, saving, rate):
        n = discounted_months_to_breakeven(fixed, saving, rate)
        i = (1 + rate) ** (1 / 12) - 1
        if fixed * i >= saving:
            assert n == math.inf
        else:  # identity: S (1 - (1 + i)^-n) / i = F (written with expm1 and log1p: exact for small n i)
            assert saving * -math.expm1(-n * math.log1p(i)) / i == pytest.approx(fixed, rel=1e-6)
            assert n >= fixed / saving * (1 - 1e-12)  # discounting never pays back sooner

    def test_rate_zero_is_cost_over_saving(self):
        assert discounted_months_to_breakeven(50_000, 8_000, 0.0) == 6.25  # as months_to_breakeven

    def test_no_saving_is_never(self):
        assert discounted_months_to_breakeven([1.0, 1.0], [0.0, -3.0], 0.1).tolist() == [math.inf, math.inf]


class TestTieredCost:
    @given(units=st.floats(0, 1e9), start=st.floats(0, 1e9), price=st.floats(0, 10))
    def test_a_tier_at_the_same_price_is_the_flat_price(self, units, start, price):
        assert tiered_cost(units, price, start, price) == pytest.approx(units * price, rel=1e-12, abs=1e-9)

    @given(units=st.floats(0, 1e9), start=st.floats(0, 1e9), minimum=st.floats(0, 1e7))
    def test_never_below_the_minimum(self, units, start, minimum):
        assert tiered_cost(units, 0.01, start, 0.008, minimum) >= minimum

    def test_cheaper_above_the_tier(self):
        # 1 M queries at $0.0135, 2 M more at 20 % off: 13,500 + 21,600
        assert tiered_cost(3e6, 0.0135, 1e6, 0.0135 * 0.8) == pytest.approx(35_100.0, rel=1e-12)
