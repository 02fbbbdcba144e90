"""SweepSettings, DataOptions and SAETrainingSettings: checked on construction, round trips, the
nearest name for a typo, and the one definition behind keywords, flags, requests, keys and files."""

import argparse
import dataclasses
import json
import math

import pytest

from saeprobe.app import build_parser, validate_params
from saeprobe.config import (
    RESULT_GROUPS,
    DataOptions,
    SAETrainingSettings,
    SweepSettings,
    add_arguments,
    flag_of,
    from_arguments,
    json_schema,
)
from saeprobe.errors import DataError, SAEError, SettingsError
from saeprobe.sweeps import SCHEMA_PATH

BAD_VALUES = [
    ("layers", "3-1", "runs backwards; write it as '1-3'"),
    ("layers", "first", "use 'all', a range like '0-5'"),
    ("layers", [], "names no layer"),
    ("revision", "", "is empty"),
    ("hook", "resid post", "is not a hook point"),
    ("pooling", "median", "must be one of ['last', 'mean', 'max']"),
    ("exclude_bos", "yes", "must be true or false"),
    ("padding_side", "top", "must be one of ['left', 'right']"),
    ("probe", " ", "is empty"),
    ("probes", ["knn", "knn"], "lists a value twice"),
    ("Cs", [], "needs at least one value"),
    ("Cs", [0.1, -1.0], "holds -1.0, which must lie in (0, "),
    ("Cs", [1.0, 1.0], "lists a value twice"),
    ("Cs", [float("inf")], "must be a list of finite numbers"),
    ("cv_folds", 1, "must lie in [2, 50]"),
    ("test_size", 1.0, "must lie in (0, 1), e.g. 0.3"),
    ("seed", -1, "must lie in [0, 4294967295]"),
    ("seed", 2**32, "must lie in [0, 4294967295]"),
    ("seed", 1.5, "must be a whole number"),
    ("top_ks", [0, 2], "holds 0, which must lie in [1, "),
    ("always_on_threshold", float("nan"), "must be a finite number"),
    ("always_on_threshold", -1.0, "must lie in (0, 1], e.g. 0.99"),
    ("feature_table_size", -1, "must lie in [0, "),
    ("train_sizes", [1], "holds 1, which must lie in [2, "),
    ("label_noise", [1.0], "must lie in [0, 1)"),
    ("imbalance", [0.0], "must lie in (0, 1)"),
    ("batch_size", 0, "must lie in [1, 65536]"),
    ("device", "gpu", "is not a torch device; use cpu, cuda"),
    ("processing", "folded", "must be one of ['auto', 'none', 'hooked']"),
    ("code_pooling", "sum", "must be one of ['tokens', 'pooled']"),
    ("split", "given", "must be one of ['auto', 'sae-probes']"),
    ("duplicates", "drop", "must be one of ['group', 'ignore']"),
    ("min_class_size", 1, "must lie in [2, "),
    ("threads", -1, "must lie in [0, 4096]"),
    ("bootstrap", -1, "must lie in [0, 100000]"),
    ("confidence", 1.0, "must lie in [0.5, 1), e.g. 0.95"),
    ("controls", ["sae_random", "shuffled"], "holds 'shuffled', which must be one of"),
    ("baselines", ["pca", "sae_topk"], "holds 'pca', which must be one of"),
    ("controls", "sae_random", "must be a list of words"),
    ("seeds", [0, -1], "holds -1, which must lie in [0, "),
]


def test_every_field_is_checked():
    assert {name for name, _, _ in BAD_VALUES} == set(SweepSettings.names())


@pytest.mark.parametrize("name, value, message", BAD_VALUES)
def test_a_bad_value_names_the_field_and_the_fix(name, value, message):
    with pytest.raises(SettingsError) as error:
        SweepSettings(**{name: value})
    assert error.value.option == name and str(error.value).startswith(name) and message in str(error.value)


def test_values_are_normalised_and_round_trip_through_json():
    settings = SweepSettings(layers=[1, 3], hook="hook_resid_pre", Cs=[0.1, 1], top_ks=[2], train_sizes=[16, 64])
    assert settings.layers == (1, 3) and settings.hook == "resid_pre" and settings.Cs == (0.1, 1.0)
    again = SweepSettings.from_dict(json.loads(json.dumps(settings.to_dict())))
    assert again == settings and hash(again) == hash(settings)
    assert SweepSettings.from_dict({}) == SweepSettings()


