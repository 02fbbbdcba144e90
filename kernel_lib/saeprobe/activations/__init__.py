"""Hidden states: prompts tokenised as the model does, length-sorted batches run once through the
model with hooks at every requested layer, pooled per text (and kept token by token where SAEs
encode tokens), cached chunk by chunk. The one package whose modules import torch at module level."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._chunks import CHUNK_SIZE, TokenActivations, TokenChunk
    from ._extract import ActivationSet, extract, read_activations
    from ._pooling import last_tokens, pool, pooled_tokens
    from ._tokens import extract_tokens

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
