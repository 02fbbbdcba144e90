import json
import subprocess
import sys

import pandas as pd
import pytest

from patience import patience
from saeprobe.app import main

pytestmark = pytest.mark.integration


@pytest.fixture
def reviews_csv(tmp_path):
    path = tmp_path / "reviews.csv"
    pd.DataFrame(
        {
            "review": [f"good film {i}" for i in range(12)] + [f"bad film {i}" for i in range(12)],
            "y": ["pos"] * 12 + ["neg"] * 12,
        }
    ).to_csv(path, index=False)
    return path


def test_sweep_end_to_end_in_a_subprocess(tiny_model_dir, sae_dir, reviews_csv, tmp_path):
    out = tmp_path / "sweep.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "saeprobe",
            "sweep",
            "--model",
            str(tiny_model_dir),
            "--saes",
            str(sae_dir),
            "--data",
            str(reviews_csv),
            "--text-column",
            "review",
            "--label-column",
            "y",
            "--template",
            'Review: "{text}"\\nSentiment:',
            "--layers",
            "0-2",
            "--pooling",
            "mean",
            "--train-sizes",
            "8",
            "--label-noise",
            "0.2",
            "--top-ks",
            "1,3",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--out",
            str(out),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=patience(300),
    )
    assert completed.returncode == 0, completed.stderr
    payload = json.loads(out.read_text())
    assert [entry["layer"] for entry in payload["layers"]] == [0, 1, 2]
    assert payload["dataset"]["template"] == 'Review: "{text}"\nSentiment:'
    assert payload["classes"] == ["neg", "pos"] and payload["settings"]["pooling"] == "mean"
    assert payload["settings"]["top_ks"] == [1, 3]
    assert [run["regime"] for run in payload["layers"][0]["regimes"]] == ["train_size", "label_noise"]
    header = completed.stdout.splitlines()[0].split()
    assert header == [
        "raw",
        "sae",
        "pca_matched",
        "sae_topk_3",  # the largest top-k, the one the diagnosis cites
        "sae_random",
        "pca_k",
        "l0_mean",
        "n_active_union",
        "n_always_on",
        "fvu",
        "l0_tokens",
        "fvu_tokens",
        "diagnosis",
    ]
    labels = [line.split()[-1] for line in completed.stdout.splitlines()[2:5]]
    texts = completed.stdout.split("\n\n")[1].splitlines()
    expected = [f"layer {n} ({label})" for n, label in enumerate(labels)]
    assert len(labels) == 3 and [text.split(":")[0] for text in texts] == expected


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--label-column", "sentiment"], "column 'sentiment' is not in"),
        (["--layers", "9"], "layer 9 is out of range"),
        (["--template", "no slot"], "no {text} slot"),
        (["--hook", "resid_pre"], "hook='resid_post'"),
        (["--top-ks", "0,2"], "--top-ks=[0, 2] holds 0, which must lie in [1, "),
        (["--label-noise", "a lot"], "--label-noise takes numbers separated by commas"),
        (["--seed", "-1"], "--seed=-1 must lie in [0, 4294967295]"),
        (["--seed", "4294967296"], "--seed=4294967296 must lie in [0, 4294967295]"),
        (["--always-on-threshold", "nan"], "--always-on-threshold must be a finite number"),
        (["--feature-table-size", "-1"], "--feature-table-size=-1 must lie in [0, "),
        (["--top-ks", "100000"], "every top-k baseline would be dropped"),
        (["--min-class-size", "20"], "have fewer than 20 examples"),
        (["--text-column", "body"], "name the right one with --text-column"),
    ],
)
def test_bad_input_exits_non_zero_with_the_fix(tiny_model_dir, sae_dir, reviews_csv, tmp_path, capsys, extra, message):
    args = [
        "sweep",
        "--model",
        str(tiny_model_dir),
        "--saes",
        str(sae_dir),
        "--data",
        str(reviews_csv),
        "--text-column",
        "review",
        "--label-column",
        "y",
        "--cache-dir",
        str(tmp_path),
        "--out",
        str(tmp_path / "o.json"),
        "--quiet",
    ]
    assert main(args + extra) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o.json").exists()


