"""Builders of small real objects for tests: a GPT-2-style model directory, SAELens SAEs."""

from __future__ import annotations

from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# Files the tests read: results and caches written by earlier versions, among others.
FILES = Path(__file__).resolve().parent / "files"
TINY_LAYERS = 4
TINY_WIDTH = 32
TINY_CONTEXT = 48
SAE_WIDTH = 64

CORPUS = [
    "the film was a charming and often affecting journey",
    "a dull, lifeless and boring movie with awful acting",
    "I loved every minute of this wonderful story",
    "the worst plot I have seen in years, truly terrible",
    "brilliant performances and a moving score",
    "tedious, predictable and far too long",
    "The city of Paris is in France.",
    "The city of Tokyo is in Brazil.",
    "stocks rallied as markets opened higher on Monday",
    "the team won the championship after extra time",
]


def build_tiny_model(directory: Path) -> Path:
    """Save a randomly initialised 4-layer GPT-2 and a BPE tokenizer trained on CORPUS to ``directory``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<|endoftext|>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(CORPUS * 5, trainer)
    hf_tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<|endoftext|>", eos_token="<|endoftext|>", unk_token="<unk>"
    )
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=len(hf_tokenizer),
        n_positions=TINY_CONTEXT,
        n_embd=TINY_WIDTH,
        n_layer=TINY_LAYERS,
        n_head=4,
        bos_token_id=hf_tokenizer.bos_token_id,
        eos_token_id=hf_tokenizer.eos_token_id,
    )
    GPT2LMHeadModel(config).save_pretrained(directory)
    hf_tokenizer.save_pretrained(directory)
    return directory


def make_sae(layer: int, hook: str = "resid_post", d_in: int = TINY_WIDTH, d_sae: int = SAE_WIDTH, seed: int = 0):
    """A SAELens StandardSAE for ``blocks.<layer>.hook_<hook>`` with seeded random weights."""
    import torch
    from sae_lens import StandardSAE, StandardSAEConfig
    from sae_lens.saes.sae import SAEMetadata

    torch.manual_seed(seed + layer)
    config = StandardSAEConfig(
        d_in=d_in, d_sae=d_sae, metadata=SAEMetadata(hook_name=f"blocks.{layer}.hook_{hook}", model_name="tiny-gpt2")
    )
    sae = StandardSAE(config)
    with torch.no_grad():
        sae.b_enc.normal_(0.0, 0.5)
    return sae


def build_tiny_llama(directory: Path) -> Path:
    """Save a randomly initialised 3-layer Llama (grouped-query attention, untied output) with
    the BPE tokenizer of :func:`build_tiny_model` to ``directory``, its tokenizer adding no BOS
    (as SmolLM2's does)."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer_dir = build_tiny_model(directory / "gpt2-tokenizer")
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    torch.manual_seed(1)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=TINY_WIDTH,
        intermediate_size=2 * TINY_WIDTH,
        num_hidden_layers=3,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=TINY_CONTEXT,
        rope_theta=10000.0,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    model = LlamaForCausalLM(config)
    with torch.no_grad():  # norms away from 1, so a lost norm weight shows
        for name, parameter in model.named_parameters():
            if "norm" in name:
                parameter.uniform_(0.5, 1.5)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def write_gguf(model_dir: Path, path: Path) -> Path:
    """Export the Llama in ``model_dir`` to a float32 GGUF file at ``path`` the way llama.cpp's
    converter lays it out: llama.cpp tensor names, query and key rows reordered for its rotary
    embedding, the vocabulary and BPE merges as tokenizer metadata."""
    import json

    import gguf
    import numpy as np
    from transformers import AutoTokenizer, LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    config = model.config
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tiny-llama")
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_freq_base(float(config.rope_parameters["rope_theta"]))
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_rope_dimension_count(config.hidden_size // config.num_attention_heads)
    writer.add_vocab_size(config.vocab_size)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)

    vocab = tokenizer.get_vocab()
    tokens = sorted(vocab, key=vocab.get)
    special = set(tokenizer.all_special_tokens)
    merges = [" ".join(pair) for pair in json.loads(tokenizer.backend_tokenizer.to_str())["model"]["merges"]]
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list(tokens)
    writer.add_token_types([gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL for t in tokens])
    writer.add_token_merges(merges)
    writer.add_bos_token_id(tokenizer.bos_token_id)
    writer.add_eos_token_id(tokenizer.eos_token_id)
    writer.add_unk_token_id(tokenizer.unk_token_id)
    writer.add_pad_token_id(tokenizer.eos_token_id)
    writer.add_add_bos_token(False)

    def reorder(weight: np.ndarray, n_head: int) -> np.ndarray:
        # Within each head, llama.cpp interleaves the two rotary halves: rows (h, half, i) -> (h, i, half).
        return (
            weight.reshape(n_head, 2, weight.shape[0] // n_head // 2, *weight.shape[1:])
            .swapaxes(1, 2)
            .reshape(weight.shape)
        )

    names = {
        "self_attn.q_proj": "attn_q",
        "self_attn.k_proj": "attn_k",
        "self_attn.v_proj": "attn_v",
        "self_attn.o_proj": "attn_output",
        "mlp.gate_proj": "ffn_gate",
        "mlp.up_proj": "ffn_up",
        "mlp.down_proj": "ffn_down",
        "input_layernorm": "attn_norm",
        "post_attention_layernorm": "ffn_norm",
    }
    state = {name: tensor.detach().float().numpy() for name, tensor in model.state_dict().items()}
    writer_tensors = {
        "token_embd.weight": state["model.embed_tokens.weight"],
        "output_norm.weight": state["model.norm.weight"],
        "output.weight": state["lm_head.weight"],
    }
    for layer in range(config.num_hidden_layers):
        for hf_name, gguf_name in names.items():
            weight = state[f"model.layers.{layer}.{hf_name}.weight"]
            if gguf_name == "attn_q":
                weight = reorder(weight, config.num_attention_heads)
            elif gguf_name == "attn_k":
                weight = reorder(weight, config.num_key_value_heads)
            writer_tensors[f"blk.{layer}.{gguf_name}.weight"] = weight
    for name, array in writer_tensors.items():
        writer.add_tensor(name, np.ascontiguousarray(array, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def hooked_reference(model_dir: Path, processed: bool):
    """TransformerLens's own HookedTransformer of the GPT-2 in ``model_dir``: its weights converted
    by TransformerLens and loaded with HookedTransformer's default processing (``fold_ln``,
    ``center_writing_weights``, ``center_unembed``, ``fold_value_biases``) or with none."""
    from transformer_lens import HookedTransformer, HookedTransformerConfig
    from transformer_lens.pretrained.weight_conversions.gpt2 import convert_gpt2_weights
    from transformers import AutoTokenizer, GPT2LMHeadModel

    hf_model = GPT2LMHeadModel.from_pretrained(model_dir)
    config = hf_model.config
    cfg = HookedTransformerConfig(
        n_layers=config.n_layer,
        d_model=config.n_embd,
        n_ctx=config.n_positions,
        d_head=config.n_embd // config.n_head,
        n_heads=config.n_head,
        d_mlp=4 * config.n_embd,
        d_vocab=config.vocab_size,
        act_fn="gelu_new",
        normalization_type="LN",
        eps=config.layer_norm_epsilon,
        positional_embedding_type="standard",
        default_prepend_bos=True,
        tokenizer_prepends_bos=False,
    )
    model = HookedTransformer(cfg, tokenizer=AutoTokenizer.from_pretrained(model_dir), move_to_device=False)
    model.load_and_process_state_dict(
        convert_gpt2_weights(hf_model, cfg),
        fold_ln=processed,
        center_writing_weights=processed,
        center_unembed=processed,
        fold_value_biases=processed,
    )
    return model


def save_sae_with_metadata(directory: Path, layer: int, **metadata) -> Path:
    """Save :func:`make_sae`'s SAE for ``layer`` with extra SAELens metadata (e.g.
    ``model_from_pretrained_kwargs``, ``prepend_bos``, ``context_size``) in its cfg.json."""
    sae = make_sae(layer)
    for key, value in metadata.items():
        setattr(sae.cfg.metadata, key, value)
    sae.save_model(directory)
    return directory


def write_tiny_suite(folder: Path, model: Path, sets: dict[str, Path], rows: int = 72) -> Path:
    """Write ``suite.yaml`` and three datasets of ``rows`` rows each (from the built-in suite's
    files) into ``folder``: ``model`` with the SAE sets ``sets``, all layers, without the controls
    (what suites add is the running of units, which the controls' refits only slow); returns the file."""
    import pandas as pd

    from saeprobe.data import DEMO_DATA
    from saeprobe.suites import BUILTIN_SUITES

    small = BUILTIN_SUITES["small"].parent
    sources = {"movie_sentiment": DEMO_DATA, "larger_than": small / "larger_than.csv", "topics": small / "topics.csv"}
    for name, source in sources.items():
        frame = pd.read_csv(source)
        frame.groupby("label").head(rows // frame["label"].nunique()).to_csv(folder / f"{name}.csv", index=False)
    sets_yaml = ", ".join(f"{name}: {path}" for name, path in sets.items())
    datasets = "\n".join(f"  - {{name: {name}, path: {name}.csv}}" for name in sources)
    path = folder / "suite.yaml"
    path.write_text(
        f"models: [{model}]\nsaes: {{{sets_yaml}}}\ndatasets:\n{datasets}\nlayers: all\n"
        "settings: {top_ks: [1, 5], feature_table_size: 12, controls: []}\n"
    )
    return path


class RuleProbe:
    """A "probe" that answers by the sign of the first column whatever labels it is fitted on: a
    stand-in for a classifier that knew the answers before its fit (fitted on the test rows, or
    contaminated), the leakage the shuffled-label control exists to catch."""

    def __init__(self, Cs=None, cv_folds=None, seed=0, scaling=None):
        self.seed = seed

    def fit(self, X, y):
        import numpy as np

        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        import numpy as np

        column = np.asarray(X[:, 0].todense()).ravel() if hasattr(X, "todense") else np.asarray(X)[:, 0]
        positive = (column > 0).astype(float)
        return np.stack([1 - positive, positive], axis=1)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(1)]
