"""Constraints as objects: every setting states what it takes in its JSON Schema, and the values its
constraint names as refused are refused by the setting and by its schema alike."""

import dataclasses
import json

import jsonschema
import pytest

from saeprobe.config import DataOptions, Interval, OneOf, SAETrainingSettings, SweepSettings, json_schema
from saeprobe.errors import SaeprobeError

CLASSES = (SweepSettings, DataOptions, SAETrainingSettings)
FIELDS = [(cls, field) for cls in CLASSES for field in dataclasses.fields(cls)]


def _id(case):
    cls, field = case
    return f"{cls.__name__}.{field.name}"


def _one_field_schema(cls, name):
    return {"type": "object", "properties": {name: json_schema(cls)["properties"][name]}}


def _plain(value):
    return json.loads(json.dumps(value))  # tuples become JSON arrays, as in a result file


@pytest.mark.parametrize("case", FIELDS, ids=[_id(case) for case in FIELDS])
def test_refused_values_are_refused_by_the_setting_and_its_schema(case):
    cls, field = case
    check = field.metadata["check"]
    if field.metadata["kind"] == "bool":
        assert check is None
        return
    assert check is not None, f"{_id(case)} declares no constraint"
    schema = _one_field_schema(cls, field.name)
    jsonschema.validate({field.name: _plain(field.default)}, schema)
    refused = check.invalid()
    assert refused, f"{_id(case)}: its constraint names no value it refuses"
    for value in refused:
        with pytest.raises(SaeprobeError, match=field.name):
            cls(**{field.name: value})
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({field.name: _plain(value)}, schema)


@pytest.mark.parametrize("cls", CLASSES)
def test_every_number_states_its_range_and_every_choice_its_values(cls):
    for name, spec in json_schema(cls)["properties"].items():
        kind = next(f for f in dataclasses.fields(cls) if f.name == name).metadata["kind"]
        if kind in ("int", "float"):
            assert {"minimum", "exclusiveMinimum"} & set(spec) and {"maximum", "exclusiveMaximum"} & set(spec), name
        if kind in ("ints", "floats"):
            assert {"minimum", "exclusiveMinimum"} & set(spec["items"]), name
        if kind == "choice":
            assert spec["enum"], name


def test_constraints_say_what_they_allow_in_words():
    assert Interval(0, 1, open_low=True).describe() == "(0, 1]"
    assert Interval(2, 50, integer=True).invalid() == (1, 51)
    assert OneOf(("last", "mean")).describe() == "one of last, mean"
    field = next(f for f in dataclasses.fields(SweepSettings) if f.name == "seed")
    assert field.metadata["check"].problem(-1) == "must lie in [0, 4294967295] (a 32-bit unsigned integer)"
