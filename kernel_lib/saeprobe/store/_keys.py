"""Every key the caches file their entries under, made from the settings groups that shape what is
stored (see :mod:`saeprobe.config`): a new setting enters the right keys by its group alone."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..config import EXTRACTION, RESULT_GROUPS, SAETrainingSettings, SweepSettings
from ._jsonio import to_jsonable

# Bump when the extraction itself changes, so old cache entries are not reused.
EXTRACTION_VERSION = 2
# Bump when saeprobe's SAE training changes what it saves (2: the preparation in the SAE metadata).
SAE_TRAINING_VERSION = 2
# Which computations a cached layer result holds: bump when a change alters what a sweep computes
# for a layer, so results of the old computation are not reused. (It was the package version until
# 0.3.0; moving the modules into packages changed no computation. 0.4.0: bootstrap intervals,
# paired comparisons and a diagnosis that reads them.)
RESULTS_VERSION = "0.4.0"


def content_key(parts: Any) -> str:
    """A stable hash of JSON-able ``parts``."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def array_digest(array: np.ndarray) -> str:
    """A hash of an array's bytes (labels, split masks)."""
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:32]


def activation_parts(
    model_identity: str, prompts: str, settings: SweepSettings, preparation: Mapping[str, Any]
) -> dict[str, Any]:
    """What cached pooled activations depend on: the model and how it was prepared, the prompts it
    read, and the extraction settings (hook, resolved pooling, BOS handling, padding side)."""
    return {
        "model": model_identity,
        "preparation": dict(preparation),
        "prompts": prompts,
        **settings.parts(EXTRACTION),
        "version": EXTRACTION_VERSION,
    }


def token_activation_parts(
    model_identity: str, prompts: str, settings: SweepSettings, preparation: Mapping[str, Any]
) -> dict[str, Any]:
    """What cached token-level activations depend on: as :func:`activation_parts`, but not the
    pooling, which they come before."""
    parts = activation_parts(model_identity, prompts, settings, preparation)
    parts.pop("pooling")
    return {**parts, "level": "tokens"}


def result_parts(
    model_identity: str,
    preparation: Mapping[str, Any],
    prompts: str,
    classes: Sequence[Any],
    y: np.ndarray,
    train: np.ndarray,
    set_preparations: Mapping[str, Mapping[str, Any]],
    settings: SweepSettings,
) -> dict[str, Any]:
    """What a finished sweep layer depends on: model and its preparation, prompts, the class names
    and labels, the training rows, the SAE sets' names and model preparations, and every setting
    that shapes the result. The SAE of each layer is in that layer's tag (:func:`layer_tag`)."""
    return {
        "model": model_identity,
        "preparation": dict(preparation),
        "prompts": prompts,
        "classes": [str(c) for c in classes],
        "labels": array_digest(y),
        "train": array_digest(train),
        "saes": to_jsonable(set_preparations),
        "settings": settings.parts(*RESULT_GROUPS),
        "saeprobe": RESULTS_VERSION,
    }


def layer_tag(sae_identities: Mapping[str, str]) -> str:
    """What one layer's result depends on beyond its store's key: the identity of each SAE set's
    SAE at that layer, by set name."""
    return content_key(dict(sae_identities))


def sae_training_parts(
    model_identity: str, texts: Sequence[str], hook: str, settings: SAETrainingSettings, sae_lens_version: str
) -> dict[str, Any]:
    """What SAEs trained by saeprobe depend on: model, texts, hook, training settings, SAELens."""
    return {
        "model": model_identity,
        "texts": content_key({"texts": list(texts)}),
        "hook": hook,
        "settings": settings.to_dict(),
        "sae_lens": sae_lens_version,
        "version": SAE_TRAINING_VERSION,
    }
