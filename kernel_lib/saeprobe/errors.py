"""Exceptions raised by saeprobe; every message names the bad value and the fix."""

from __future__ import annotations


class SaeprobeError(Exception):
    """Base class of every error saeprobe raises on bad input."""


class DataError(SaeprobeError, ValueError):
    """The labelled dataset cannot be used as given."""


class ModelError(SaeprobeError, ValueError):
    """The model cannot be loaded or does not offer what was asked."""


class LayerError(SaeprobeError, ValueError):
    """A layer specification does not fit the model."""


class SAEError(SaeprobeError, ValueError):
    """An SAE cannot be loaded or does not fit the model or hook."""


class CacheError(SaeprobeError, RuntimeError):
    """The activation cache holds something unusable."""
