"""Model sources: identities before loading, hub commits, and paths that do not exist."""

import pytest

from saeprobe.errors import ModelError
from saeprobe.model import HUGGINGFACE, is_repo_id, resolve_model

COMMIT_A = "a" * 40
COMMIT_B = "b" * 40


@pytest.fixture
def hub_cache(tmp_path, monkeypatch):
    """A Hugging Face hub cache laid out as huggingface_hub writes it, with the hub unreachable."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    refs = tmp_path / "models--EleutherAI--pythia-70m-deduped" / "refs"
    refs.mkdir(parents=True)
    snapshot = refs.parent / "snapshots" / COMMIT_A
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    return refs


def test_a_hub_name_is_identified_by_the_commit_its_branch_points_at(hub_cache):
    (hub_cache / "main").write_text(COMMIT_A)
    first = resolve_model("EleutherAI/pythia-70m-deduped")
    assert first.identity == f"hub:EleutherAI/pythia-70m-deduped@{COMMIT_A}"
    # The branch moved: a new identity, so activations cached for the old commit are not served.
    (hub_cache / "main").write_text(COMMIT_B)
    assert resolve_model("EleutherAI/pythia-70m-deduped").identity.endswith(COMMIT_B)
    assert resolve_model("EleutherAI/pythia-70m-deduped", revision=COMMIT_A).identity.endswith(COMMIT_A)


def test_without_a_known_commit_the_revision_names_it(hub_cache):
    assert resolve_model("EleutherAI/pythia-70m-deduped", revision="step1000").identity.endswith("@step1000")


@pytest.mark.parametrize("spec", ["./models/mine", "/data/models/gpt2-finetuned", "~/models/x", "runs/2024/model"])
def test_a_missing_path_is_reported_as_a_missing_directory_not_a_hub_name(spec):
    assert not is_repo_id(spec)
    with pytest.raises(ModelError, match=f"no such model directory {spec!r}"):
        HUGGINGFACE.source(spec, None)


def test_hub_ids_are_recognised():
    assert is_repo_id("gpt2") and is_repo_id("EleutherAI/pythia-70m-deduped")
    assert not is_repo_id("a/b/c") and not is_repo_id("models/../x")


@pytest.mark.parametrize(
    "spec, hint",
    [("minilm-l6", "did you mean 'minilm'?"), ("smollm", "did you mean 'smollm2'?"), ("gpt2", "the models that")],
)
def test_a_hub_name_offline_and_not_cached_fails_at_once_naming_the_offline_models(spec, hint, tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError) as error:
        resolve_model(spec)
    message = str(error.value)
    assert "not in the Hugging Face cache, and offline mode is on (HF_HUB_OFFLINE)" in message and hint in message
    assert "minilm (the all-MiniLM-L6-v2 encoder); smollm2 (the SmolLM2-135M-Instruct decoder)" in message


def test_the_hubs_answer_is_quoted_without_a_double_period(monkeypatch):
    from transformer_lens.model_bridge import TransformerBridge

    def refuse(*args, **kwargs):
        raise OSError("We couldn't connect to the hub.\nCheck your connection or see the offline mode.")

    monkeypatch.setattr(TransformerBridge, "boot_transformers", staticmethod(refuse))
    with pytest.raises(ModelError) as error:
        HUGGINGFACE.load("someone/model", None, "cpu")
    assert ".." not in str(error.value) and "the offline mode. Give a local" in str(error.value)


def test_the_hub_is_found_unreachable_without_the_offline_flag(monkeypatch):
    from saeprobe.model import hub_reachable

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    hub_reachable.cache_clear()
    try:
        assert hub_reachable() is False
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        hub_reachable.cache_clear()
        assert hub_reachable() is False
    finally:
        hub_reachable.cache_clear()
