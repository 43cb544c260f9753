"""costlib._args: every public function's arguments converted, checked against their rules and broadcast.

A scalar in gives a Python float out, a Series keeps its index, anything else an array; an
argument that breaks its rule is named with the element at fault. The tests that the fast
path for single numbers gives the same answers as the array path are in tests/test_fast_path.py;
the registry's part of parse (moved here from tests/test_arguments.py) is below.
"""

import math

import numpy as np
import pandas as pd
import pytest

from costlib import _args
from costlib.errors import InputTypeError, OutOfRangeError, ShapeError


def test_a_scalar_in_gives_a_python_float_out():
    a = _args.parse(x=(2.0, "finite"), y=(3, "finite"))
    assert type(a.wrap(a.x * a.y)) is float and a.wrap(a.x * a.y) == 6.0


def test_a_list_in_gives_an_array_out():
    a = _args.parse(x=([1.0, 2.0], "finite"), y=(3.0, "finite"))
    out = a.wrap(a.x * a.y)
    assert isinstance(out, np.ndarray) and out.tolist() == [3.0, 6.0]


def test_a_series_in_keeps_its_index():
    s = pd.Series([1.0, 2.0], index=["jan", "feb"])
    a = _args.parse(x=(s, "finite"), y=(10.0, "finite"))
    out = a.wrap(a.x * a.y, name="z")
    assert list(out.index) == ["jan", "feb"] and out.tolist() == [10.0, 20.0] and out.name == "z"


def test_series_with_different_indexes_are_refused():
    with pytest.raises(ShapeError, match="y and x must share one index"):
        _args.parse(x=(pd.Series([1.0], index=["a"]), "finite"), y=(pd.Series([1.0], index=["b"]), "finite"))


def test_shapes_that_do_not_broadcast_are_named():
    with pytest.raises(ShapeError, match=r"arguments do not broadcast to one shape: x \(2,\), y \(3,\)"):
        _args.parse(x=([1.0, 2.0], "finite"), y=([1.0, 2.0, 3.0], "finite"))


@pytest.mark.parametrize("value,fragment", [
    (None, "x is required, got nothing"),
    ("7", "x must be a number, got text '7'"),
    (True, "x must be a number, got True"),
    ([], "x must hold at least one number, got an empty list"),
    ([1.0, "a"], "x must be a number, got text 'a' at position 1"),
    ([[1.0, 2.0], [3.0, None]], "x must be a number, got nothing at position (1, 1)"),
    (np.array([1 + 2j]), "x must hold real numbers, got a complex array"),
    (np.array(["2027-01-01"], dtype="datetime64[D]"), "durations or dates"),
    ([[1.0], [2.0, 3.0]], "x must be a number or an array of numbers of one shape"),
])
def test_what_is_not_a_number_is_named_with_its_position(value, fragment):
    with pytest.raises(InputTypeError) as caught:
        _args.to_float_array("x", value)
    assert fragment in str(caught.value) and caught.value.argument == "x"


def test_an_integer_too_large_for_a_float_is_out_of_range_with_its_digits():
    with pytest.raises(OutOfRangeError, match="x must be a finite number \\(at most 1.8e308\\), got one of 401 digits"):
        _args.to_float_array("x", 10**400)  # 10**400 has 401 digits


@pytest.mark.parametrize("arr,rule,message", [
    (np.array([0.5, 1.4]), "fraction", r"x must be in \(0, 1\], got 1.4 at position 1"),
    (np.array([[1.0, 0.0]]), "positive", r"x must be > 0, got 0 at position \(0, 1\)"),
    (np.array(np.nan), "finite", r"x must be a number, got NaN$"),
    (np.array([1.0, np.inf]), "positive", r"x must be finite \(> 0\), got inf at position 1"),
    (np.array(-np.inf), "finite", r"x must be a finite number, got -inf$"),
])
def test_check_names_the_first_element_that_breaks_the_rule(arr, rule, message):
    with pytest.raises((OutOfRangeError, InputTypeError), match=message):
        _args.check("x", arr, rule)


def test_check_passes_what_obeys_the_rule_unchanged():
    arr = np.array([0.0, 0.5, 1.0])
    assert _args.check("x", arr, "share") is arr  # [0, 1]: both ends in


