"""costlib.plan.template: a template loaded from TOML, checked, and refused naming what is wrong.

The tiny template (tests/tiny_template.py) is the valid case; each refusal is that template with
one thing broken.
"""

import pytest

import tiny_template
from costlib.errors import TemplateError, UnknownNameError
from costlib.plan.template import SCENARIO, SCENARIO_INPUT, Input, Sheet, in_workbook_order, load_template, \
    template_names


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_template(str(tiny_template.write(tmp_path_factory.mktemp("tiny"))))


def broken(tmp_path, old, new):
    text = tiny_template.TEXT
    assert old in text
    return str(tiny_template.write(tmp_path, text.replace(old, new, 1)))


def test_the_packaged_templates_are_listed_by_name():
    assert {"budget", "build-vs-buy", "finetune-vs-prompt", "unit-economics"} <= set(template_names())
    assert template_names() == sorted(template_names())


def test_an_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownNameError, match=r"template must be one of .*, got 'budgte'; closest: budget") as caught:
        load_template("budgte")
    assert caught.value.argument == "template"


def test_a_template_is_returned_as_it_is(tiny):
    assert load_template(tiny) is tiny


def test_the_tiny_template_as_written(tiny):
    assert [s.name for s in tiny.sheets] == ["Plan"]
    assert list(tiny.items) == ["total_spend"] and list(tiny.rows) == ["gpus_used", "spend"]
    assert tiny.number_items == ["total_spend"] and tiny.key_numbers == ["total_spend"]
    assert tiny.input("gpus").default == 8 and tiny.defaults()["price_per_gpu_hour"] == 2.0
    assert tiny.length({"months": 3}) == 3


def test_an_uncertain_input_brings_the_scenario_input_first(tiny):
    # price_per_gpu_hour has a range, so the template gets the scenario choice, low/base/high, default base
    assert tiny.inputs[0] is SCENARIO_INPUT and tiny.inputs[0].name == SCENARIO
    assert SCENARIO_INPUT.choices == ("downside", "base", "upside") and SCENARIO_INPUT.default == "base"
    assert tiny.input("price_per_gpu_hour").range == (1.5, 3.0)


def test_the_registry_fills_what_an_input_leaves_out(tmp_path):
    # mfu is registered (costlib/arguments.py) as a fraction under the rule "fraction"
    path = broken(tmp_path, '[[sheets]]', '[[inputs]]\nname = "mfu"\nlabel = "MFU"\ndefault = 0.4\nsource = "x"\n\n'
                                          '[[sheets]]')
    mfu = load_template(path).input("mfu")
    assert (mfu.unit, mfu.rule) == ("fraction", "fraction")


def test_a_number_without_a_rule_must_be_finite(tmp_path):
    path = broken(tmp_path, '[[sheets]]', '[[inputs]]\nname = "widgets"\nlabel = "W"\ndefault = 1\nunit = "w"\n'
                                          'source = "x"\n\n[[sheets]]')
    assert load_template(path).input("widgets").rule == "finite"


def test_formulas_false_leaves_the_formulas_unparsed(tmp_path):
    t = load_template(str(tiny_template.write(tmp_path)), formulas=False)
    assert t.rows["spend"][1].expr is None
    assert load_template(str(tiny_template.write(tmp_path))).rows["spend"][1].expr is not None


def test_a_byte_order_mark_is_read_past(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + tiny_template.TEXT.encode())  # Notepad's UTF-8
    assert load_template(str(path)).name == "tiny"


