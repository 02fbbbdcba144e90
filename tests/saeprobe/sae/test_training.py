import pytest
from sae_lens import SAE

from saeprobe import sweep
from saeprobe.config import SAETrainingSettings
from saeprobe.errors import DataError, SAEError
from saeprobe.sae import _training as training
from saeprobe.sae import train_saes

TEXTS = [
    f"the film number {i} was {'good' if i % 2 else 'bad'} and the plot was {'fine' if i % 3 else 'dull'}"
    for i in range(60)
]
SMALL = SAETrainingSettings(width=48, k=4, steps=15, batch_size=32)


def test_trains_one_saelens_sae_per_layer_and_reports_fit(tiny_model_dir, tmp_path):
    trained = train_saes(
        str(tiny_model_dir),
        TEXTS,
        layers="0,2",
        settings=SMALL,
        out=tmp_path / "saes",
        cache_dir=tmp_path / "cache",
        progress=False,
    )
    assert trained.directory == tmp_path / "saes"
    assert list(trained.report["layer"]) == [0, 2]
    for layer in (0, 2):
        sae = SAE.load_from_disk(tmp_path / "saes" / f"layer_{layer}")
        assert sae.cfg.d_sae == 48 and sae.cfg.metadata.hook_name == f"blocks.{layer}.hook_resid_post"
    row = trained.report.iloc[0]
    assert 0 < row["l0_mean"] <= 4 and row["fvu"] >= 0 and row["n_train_tokens"] > 32
    result = sweep(
        str(tiny_model_dir),
        str(tmp_path / "saes"),
        _dataset(),
        layers="0,2",
        cache_dir=tmp_path / "cache",
        progress=False,
    )
    assert result.layers[1].sae.d_sae == 48


@pytest.mark.parametrize("progress", [False, True])
def test_progress_off_silences_the_saelens_trainer_bar(tiny_model_dir, tmp_path, capfd, progress):
    train_saes(str(tiny_model_dir), TEXTS, layers=[0], settings=SMALL, cache_dir=tmp_path, progress=progress)
    assert ("Training SAE" in capfd.readouterr().err) is progress


def _dataset():
    from saeprobe import load_dataset

    return load_dataset(TEXTS, [i % 2 for i in range(len(TEXTS))])


def test_cached_layers_are_not_trained_again(tiny_model_dir, tmp_path, monkeypatch):
    calls = []
    real = training._train_layer
    monkeypatch.setattr(
        training, "_train_layer", lambda acts, layer, *rest: calls.append(layer) or real(acts, layer, *rest)
    )
    train_saes(str(tiny_model_dir), TEXTS, layers="0,1", settings=SMALL, cache_dir=tmp_path, progress=False)
    train_saes(str(tiny_model_dir), TEXTS, layers="0-3", settings=SMALL, cache_dir=tmp_path, progress=False)
    assert calls == [0, 1, 2, 3]
    train_saes(str(tiny_model_dir), TEXTS, layers="all", settings=SMALL, cache_dir=tmp_path, progress=False)
    assert calls == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"architecture": "gated"}, r"architecture must be one of \['topk', 'standard'\]"),
        ({"k": 0}, r"k=0 must lie in \[1, "),
        ({"k": 20, "width": 10}, "must not exceed the width 10"),
        ({"width": 0}, r"width=0 must lie in \[1, "),
        ({"eval_share": 1.5}, "eval_share"),
    ],
)
def test_bad_settings(settings, message):
    with pytest.raises(SAEError, match=message):
        SAETrainingSettings(**settings)


def test_too_few_tokens(tiny_model_dir, tmp_path):
    with pytest.raises(DataError, match="token activations for layer 0"):
        train_saes(str(tiny_model_dir), ["tiny text"], layers=[0], settings=SMALL, cache_dir=tmp_path, progress=False)


def test_standard_architecture(tiny_model_dir, tmp_path):
    settings = SAETrainingSettings(architecture="standard", width=40, l1_coefficient=1.0, steps=10, batch_size=32)
    trained = train_saes(str(tiny_model_dir), TEXTS, layers=[1], settings=settings, cache_dir=tmp_path, progress=False)
    assert SAE.load_from_disk(trained.report.loc[0, "path"]).cfg.architecture() == "standard"


def test_with_the_cache_disabled_saes_go_to_out_and_nothing_is_left_behind(tiny_model_dir, tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with pytest.raises(SAEError, match="needs out=DIR"):
        train_saes(str(tiny_model_dir), TEXTS, layers=[0], settings=SMALL, cache_dir=False, progress=False)
    trained = train_saes(
        str(tiny_model_dir), TEXTS, layers=[0], settings=SMALL, cache_dir=False, out=tmp_path / "out", progress=False
    )
    assert trained.directory == tmp_path / "out" and (tmp_path / "out" / "layer_0" / "cfg.json").is_file()
    assert list(scratch.iterdir()) == []


def test_many_passes_over_few_tokens_are_warned_of_once(tiny_model_dir, tmp_path):
    import warnings

    from saeprobe.errors import SaeprobeWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        train_saes(
            str(tiny_model_dir),
            TEXTS[:20],
            layers="0,1",
            settings=SAETrainingSettings(width=48, k=4, steps=200, batch_size=32),
            cache_dir=tmp_path / "cache",
            progress=False,
        )
    passes = [w for w in caught if issubclass(w.category, SaeprobeWarning) and "passes over" in str(w.message)]
    assert len(passes) == 1, [str(w.message) for w in passes]
    assert "200 steps of 32 token activations over" in str(passes[0].message)
    assert "give more or longer texts, or fewer steps" in str(passes[0].message)


def test_a_missing_text_column_names_the_option():
    from saeprobe.data import load_texts

    with pytest.raises(DataError) as error:
        load_texts(__import__("saeprobe").data.DEMO_DATA, text_column="body")
    assert error.value.option == "text_column"
    assert error.value.render("--text-column").endswith("name the right one with --text-column")
