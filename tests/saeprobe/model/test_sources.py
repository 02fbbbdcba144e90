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
