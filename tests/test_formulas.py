"""costlib.formulas: each Excel twin renders every parameter of its function, or says why not.

No spreadsheet engine here (tests/test_twins_recalc.py recalculates the twins): these are
properties of the rendered text. A parameter that a twin silently drops makes a workbook
compute something other than the function (``train_cost(..., precision="fp8")`` once did).
"""

from __future__ import annotations

import inspect

import pytest

from costlib import formulas
from costlib.formulas import FormulaError

TWINS = formulas.twins()


class Names:
    """A formulas.Context that renders each name as itself: the text shows which argument went where."""

    def value(self, name):
        return name

    def range(self, name):
        return f"ROW({name})"

    def to_date(self, name):
        return f"TO_DATE({name})"

    def end(self, name, which):
        return f"{which.upper()}({name})"


def _looked_up(twin: formulas.Twin) -> list[str]:
    """Parameters whose default is a name the function looks up ("H100") where the cell takes a number."""
    return [p.name for p in twin.signature.parameters.values()
            if isinstance(p.default, str) and p.name not in twin.text and p.name not in twin.unrendered]


def _required(twin: formulas.Twin, looked_up: bool = True) -> list[str]:
    """The arguments a workbook must give, each a name standing for itself (``looked_up``: with those
    whose default is a name the cell cannot take)."""
    out = []
    for p in twin.signature.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            out.append(f"{p.name}_0")
        elif (p.default is p.empty or (looked_up and p.name in _looked_up(twin))
              or (p.default is None and p.name not in twin.defaults and p.name not in twin.unrendered)):
            # None: a price the function takes from elsewhere (api_cost_per_query's model=), which a cell must give
            out.append(f"{p.name}={p.name}")
    return out


def _render(name: str, arguments: list[str]) -> str:
    return formulas.render(formulas.parse(f"{name}({', '.join(arguments)})"), Names())


def _optional(twin: formulas.Twin) -> list[inspect.Parameter]:
    return [p for p in twin.signature.parameters.values()
            if p.default is not p.empty and p.kind is not p.VAR_POSITIONAL]


@pytest.mark.parametrize("name", sorted(TWINS))
def test_every_parameter_is_rendered_or_declared_unrendered(name):
    twin = TWINS[name]
    assert set(twin.unrendered) <= set(twin.signature.parameters), f"{name}: unrendered names no parameter"
    plain = _render(name, _required(twin))
    for p in twin.signature.parameters.values():
        if p.name in twin.unrendered:
            continue
        if p.default is p.empty:  # given as a name: that name shows in the text
            shown = f"{p.name}_0" if p.kind is p.VAR_POSITIONAL else p.name
            assert shown in plain, f"{name}: {p.name} is not in its Excel twin {plain!r}"
        else:
            # another value than the default changes the formula, and shows where it went
            given = _render(name, _required(twin) + [f"{p.name}=other_{p.name}"])
            assert given != plain and f"other_{p.name}" in given, (
                f"{name}: its Excel twin ignores {p.name}; render it, or declare it in @excel(unrendered=...) "
                "with the reason")


@pytest.mark.parametrize("name,parameter", [(n, p) for n in sorted(TWINS) for p in TWINS[n].unrendered])
def test_an_unrendered_parameter_given_is_refused_with_the_reason(name, parameter):
    twin = TWINS[name]
    with pytest.raises(FormulaError, match=rf"^formula: {name}'s {parameter} has no place in a workbook: "
                                           rf"{twin.unrendered[parameter][:20]}"):
        _render(name, _required(twin) + [f"{parameter}={parameter}"])


def test_train_cost_refuses_precision_it_cannot_render():
    # the drift the check was written for: precision picks a catalogue peak in Python only
    with pytest.raises(FormulaError, match="accelerator_peak_tflops"):
        _render("train_cost", ["params", "tokens", "price_per_gpu_hour", '"H100"', "0.4", '"fp8"'])


@pytest.mark.parametrize("name,parameter", [(n, p) for n in sorted(TWINS) for p in _looked_up(TWINS[n])])
def test_a_name_default_where_the_cell_takes_a_number_must_be_given(name, parameter):
    # train_cost(..., gpu="H100") looks the peak up in Python; left out, the workbook would compute "H100" * 1E12
    twin = TWINS[name]
    with pytest.raises(FormulaError, match=rf"^formula: {name} needs {parameter} in a workbook: its default"):
        _render(name, _required(twin, looked_up=False))
    assert parameter in _render(name, _required(twin))


def test_a_default_renders_as_its_value():
    # train_flops(params, tokens): the default 6 FLOPs per parameter per token, as a number
    assert _render("train_flops", ["params", "tokens"]) == "6 * params * tokens"


@pytest.mark.parametrize("text,message", [
    ("train_flops(params) + 1", "BinOp is not allowed"),
    ("no_such_function(params)", "not a costlib function with an Excel twin"),
    ("train_flops(params, tokens, 6, 7)", "train_flops: too many positional arguments"),
    ("breakeven(1, 2, 3, none=4)", "none= must be text"),
])
def test_a_formula_that_is_not_wiring_is_refused(text, message):
    with pytest.raises(FormulaError, match=message):
        formulas.render(formulas.parse(text), Names())
