"""costlib.plan.evaluate: a template's items, rows and checks computed by calling its functions.

Expected numbers are the hand computation in tests/tiny_template.py's docstring.
"""

import numpy as np
import pytest

import tiny_template
from costlib.plan.evaluate import TemplateEvaluationError, evaluate_template
from costlib.plan.template import load_template

VALUES = {"scenario": "base", "months": 3, "gpus": 8.0, "price_per_gpu_hour": 2.0, "monthly_growth": 0.1}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_template(str(tiny_template.write(tmp_path_factory.mktemp("tiny"))))


def test_rows_items_and_checks_by_hand(tiny):
    items, rows, checks = evaluate_template(tiny, VALUES)
    assert rows["gpus_used"] == pytest.approx(tiny_template.GPUS, rel=1e-15)   # 8, 8.8, 9.68
    assert rows["spend"] == pytest.approx(tiny_template.SPEND, rel=1e-15)      # 11,680, 12,848, 14,132.8
    assert items == {"total_spend": pytest.approx(tiny_template.TOTAL_SPEND, rel=1e-15)}  # 38,660.8
    assert checks == {"Spend is never negative": True}


def test_an_item_is_a_plain_float_and_a_row_an_array_of_the_axis_length(tiny):
    items, rows, _ = evaluate_template(tiny, {**VALUES, "months": 5})
    assert type(items["total_spend"]) is float
    assert rows["spend"].shape == (5,)


def test_the_total_is_the_sum_of_its_row(tiny):
    items, rows, _ = evaluate_template(tiny, {**VALUES, "gpus": 3.0, "monthly_growth": 0.25})
    assert items["total_spend"] == pytest.approx(rows["spend"].sum(), rel=1e-15)  # identity


def test_a_check_that_fails_is_false(tiny):
    # a negative price (past resolve_inputs, which would refuse it) makes spend negative
    _, rows, checks = evaluate_template(tiny, {**VALUES, "price_per_gpu_hour": -1.0})
    assert (rows["spend"] < 0).all() and checks == {"Spend is never negative": False}


def test_draws_evaluate_many_inputs_in_one_pass(tiny):
    gpus = np.array([[8.0], [16.0]])  # two draws: shape (draws, 1)
    items, rows, checks = evaluate_template(tiny, {**VALUES, "gpus": gpus}, draws=2)
    assert rows["spend"].shape == (2, 3) and items["total_spend"].shape == (2,)
    # spend is proportional to gpus: the second draw is twice the first (16 = 2 x 8)
    assert items["total_spend"] == pytest.approx([tiny_template.TOTAL_SPEND, 2 * tiny_template.TOTAL_SPEND],
                                                 rel=1e-15)
    assert checks == {"Spend is never negative": True}


def test_a_draw_equals_the_single_evaluation(tiny):
    many, _, _ = evaluate_template(tiny, {**VALUES, "monthly_growth": np.array([[0.0], [0.1], [0.3]])}, draws=3)
    for k, growth in enumerate((0.0, 0.1, 0.3)):
        one, _, _ = evaluate_template(tiny, {**VALUES, "monthly_growth": growth})
        assert many["total_spend"][k] == pytest.approx(one["total_spend"], rel=1e-14)


def test_a_circular_reference_is_named(tmp_path):
    text = tiny_template.TEXT.replace('formula = "total(spend)"', 'formula = "sum_of(again, 1)"').replace(
        "[[sheets.rows]]", '[[sheets.items]]\nname = "again"\nlabel = "A"\nunit = "USD"\n'
                           'formula = "sum_of(total_spend, 1)"\n\n[[sheets.rows]]', 1)
    t = load_template(str(tiny_template.write(tmp_path, text)))
    with pytest.raises(TemplateEvaluationError, match="tiny: total_spend -> again -> total_spend is a circular "
                                                      "reference"):
        evaluate_template(t, VALUES)


def test_a_function_that_refuses_its_arguments_is_named_with_the_row(tiny):
    # growth refuses a NaN first value: the error names the template, the row and the function's argument
    with pytest.raises(TemplateEvaluationError, match=r"^tiny: row gpus_used: first must be a number, got NaN$") as caught:
        evaluate_template(tiny, {**VALUES, "gpus": float("nan")})
    assert caught.value.argument == "gpus_used"
