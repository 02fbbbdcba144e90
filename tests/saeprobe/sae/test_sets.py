"""Named SAE sets: how the saes argument and --saes options name sets, and how representations carry them."""

import pytest

from saeprobe.errors import SAEError
from saeprobe.records import representation_name, split_representation
from saeprobe.sae import named_sets, parse_set_option, sets_from_options


def test_one_specification_is_the_set_named_sae():
    assert named_sets(None) == {}
    assert named_sets("saes/task") == {"sae": "saes/task"}
    layer_mapping = {3: "saes/layer_3", "4": "saes/layer_4"}
    assert named_sets(layer_mapping) == {"sae": layer_mapping}


def test_a_mapping_of_names_is_several_sets():
    assert named_sets({"task": "a", "res-jb": "gpt2-small-res-jb"}) == {"task": "a", "res-jb": "gpt2-small-res-jb"}


@pytest.mark.parametrize("name", ["", "has:colon", "has space", "1starts-with-digit", "x" * 41])
def test_unusable_set_names_are_refused_with_the_rule(name):
    with pytest.raises(SAEError, match="start with a letter"):
        named_sets({name: "a", "ok": "b"})


def test_an_empty_mapping_names_no_set():
    with pytest.raises(SAEError, match="names no SAE set"):
        named_sets({})


def test_command_line_values():
    assert parse_set_option("task=saes/task") == ("task", "saes/task")
    assert parse_set_option("saes/with=sign") == ("sae", "saes/with=sign")
    assert parse_set_option("gpt2-small-res-jb") == ("sae", "gpt2-small-res-jb")
    assert sets_from_options(None) is None
    assert sets_from_options(["saes/task"]) == "saes/task"
    assert sets_from_options(["task=a", "general=b"]) == {"task": "a", "general": "b"}
    with pytest.raises(SAEError, match="names the set 'task' twice"):
        sets_from_options(["task=a", "task=b"])
    with pytest.raises(SAEError, match="gives no SAEs after '='"):
        parse_set_option("task=")


def test_representation_names_round_trip():
    for kind in ("sae", "sae_topk_5", "pca_matched", "sae_reconstruction", "sae_error"):
        assert representation_name(kind, "sae") == kind
        assert split_representation(kind) == (kind, "sae")
        assert split_representation(representation_name(kind, "task")) == (kind, "task")
    assert representation_name("sae_topk_5", "task") == "sae_topk_5:task"
    assert split_representation("raw") == ("raw", None) and split_representation("raw_topk_16") == ("raw_topk_16", None)
