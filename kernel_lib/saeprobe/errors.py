"""Exceptions raised by saeprobe; every message names the bad value and the fix.

A message about one option writes ``{option}`` where the option's name goes: the Python API shows
its keyword (``text_column``), the command line its flag (``--text-column``), so each user reads
the error in the terms they typed.
"""

from __future__ import annotations

OPTION_SLOT = "{option}"


class SaeprobeError(Exception):
    """Base class of every error saeprobe raises on bad input."""

    def __init__(self, message: str, option: str | None = None):
        self.template = message
        self.option = option
        super().__init__(self.render())

    def render(self, name: str | None = None) -> str:
        """The message with the option called ``name`` (default: its Python keyword)."""
        if self.option is None:
            return self.template
        return self.template.replace(OPTION_SLOT, name or self.option)


class SettingsError(SaeprobeError, ValueError):
    """A setting has a value it cannot take."""


class DataError(SaeprobeError, ValueError):
    """The labelled dataset cannot be used as given."""


class ModelError(SaeprobeError, ValueError):
    """The model cannot be loaded or does not offer what was asked."""


class LayerError(SaeprobeError, ValueError):
    """A layer specification does not fit the model."""


class SAEError(SaeprobeError, ValueError):
    """An SAE cannot be loaded or does not fit the model or hook."""


class PluginError(SaeprobeError, LookupError):
    """No plugin accepts a specification, or a plugin failed to load."""


class CacheError(SaeprobeError, RuntimeError):
    """A cache file changed under a running sweep; running again recomputes it."""


class SaeprobeWarning(UserWarning):
    """Something a result depends on that the user should know: data read outside an SAE's
    training distribution, a model used as given although its SAEs ask for other processing."""
