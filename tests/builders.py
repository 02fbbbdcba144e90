"""Builders of small real objects for tests: a GPT-2-style model directory, SAELens SAEs."""

from __future__ import annotations

from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
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