def test_an_overflowing_result_names_the_function_and_arguments():
    def train_like(x, y):  # a public function's shape: parse, compute, wrap
        a = _args.parse(x=(x, "finite"), y=(y, "finite"))
        return a.wrap(a.x * a.y)

    with np.errstate(over="ignore"), pytest.raises(OutOfRangeError, match=r"train_like: the arguments make the "
                                                                         r"result overflow .*x = 1e\+300, y = 1e\+10"):
        train_like(1e300, 1e10)  # 1e310 > 1.8e308
    with np.errstate(over="ignore"), pytest.raises(OutOfRangeError, match="at position 1"):
        train_like([1.0, 1e300], 1e10)


def test_inf_means_never_for_the_functions_that_say_so():
    def breakeven(x):  # a name in _args.NEVER: its inf is "no break-even", an answer
        a = _args.parse(x=(x, "finite"))
        return a.wrap(a.x * math.inf if a.x else a.x)

    assert breakeven(1.0) == math.inf
    assert "breakeven" in _args.NEVER


def test_nan_from_finite_arguments_is_no_overflow():
    def ratio(x, y):
        a = _args.parse(x=(x, "finite"), y=(y, "finite"))
        return a.wrap(_args.divide(a.x, a.y))

    with np.errstate(invalid="ignore"):
        assert math.isnan(ratio(0.0, 0.0))  # 0/0: undefined, the function's own decision


@pytest.mark.parametrize("helper,args,expected", [
    (_args.divide, (1.0, 0.0), math.inf),        # numpy's 1/0, where Python raises ZeroDivisionError
    (_args.divide, (-1.0, 0.0), -math.inf),
    (_args.power, (10.0, 400.0), math.inf),      # numpy's overflow, where Python raises OverflowError
    (_args.power, (0.0, -1.0), math.inf),        # numpy's 0 ** -1
    (_args.power, (2.0, 10.0), 1024.0),
    (_args.maximum, (1.0, 2.0), 2.0),
    (_args.sqrt, (16.0, ), 4.0),
])
def test_the_scalar_helpers_give_numpys_answers(helper, args, expected):
    with np.errstate(all="ignore"):  # numpy's own warning for 1/0 is not what is tested here
        assert helper(*args) == expected
        assert helper(*args) == getattr(np, helper.__name__)(*args)  # np.divide, np.power, np.maximum, np.sqrt


def test_maximum_lets_nan_win_as_numpy_does():
    assert math.isnan(_args.maximum(math.nan, 1.0)) and math.isnan(_args.maximum(1.0, math.nan))
    assert np.isnan(np.maximum(1.0, np.nan))  # numpy's own rule, which _args.maximum follows


def test_a_negative_base_to_a_fractional_power_is_nan_not_complex():
    with np.errstate(invalid="ignore"):
        assert math.isnan(_args.power(-8.0, 1 / 3))  # Python gives a complex number; numpy NaN


def test_plain_numbers_take_the_fast_path_and_arrays_do_not():
    assert isinstance(_args.parse(x=(1.0, "finite")), _args.Scalars)
    assert not isinstance(_args.parse(x=(np.float64(1.0), "finite")), _args.Scalars)  # a numpy scalar
    assert not isinstance(_args.parse(x=([1.0], "finite")), _args.Scalars)  # a list


def test_is_series():
    assert _args.is_series(pd.Series([1.0])) and not _args.is_series(pd.DataFrame({"a": [1.0]}))
    assert not _args.is_series([1.0]) and not _args.is_series(np.array([1.0]))


def test_parse_takes_the_rule_from_the_registry():
    assert _args.parse(params=7e9).params == 7e9
    with pytest.raises(OutOfRangeError, match=r"mfu must be in \(0, 1\], got 1.4"):
        _args.parse(mfu=1.4)
    with pytest.raises(OutOfRangeError, match="params must be > 0"):
        _args.parse(params=[1.0, 0.0])
    assert list(_args.parse(multiples=(1, 10, 100)).multiples) == [1, 10, 100]  # a tuple value


def test_parse_keeps_the_value_rule_form():
    assert _args.parse(params=(-1.0, "finite")).params == -1.0
    assert _args.parse(mfu=(0.4, "fraction"), params=7e9).mfu == 0.4


def test_parse_refuses_an_unregistered_bare_value():
    with pytest.raises(TypeError, match="no rule"):
        _args.parse(no_such_argument=1.0)
    with pytest.raises(TypeError, match="no rule"):
        _args.parse(gpu=1.0)