def test_unknown_names_are_refused_with_the_nearest_valid_one():
    with pytest.raises(SettingsError, match="no option 'polling'; did you mean 'pooling'"):
        SweepSettings.from_dict({"polling": "mean"})
    with pytest.raises(SettingsError, match="no option 'top_k'; did you mean 'top_ks'"):
        SweepSettings().replace(top_k=[1])
    with pytest.raises(SettingsError, match="the options are"):
        SweepSettings.from_dict({"zzz": 1})


def test_stage_errors_keep_their_family():
    with pytest.raises(DataError, match=r"template='Review' has no {text} slot"):
        DataOptions(template="Review")
    with pytest.raises(SAEError, match="k=20 must not exceed the width 10"):
        SAETrainingSettings(k=20, width=10)


def test_settings_of_results_written_before_schema_1_2_are_read():
    old = {
        "hook": "resid_post",
        "pooling": "mean",
        "exclude_bos": True,
        "test_size": None,
        "split": "given",
        "seed": 0,
        "Cs": [0.1, 1.0],
        "cv_folds": 5,
        "probe": "logistic",
        "top_ks": [1, 5],
        "always_on_threshold": 0.99,
        "feature_table_size": 200,
        "saeprobe_version": "0.1.0",
        "regimes": [{"regime": "train_size", "value": 16.0}, {"regime": "label_noise", "value": 0.1}],
    }
    settings = SweepSettings.from_dict(old)
    assert settings.split == "auto"  # the old "split" said how the split was made; it is no setting
    assert (settings.pooling, settings.train_sizes, settings.label_noise, settings.test_size) == (
        "mean",
        (16,),
        (0.1,),
        0.3,
    )


def test_the_result_schema_declares_exactly_the_settings():
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["$defs"]["settings"] == json_schema(SweepSettings), (
        "the settings changed: run python tools/write_result_schema.py, npm run build and "
        "python tools/dump_widget_fixture.py"
    )


def test_the_cli_flags_are_the_fields_with_their_help():
    sweep = build_parser()._subparsers._group_actions[0].choices["sweep"]
    actions = {action.dest: action for action in sweep._actions}
    for cls in (SweepSettings, DataOptions):
        for field in dataclasses.fields(cls):
            action = actions[field.name]
            assert flag_of(field) in action.option_strings and field.metadata["help"] in action.help


def test_flags_build_the_same_settings_as_keywords():
    parser = argparse.ArgumentParser()
    add_arguments(parser, SweepSettings)
    args = parser.parse_args(["--layers", "0-3", "--cs", "0.1,1", "--no-exclude-bos", "--top-ks", "2,5", "--seed", "7"])
    assert from_arguments(SweepSettings, args) == SweepSettings(
        layers="0-3", Cs=(0.1, 1.0), exclude_bos=False, top_ks=(2, 5), seed=7
    )
    with pytest.raises(SettingsError) as error:
        from_arguments(SweepSettings, parser.parse_args(["--cv-folds", "five"]))
    assert error.value.render("--cv-folds") == "--cv-folds takes a whole number; got 'five'"


def test_server_requests_are_checked_by_the_same_declarations():
    params = validate_params({"model": "m", "data": "d.csv", "pooling": "mean", "Cs": [1, 10], "text_column": "review"})
    assert params == {"model": "m", "data": "d.csv", "text_column": "review", "pooling": "mean", "Cs": [1.0, 10.0]}
    for body, message in [
        ({"data": "d.csv"}, "'model' is required"),
        ({"model": "m", "data": "d", "seed": "0"}, "seed must be"),
        ({"model": "m", "data": "d", "layer": "1"}, "did you mean 'layers'"),
        ({"model": "m", "data": "d", "always_on_threshold": math.inf}, "finite"),
    ]:
        with pytest.raises((SettingsError, DataError), match=message):
            validate_params(body)


def test_cache_keys_take_whole_groups():
    from saeprobe.store import activation_parts

    base = SweepSettings(pooling="last")
    prep = {"fold_ln": False}
    key = activation_parts("model", "prompts", base, prep)
    assert (
        activation_parts("model", "prompts", base.replace(Cs=(1.0,), batch_size=3, code_pooling="pooled"), prep) == key
    )
    assert activation_parts("model", "prompts", base.replace(exclude_bos=False), prep) != key
    assert activation_parts("model", "prompts", base, {"fold_ln": True}) != key
    assert "batch_size" not in base.parts(*RESULT_GROUPS) and "Cs" in base.parts(*RESULT_GROUPS)


def test_oversized_values_are_refused():
    with pytest.raises(DataError, match="template is 20006 characters long; the limit is 10000"):
        DataOptions(template="x" * 20_000 + "{text}")
    with pytest.raises(SettingsError, match="layers lists 20000 values; the limit is 10000"):
        SweepSettings(layers=list(range(20_000)))
