"""SAEs: SAELens SAEs resolved for a model's layers (directories, releases, objects, plugins), named
sets of them, their sparse codes of the hidden states (encoded token by token or per pooled
vector), SAEs trained here with SAELens's trainer, and SAELens's list of pretrained SAEs. torch and
SAELens load only when an SAE is loaded, encodes or trains."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._architectures import (
        ARCHITECTURES,
        TRANSCODERS,
        check_architecture,
        is_transcoder,
        output_hook,
        preparation_ambiguity,
        reading_notes,
    )
    from ._describe import describe_set, trained_here
    from ._encode import LayerCodes, codes_of_pooled, codes_of_tokens, encode, encode_matrix, reconstruct
    from ._pretrained import registry_entries, registry_models, registry_names
    from ._random import RANDOM_SAE_VERSION, random_like, randomised
    from ._sets import SET_NAME, check_set_name, named_sets, parse_set_option, sets_from_options
    from ._sources import (
        CFG_FILE,
        SAELENS_DIRECTORIES,
        SAELENS_RELEASES,
        WEIGHTS_FILE,
        LayerSAE,
        SAELensDirectories,
        SAELensReleases,
        from_directory,
        from_object,
        resolve_saes,
        saelens_advice_silenced,
    )
    from ._training import TrainedSAEs, train_saes

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
