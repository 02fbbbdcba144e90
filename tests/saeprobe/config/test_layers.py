import pytest

from saeprobe.config import hook_name, parse_layers, split_hook_name
from saeprobe.errors import LayerError


def test_parse_all_range_list_and_negative():
    assert parse_layers("all", 4) == [0, 1, 2, 3]
    assert parse_layers(None, 3) == [0, 1, 2]
    assert parse_layers("0-2", 6) == [0, 1, 2]
    assert parse_layers("1,3,5", 6) == [1, 3, 5]
    assert parse_layers("0-1, 4", 6) == [0, 1, 4]
    assert parse_layers([3, 1, 3], 6) == [1, 3]
    assert parse_layers(-1, 6) == [5]


def test_evenly_spaced_ranges():
    assert parse_layers("0-29:3", 30) == [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]
    assert parse_layers("1-5:2, 5", 6) == [1, 3, 5]
    assert parse_layers("0-5 : 10", 6) == [0]


@pytest.mark.parametrize("spec", ["6", "0-9", [7], "-7"])
def test_out_of_range_names_the_valid_range(spec):
    with pytest.raises(LayerError, match=r"has 6 layers \(0-5\)"):
        parse_layers(spec, 6)


@pytest.mark.parametrize("spec", ["first", "1-2-3", "3-1", "", "0-5:0", "0-5:", ":2"])
def test_unreadable_specs_are_rejected(spec):
    with pytest.raises(LayerError):
        parse_layers(spec, 6)


def test_hook_names_round_trip():
    assert hook_name(3, "resid_post") == "blocks.3.hook_resid_post"
    assert hook_name(3, "hook_mlp_out") == "blocks.3.hook_mlp_out"
    assert split_hook_name("blocks.12.hook_resid_pre") == (12, "hook_resid_pre")
    with pytest.raises(LayerError, match=r"blocks.<layer>.hook_<point>"):
        split_hook_name("hook_embed")
