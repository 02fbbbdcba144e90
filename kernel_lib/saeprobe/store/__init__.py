"""Everything kept on disk: the content-keyed caches and their keys, JSON files written atomically
(with checksums where a damaged file must read as missing) and the content digests of weight
files. Imports no torch."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._digests import content_digest, directory_digest
    from ._folders import DEFAULT_CACHE_ENV, cache_root, default_cache_dir, make_writable_folder, staged_directory
    from ._jsonio import (
        atomic_write,
        dumps,
        from_jsonable,
        read_checked,
        read_json,
        read_json_checked,
        to_jsonable,
        write_checked,
        write_json,
        write_json_checked,
    )
    from ._keys import (
        EXTRACTION_VERSION,
        RESULTS_VERSION,
        SAE_TRAINING_VERSION,
        activation_parts,
        array_digest,
        content_key,
        layer_tag,
        result_parts,
        sae_training_parts,
        token_activation_parts,
    )
    from ._stores import (
        ActivationStore,
        LayerResultStore,
        TokenStore,
        load_model_dimensions,
        save_model_dimensions,
    )
    from ._usage import KINDS, LIMIT_ENV, cache_usage, clear_cache, keep_within, mark_used, size_limit

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