def test_text_that_is_not_utf8_names_the_byte(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(tiny_template.TEXT.replace("Tiny plan", "Café").encode("latin-1"))
    with pytest.raises(TemplateError, match=r"not UTF-8 text \(byte 0xe9 at position \d+\)"):
        load_template(str(path))


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(TemplateError, match=r"cannot read the template .*absent\.toml: No such file"):
        load_template(str(tmp_path / "absent.toml"))


REFUSED = [  # (old, new, fragment)
    ('name = "tiny"', 'name = "tiny"\nbogus = 1', "unknown keys bogus"),
    ('title = "Tiny plan"\n', '', "the template must have 'title'"),
    ('[[sheets]]', '[[inputs]]\nname = "widgets"\nlabel = "W"\ndefault = 1\nsource = "x"\n\n[[sheets]]',
     "input widgets must have 'unit' (it is not in costlib's argument registry)"),
    ('label = "Spend"', 'label = "Spend"\ncolour = "red"', "row spend of sheet Plan has unknown keys colour"),
    ('name = "gpus_used"', 'name = "gpus"', "the name 'gpus' is used twice (input and row)"),
    ('name = "gpus_used"', 'name = "GPUS"', "the names 'gpus' and 'GPUS' differ only in case"),
    ('section = "memo"', 'section = "other"', "row gpus_used section must be one of capex, opex"),
    ('range = [1.5, 3.0]', 'range = [2.5, 3.0]', "must run low <= default <= high, got 2.5 <= 2.0 <= 3.0"),
    ('range = [1.5, 3.0]', 'range = [0, 3.0]', "0 breaks the input's rule (must be > 0)"),
    ('axis_length = "months"', 'axis_length = "weeks"', "axis_length must name an input, got 'weeks'"),
    ('rule = "at_least_one"', 'rule = "huge"', "input months rule must be one of positive"),
    ('type = "integer"', 'type = "complex"', "input months type must be one of number"),
    ('formula = "total(spend)"', 'formula = "spend * 2"', "item total_spend"),
    ('name = "Plan"', 'name = "Checks"', "costlib adds the sheet 'Checks' itself"),
    ('name = "tiny"', 'name = "../tiny"', "must not hold a folder separator"),
    ('rule = "non_negative"\nsource = "Assumption"', 'rule = "non_negative"\napi_price = "input"\nsource = "Assumption"',
     'inputs with api_price need one input with api_price = "model"'),
    ('rule = "non_negative"\nsource = "Assumption"', 'rule = "non_negative"\napi_price = "price"\nsource = "Assumption"',
     "input gpus api_price must be one of model, provider, date, service_tier, batch_discount, input"),
    ('section = "opex"', 'section = "capex"\n', None),  # capex reading a memo row is fine: the control case
]


@pytest.mark.parametrize("old,new,fragment", REFUSED, ids=[c[2] and c[2][:40] or "accepted" for c in REFUSED])
def test_a_broken_template_is_refused_naming_the_file_and_the_part(tmp_path, old, new, fragment):
    path = broken(tmp_path, old, new)
    if fragment is None:
        assert load_template(path).rows["spend"][1].section == "capex"
        return
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert str(caught.value).startswith(path) and fragment in str(caught.value)


def test_a_capex_row_may_not_read_an_opex_row(tmp_path):
    text = tiny_template.TEXT.replace('section = "opex"', 'section = "capex"').replace('section = "memo"',
                                                                                       'section = "opex"')
    path = str(tiny_template.write(tmp_path, text))
    with pytest.raises(TemplateError, match="capex row spend must not refer to opex row gpus_used"):
        load_template(path)


def test_in_workbook_order_puts_the_first_sheet_first_and_keeps_the_rest():
    a, b, c = Sheet("A"), Sheet("B", first=True), Sheet("C")
    assert in_workbook_order([a, b, c]) == [b, a, c]
    assert in_workbook_order([a, c]) == [a, c]  # none marked: as written


@pytest.mark.parametrize("inp,described", [
    (Input("x", "x", 1, "s", unit="w", rule="positive"), "> 0"),
    (Input("x", "x", 1, "s", unit="w", rule="fraction", type="integer"), "a whole number in (0, 1]"),
    (Input("x", "x", 1, "s", unit="w", rule="non_negative", maximum="months"), ">= 0, <= months"),
    (Input("x", "x", "a", "s", type="choice", choices=("a", "b")), "one of a, b"),
    (Input("x", "x", 2.0, "s", unit="USD/GPU-h", rule="positive"),
     "> 0; plausible 0 to 100 (outside it, type the value with ! to mean it)"),  # USD/GPU-h: 0 to 100
    (Input("x", "x", 0.1, "s", unit="fraction/month", rule="non_negative"),
     ">= 0; plausible 0 to 0.5 (outside it, type the value with % or ! to mean it)"),
])
def test_describe_rule(inp, described):
    assert inp.describe_rule() == described


def test_api_price_inputs_need_a_text_model_and_a_day(tmp_path):
    # a price the model fills, a model input of type text, and no date input or calendar: refused, naming the day
    text = tiny_template.TEXT.replace('rule = "non_negative"\nsource = "Assumption"',
                                      'rule = "non_negative"\napi_price = "input"\nsource = "Assumption"', 1)
    text = text.replace("[[sheets]]", '[[inputs]]\nname = "api_model"\nlabel = "Model"\ntype = "text"\n'
                                      'default = "none"\nunit = "text"\napi_price = "model"\nsource = "x"\n\n'
                                      "[[sheets]]", 1)
    with pytest.raises(TemplateError, match='need an input with api_price = "date"'):
        load_template(str(tiny_template.write(tmp_path, text)))
    with pytest.raises(TemplateError, match=r"input api_model \(api_price 'model'\) must be of type text, got 'number'"):
        load_template(str(tiny_template.write(tmp_path, text.replace('type = "text"\ndefault = "none"',
                                                                      'default = 1', 1))))