def test_train_saes_then_sweep_with_them(tiny_model_dir, tmp_path, capsys):
    texts = tmp_path / "texts.txt"
    texts.write_text("\n".join(f"a sentence about film {i} and its plot" for i in range(60)))
    out = tmp_path / "saes"
    args = [
        "train-saes",
        "--model",
        str(tiny_model_dir),
        "--data",
        str(texts),
        "--layers",
        "1,2",
        "--width",
        "40",
        "--k",
        "4",
        "--steps",
        "10",
        "--batch-size",
        "32",
        "--out",
        str(out),
        "--cache-dir",
        str(tmp_path / "c"),
        "--quiet",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "fvu" in printed and f"wrote {out}" in printed
    assert sorted(p.name for p in out.iterdir()) == ["layer_1", "layer_2"]
    assert (
        main(["train-saes", "--model", str(tiny_model_dir), "--data", str(tmp_path / "none.txt"), "--out", str(out)])
        == 2
    )
    assert "does not exist" in capsys.readouterr().err


def test_a_gguf_file_as_model_for_train_saes_and_sweep(tiny_gguf, reviews_csv, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SAEPROBE_CACHE_DIR", str(tmp_path / "cache"))
    texts = tmp_path / "texts.txt"
    texts.write_text("\n".join(f"a sentence about film {i} and its plot" for i in range(60)))
    train = [
        "train-saes",
        "--model",
        str(tiny_gguf),
        "--data",
        str(texts),
        "--layers",
        "0-2:2",
        "--width",
        "40",
        "--k",
        "4",
        "--steps",
        "10",
        "--batch-size",
        "32",
        "--out",
        str(tmp_path / "saes"),
        "--quiet",
    ]
    assert main(train) == 0
    sweep = [
        "sweep",
        "--model",
        str(tiny_gguf),
        "--saes",
        str(tmp_path / "saes"),
        "--data",
        str(reviews_csv),
        "--text-column",
        "review",
        "--label-column",
        "y",
        "--layers",
        "0,2",
        "--out",
        str(tmp_path / "o.json"),
        "--quiet",
    ]
    assert main(sweep) == 0
    payload = json.loads((tmp_path / "o.json").read_text())
    assert payload["model"]["identity"].startswith("gguf:") and payload["settings"]["pooling"] == "last"
    assert [entry["saes"]["sae"]["sae"]["d_sae"] for entry in payload["layers"]] == [40, 40]
    capsys.readouterr()
    missing = [
        "sweep",
        "--model",
        str(tmp_path / "gone.gguf"),
        "--data",
        str(reviews_csv),
        "--text-column",
        "review",
        "--label-column",
        "y",
        "--out",
        str(tmp_path / "x.json"),
    ]
    assert main(missing) == 2
    error = capsys.readouterr().err
    assert "GGUF model file" in error and "does not exist" in error


def test_output_and_device_problems_stop_before_any_work(tiny_model_dir, sae_dir, reviews_csv, tmp_path, capsys):
    import torch

    base = [
        "sweep",
        "--model",
        str(tiny_model_dir),
        "--saes",
        str(sae_dir),
        "--data",
        str(reviews_csv),
        "--text-column",
        "review",
        "--label-column",
        "y",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--quiet",
    ]
    assert main([*base, "--out", str(tmp_path / "missing" / "o.json")]) == 2
    assert "--out" in capsys.readouterr().err and not (tmp_path / "cache" / "activations").exists()
    if not torch.cuda.is_available():
        assert main([*base, "--out", str(tmp_path / "o.json"), "--device", "cuda"]) == 2
        assert "--device='cuda': this machine has no cuda device; use cpu" in capsys.readouterr().err


def test_a_damaged_sae_and_a_bad_file_exit_2(tiny_model_dir, sae_dir, reviews_csv, tmp_path, capsys):
    import shutil

    shutil.copytree(sae_dir, tmp_path / "saes")
    (tmp_path / "saes" / "layer_1" / "sae_weights.safetensors").write_bytes(b"garbage" * 100)
    args = [
        "sweep",
        "--model",
        str(tiny_model_dir),
        "--saes",
        str(tmp_path / "saes"),
        "--data",
        str(reviews_csv),
        "--text-column",
        "review",
        "--label-column",
        "y",
        "--layers",
        "0-1",
        "--cache-dir",
        str(tmp_path / "c"),
        "--out",
        str(tmp_path / "o.json"),
        "--quiet",
    ]
    assert main(args) == 2
    assert "weights file is missing or damaged" in capsys.readouterr().err
    (tmp_path / "latin.csv").write_bytes("review,y\ncaf\u00e9,1\nb,0\n".encode("latin-1"))
    assert main([*args[:5], "--data", str(tmp_path / "latin.csv"), *args[7:]]) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err


def test_suite_from_the_command_line(tiny_suite, tiny_suite_run, tmp_path, capsys):
    """A suite file in process (main): the printed table of mean accuracies with wins/ties/losses, and
    the files (the units come from the cache of the suite run in process, which computed them)."""
    cache = str(tiny_suite_run[1])
    assert main(["suite", str(tiny_suite), "--out", str(tmp_path / "out"), "--cache-dir", cache, "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "suite: 3 runs, engine local" in printed and "sae:narrow" in printed and "sae:wide" in printed
    table = printed.split("\n")[4:8]
    assert [line.split()[0] for line in table] == ["0", "1", "2", "3"]
    assert (tmp_path / "out" / "suite.json").is_file() and (tmp_path / "out" / "suite.html").is_file()
    assert main(["suite", "--out", str(tmp_path / "x")]) == 2
    assert "give a suite file or --builtin NAME" in capsys.readouterr().err
    # A subset, by name or count; its units come from the cache the whole suite filled.
    subset = ["suite", str(tiny_suite), "--out", str(tmp_path / "one"), "--cache-dir", cache, "--quiet"]
    assert main([*subset, "--first", "1"]) == 0
    assert "suite: 1 runs" in capsys.readouterr().out
    assert main([*subset, "--datasets", "larger_than,topic"]) == 2
    assert "error: the suite has no dataset 'topic' (did you mean topics?); it has 3:" in capsys.readouterr().err


def test_the_sae_probes_datasets_are_listed(sae_probes_folder, capsys):
    assert main(["datasets", "sae-probes", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 113 and set(records[0]) == {"name", "rows", "classes", "median_prompt_chars", "ood"}
    assert sum(record["ood"] for record in records) == 8


def test_named_sae_sets_from_the_command_line(tiny_model_dir, sae_dir, wide_sae_dir, reviews_csv, tmp_path, capsys):
    out = tmp_path / "sweep.json"
    assert (
        main(
            [
                "sweep",
                "--model",
                str(tiny_model_dir),
                "--saes",
                f"narrow={sae_dir}",
                "--saes",
                f"wide={wide_sae_dir}",
                "--data",
                str(reviews_csv),
                "--text-column",
                "review",
                "--label-column",
                "y",
                "--layers",
                "1",
                "--cache-dir",
                str(tmp_path / "c"),
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "sae:narrow" in printed and "diagnosis:wide" in printed and "layer 1 wide (" in printed
    assert list(json.loads(out.read_text())["layers"][0]["saes"]) == ["narrow", "wide"]
    assert (
        main(
            [
                "sweep",
                "--model",
                str(tiny_model_dir),
                "--saes",
                f"a={sae_dir}",
                "--saes",
                f"a={wide_sae_dir}",
                "--data",
                str(reviews_csv),
                "--text-column",
                "review",
                "--label-column",
                "y",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "names the set 'a' twice" in capsys.readouterr().err


def test_a_misspelt_flag_names_the_nearest_one(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["sweep", "--model", "m", "--data", "d.csv", "--out", "o.json", "--polling", "mean", "--layerz=1"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--polling: did you mean --pooling?" in err and "--layerz: did you mean --layers?" in err
    with pytest.raises(SystemExit):
        main(["cache", "clear", "--older-then", "3"])
    assert "--older-then: did you mean --older-than?" in capsys.readouterr().err


def test_a_misspelt_keyword_of_the_settings_constructor_names_the_nearest_option():
    import saeprobe
    from saeprobe.errors import SettingsError

    with pytest.raises(SettingsError, match="SweepSettings has no option 'polling'; did you mean 'pooling'"):
        saeprobe.SweepSettings(polling="mean")
    with pytest.raises(SettingsError, match="DataOptions has no option 'text_colum'; did you mean 'text_column'"):
        saeprobe.DataOptions(text_colum="body")


def test_the_saes_listing_knows_hub_names_by_their_registry_names_and_says_when_nothing_matches(capsys):
    assert main(["saes", "--model", "gpt2", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records and {record["model"] for record in records} == {"gpt2-small"}
    assert main(["saes", "--model", "gpt-3"]) == 0
    out = capsys.readouterr().out
    assert "no SAELens release lists SAEs of 'gpt-3'; registry models near it:" in out and "Empty DataFrame" not in out
