"""Suite files written to hurt or by mistake: refused before anything grows or runs."""

from __future__ import annotations

import time

import pytest

from saeprobe.errors import SettingsError
from saeprobe.suites import load_suite


def alias_bomb(key: str) -> str:
    """About 420 bytes whose nested aliases (9 levels, 9 per level) expand to 9⁹ strings."""
    lines = ['a0: &a0 "xxxxxxxxxx"']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [{', '.join(f'*a{level - 1}' for _ in range(9))}]")
    return "\n".join(lines[:-1]) + f"\n{key}: [{', '.join('*a8' for _ in range(9))}]\n"


@pytest.mark.parametrize("where", ["datasets[].path", "settings.top_ks", "layers", "models"])
def test_an_alias_bomb_is_refused_before_it_expands(tmp_path, where):
    bomb = alias_bomb("bomb")
    body = {
        "datasets[].path": "models: [minilm]\ndatasets:\n  - {name: d, path: *a8}\n",
        "settings.top_ks": "models: [minilm]\ndatasets: [{path: d.csv}]\nsettings: {top_ks: *a8}\n",
        "layers": "models: [minilm]\ndatasets: [{path: d.csv}]\nlayers: *a8\n",
        "models": "models: *a8\ndatasets: [{path: d.csv}]\n",
    }[where]
    path = tmp_path / "suite.yaml"
    path.write_text(bomb.split("bomb:")[0] + body)
    assert path.stat().st_size < 1000
    started = time.perf_counter()
    refused = r"line \d+: the alias \*a\d repeats .* suites take no YAML anchors or aliases"
    with pytest.raises(SettingsError, match=refused):
        load_suite(path)
    assert time.perf_counter() - started < 60  # it stopped at the first alias, not after expanding it


def test_a_suite_file_too_large_is_refused_unread(tmp_path):
    path = tmp_path / "suite.yaml"
    path.write_text("models: [minilm]\n# " + "x" * (1 << 20) + "\n")
    with pytest.raises(SettingsError, match="more than the 1,048,576 a suite may; split it"):
        load_suite(path)


def test_a_key_given_twice_is_refused_naming_both_lines(tmp_path):
    path = tmp_path / "suite.yaml"
    path.write_text("models: [minilm]\ndatasets: [{path: d.csv}]\nmodels: [smollm2]\n")
    with pytest.raises(SettingsError, match=r"line 3: the key 'models' is given twice \(first on line 1\)"):
        load_suite(path)
    path.write_text("models: [minilm]\ndatasets: [{path: d.csv, name: a, name: b}]\n")
    with pytest.raises(SettingsError, match="the key 'name' is given twice"):
        load_suite(path)


def test_yes_and_no_are_names_not_booleans(tmp_path):
    (tmp_path / "d.csv").write_text("text,label\na,0\n")
    path = tmp_path / "suite.yaml"
    path.write_text("models: [minilm]\ndatasets: [{path: d.csv, name: yes}, {path: d.csv, name: no}]\n")
    assert [d.name for d in load_suite(path).datasets] == ["yes", "no"]
    path.write_text("models: [minilm]\ndatasets: [{path: d.csv}]\nsettings: {exclude_bos: true}\n")
    assert load_suite(path).settings.exclude_bos is True


@pytest.mark.parametrize(
    "text, message",
    [
        ('models: ["/"]\ndatasets: [{path: d.csv}]\n', r"models\[0\] '/' names no model"),
        ("models: [minilm]\ndatasets: [{path: d.csv}]\nsettings: [1, 2]\n", "'settings' must map setting names"),
        ("models: [minilm]\ndatasets: [{path: d.csv}]\nsettings: pooling\n", "'settings' must map setting names"),
    ],
)
def test_malformed_models_and_settings_get_a_message_not_a_traceback(tmp_path, text, message):
    path = tmp_path / "suite.yaml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_suite(path)


def test_many_datasets_are_checked_in_linear_time():
    def parse(count: int) -> float:
        payload = {"models": ["minilm"], "datasets": [{"name": f"d{i}", "path": f"d{i}.csv"} for i in range(count)]}
        started = time.perf_counter()
        assert len(load_suite(payload).datasets) == count
        return time.perf_counter() - started

    parse(100)  # imports paid
    small, large = parse(2_000), parse(20_000)
    # Ten times the datasets: about ten times the time when linear, a hundred when quadratic.
    assert large < 40 * small + 0.5
