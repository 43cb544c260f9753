"""Bad input: every message names the argument, the rule and the value."""

import math

import numpy as np
import pytest

import costlib

BASE = dict(params=70e9, tokens=15e12, price_per_gpu_hour=2.0)


@pytest.mark.parametrize("change, error, message", [
    (dict(mfu=1.4), costlib.OutOfRangeError, r"^mfu must be in \(0, 1\], got 1.4$"),
    (dict(mfu=0), costlib.OutOfRangeError, r"^mfu must be in \(0, 1\], got 0$"),
    (dict(params=-7e9), costlib.OutOfRangeError, r"^params must be > 0, got -7e\+09$"),
    (dict(tokens=0), costlib.OutOfRangeError, r"^tokens must be > 0, got 0$"),
    (dict(price_per_gpu_hour=-2), costlib.OutOfRangeError, r"^price_per_gpu_hour must be >= 0, got -2$"),
    (dict(params="seventy billion"), costlib.InputTypeError, r"^params must be a number, got text 'seventy billion'$"),
    (dict(params=None), costlib.InputTypeError, r"^params is required, got nothing$"),
    (dict(params=True), costlib.InputTypeError, r"^params must be a number, got True$"),
    (dict(tokens=math.nan), costlib.InputTypeError, r"^tokens must be a number, got NaN$"),
    (dict(tokens=math.inf), costlib.OutOfRangeError, r"^tokens must be finite \(> 0\), got inf$"),
    (dict(params=[7e9, -1.0]), costlib.OutOfRangeError, r"^params must be > 0, got -1 at position 1$"),
    (dict(params=[7e9, "x"]), costlib.InputTypeError, r"^params must be a number, got text 'x' at position 1$"),
    (dict(params=[[1e9], [None]]), costlib.InputTypeError, r"^params must be a number, got nothing at position \(1, 0\)$"),
    (dict(gpu="H10"), costlib.UnknownNameError, r"^gpu must be a name in the accelerators catalogue .*got 'H10'; closest: H100"),
    (dict(gpu="B300"), costlib.UnknownNameError, r"^gpu must be a name in the accelerators catalogue .*got 'B300'; closest: B200"),
    (dict(gpu=-5), costlib.OutOfRangeError, r"^gpu must be > 0, got -5$"),
    (dict(gpu="989"), costlib.InputTypeError, r"^gpu must be a catalogue name or a number, got text '989'$"),
    (dict(precision="fp4"), costlib.UnknownNameError, r"^precision must be one of bf16, fp16, fp8, tf32, got 'fp4'$"),
    (dict(params=[1e9, 2e9, 3e9], tokens=[1e12, 2e12]), costlib.ShapeError,
     r"^arguments do not broadcast to one shape: params \(3,\), tokens \(2,\)$"),
])
def test_train_cost_bad_input(change, error, message):
    with pytest.raises(error, match=message):
        costlib.train_cost(**{**BASE, **change})


@pytest.mark.parametrize("call, error, message", [
    (lambda: costlib.token_cost(2.5, 2000, 1.2), costlib.OutOfRangeError, r"^utilization must be in \(0, 1\], got 1.2$"),
    (lambda: costlib.token_cost(2.5, 0), costlib.OutOfRangeError, r"^tokens_per_second must be > 0, got 0$"),
    (lambda: costlib.breakeven(-1, 3, 1), costlib.OutOfRangeError, r"^fixed_cost must be >= 0, got -1$"),
    (lambda: costlib.price_after_decline(3, 1.0, 1), costlib.OutOfRangeError, r"^annual_decline must be in \[0, 1\), got 1$"),
    (lambda: costlib.energy_cost(100, 0.1, pue=0.9), costlib.OutOfRangeError, r"^pue must be >= 1, got 0.9$"),
    (lambda: costlib.api_cost_per_query(1000, 100, 3, 15, cached_share=1.5), costlib.OutOfRangeError,
     r"^cached_share must be in \[0, 1\], got 1.5$"),
    (lambda: costlib.moe_active_params(1e9, 8e9, 9, 8), costlib.OutOfRangeError, r"^experts_per_token must be <= experts, got 9 > 8$"),
    (lambda: costlib.gpu_spec("H100", "colour"), costlib.UnknownNameError, r"^field must be one of .*got 'colour'$"),
    (lambda: costlib.gpu_price("H100", "monthly"), costlib.UnknownNameError,
     r"^tier must be one of reserved, on_demand, spot, 1_year, 3_year, got 'monthly'$"),
    (lambda: costlib.weight_bytes(7e9, "int3"), costlib.UnknownNameError, r"^precision must be one of fp32, .*got 'int3'$"),
])
def test_other_functions_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_errors_are_value_errors_and_carry_excel_codes():
    with pytest.raises(ValueError):
        costlib.token_cost(2.5, 2000, 1.2)
    assert costlib.OutOfRangeError.excel_error == "#NUM!"
    assert costlib.UnknownNameError.excel_error == "#N/A"
    assert costlib.InputTypeError.excel_error == "#VALUE!"


def test_error_names_the_argument():
    try:
        costlib.train_cost(70e9, 15e12, 2.0, mfu=np.array([0.4, 1.4]))
    except costlib.InputError as exc:
        assert exc.argument == "mfu"


# --- a caller words an error in its own terms, from its attributes -----------------------

def test_an_error_names_its_place_and_a_caller_renames_it():
    from costlib.errors import OutOfRangeError

    exc = OutOfRangeError("ranges['mfu'] must have low <= base <= high, got low 0.5, base 0.4, high 0.6",
                          argument="mfu", parameter="ranges", key="mfu")
    assert exc.place == "ranges['mfu']"
    assert exc.worded("--range mfu") == "--range mfu must have low <= base <= high, got low 0.5, base 0.4, high 0.6"


def test_the_suggested_parameter_is_renamed_too():
    from costlib.errors import InputError

    exc = InputError("ranges['months']: months sets the timeline; hold it at one value (fixed=)",
                     parameter="ranges", key="months", instead="fixed")
    assert exc.worded("--range months", instead="--set") == (
        "--range months: months sets the timeline; hold it at one value (--set)")


def test_an_error_without_a_place_is_worded_as_it_is():
    from costlib.errors import InputError

    exc = InputError("mfu must be in (0, 1], got 1.4", argument="mfu")
    assert exc.place is None and exc.worded("--range mfu", instead="--set") == str(exc)
