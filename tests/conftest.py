"""Session fixtures: the tiny model directory, SAEs on disk, a small sweep, the shared datasets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builders import CORPUS, SHARED_DATA, TINY_LAYERS, build_tiny_llama, build_tiny_model, make_sae, write_gguf

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 4-layer GPT-2 with a BPE tokenizer trained on the fly, saved as a HF directory."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-gpt2"))


@pytest.fixture(scope="session")
def tiny_bridge(tiny_model_dir: Path):
    """The tiny model booted through TransformerBridge."""
    from transformer_lens.model_bridge import TransformerBridge

    return TransformerBridge.boot_transformers(str(tiny_model_dir), device="cpu")


@pytest.fixture(scope="session")
def tiny_llama_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 3-layer Llama whose tokenizer adds no BOS, saved as a HF directory."""
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tiny_gguf(tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Llama exported to a float32 GGUF file, laid out as llama.cpp's converter does."""
    pytest.importorskip("gguf", reason="the gguf package is needed to write a GGUF file: pip install gguf")
    return write_gguf(tiny_llama_dir, tmp_path_factory.mktemp("gguf") / "tiny-llama.gguf")


@pytest.fixture(scope="session")
def smollm2_cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("smollm2-cache")


@pytest.fixture
def smollm2_cache(smollm2_cache_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One cache, made the default, for every test of the real SmolLM2: its file is de-quantised once."""
    monkeypatch.setenv("SAEPROBE_CACHE_DIR", str(smollm2_cache_root))
    return smollm2_cache_root


@pytest.fixture(scope="session")
def sae_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SAELens SAE per layer of the tiny model, saved with ``save_model`` in sub-directories."""
    root = tmp_path_factory.mktemp("saes")
    for layer in range(TINY_LAYERS):
        make_sae(layer).save_model(root / f"layer_{layer}")
    return root


@pytest.fixture(scope="session")
def tiny_result(tiny_model_dir: Path, sae_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A sweep of all four layers of the tiny model with SAEs, on sentences built from CORPUS."""
    import saeprobe

    texts = [f"{a} and {b}" for a in CORPUS for b in CORPUS[:6]]
    labels = ["pos" if ("charming" in t or "loved" in t or "brilliant" in t) else "neg" for t in texts]
    data = saeprobe.load_dataset(texts, labels, template="Review: {text}\nSentiment:", name="corpus-pairs")
    return saeprobe.sweep(
        str(tiny_model_dir),
        str(sae_dir),
        data,
        cache_dir=tmp_path_factory.mktemp("cache"),
        top_ks=(1, 5),
        progress=False,
    )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The project's shared labelled datasets; tests that need them skip when they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED_DATA} (they sit beside the project checkout)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sae_probes_folder() -> Path:
    """The installed sae-probes package's data folder; tests that need it skip when it is absent."""
    from saeprobe.data import sae_probes_folder
    from saeprobe.errors import DataError

    try:
        return sae_probes_folder()
    except DataError as exc:
        pytest.skip(f"sae-probes' datasets are not installed: {exc}")


@pytest.fixture(scope="session")
def wide_sae_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second SAE set for the tiny model: other seeds, 96 features."""
    root = tmp_path_factory.mktemp("wide-saes")
    for layer in range(TINY_LAYERS):
        make_sae(layer, d_sae=96, seed=11).save_model(root / f"layer_{layer}")
    return root


@pytest.fixture(scope="session")
def tiny_suite(
    tiny_model_dir: Path, sae_dir: Path, wide_sae_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A suite file: the tiny model, two SAE sets, three small datasets taken from the built-in suite's
    own data (three tasks: sentiment, numeric truth, four topics)."""
    from builders import write_tiny_suite

    return write_tiny_suite(tmp_path_factory.mktemp("suite"), tiny_model_dir, {"narrow": sae_dir, "wide": wide_sae_dir})


@pytest.fixture(scope="session")
def tiny_suite_run(tiny_suite: Path, tmp_path_factory: pytest.TempPathFactory):
    """The tiny suite run once on the local engine, and the cache it filled: the reference the other
    engines' results must equal, and a cache later runs read instead of computing again."""
    import saeprobe

    cache = tmp_path_factory.mktemp("suite-cache")
    return saeprobe.suite(tiny_suite, tmp_path_factory.mktemp("suite-out"), cache_dir=cache, progress=False), cache


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site, built once, offline and in strict mode (a broken link fails)."""
    import subprocess
    import sys

    pytest.importorskip("mkdocs", reason="the docs extra builds the site: pip install -e '.[docs]'")
    site = tmp_path_factory.mktemp("site")
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return site
