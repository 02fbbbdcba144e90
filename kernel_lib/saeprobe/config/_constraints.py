"""What values an option takes, as objects that can be inspected: each says what is wrong with a
value (:meth:`Constraint.problem`), states itself in JSON Schema (:meth:`Constraint.schema`) and
in words (:meth:`Constraint.describe`), and names values it refuses (:meth:`Constraint.invalid`),
which the tests feed to every setting. As scikit-learn's ``Interval`` and ``StrOptions``."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Constraint:
    """What an already typed value must satisfy."""

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` and how to fix it, or ``None``."""
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        """The JSON Schema keywords that state this constraint."""
        raise NotImplementedError

    def describe(self) -> str:
        """The constraint in words, for the settings reference."""
        raise NotImplementedError

    def invalid(self) -> tuple[Any, ...]:
        """Values of the right type that this constraint refuses (and its schema with it)."""
        raise NotImplementedError


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Interval(Constraint):
    """A number between ``low`` and ``high``, each bound closed unless said open."""

    low: float
    high: float
    open_low: bool = False
    open_high: bool = False
    integer: bool = False
    example: str = ""
    note: str = ""

    def problem(self, value: float) -> str | None:
        too_low = value <= self.low if self.open_low else value < self.low
        too_high = value >= self.high if self.open_high else value > self.high
        if not (too_low or too_high):
            return None
        example = f", e.g. {self.example}" if self.example else ""
        note = f" ({self.note})" if self.note else ""
        return f"must lie in {self.describe()}{note}{example}"

    def schema(self) -> dict[str, Any]:
        low = "exclusiveMinimum" if self.open_low else "minimum"
        high = "exclusiveMaximum" if self.open_high else "maximum"
        return {low: self.low, high: self.high}

    def describe(self) -> str:
        left, right = "(" if self.open_low else "[", ")" if self.open_high else "]"
        return f"{left}{_number(self.low)}, {_number(self.high)}{right}"

    def invalid(self) -> tuple[Any, ...]:
        step = 1 if self.integer else max(abs(self.low), abs(self.high), 1.0) * 1e-3
        below = self.low if self.open_low else self.low - step
        above = self.high if self.open_high else self.high + step
        kind = int if self.integer else float
        return tuple(kind(value) for value in (below, above) if math.isfinite(value))


@dataclass(frozen=True)
class OneOf(Constraint):
    """One of a few words."""

    values: tuple[str, ...]

    def problem(self, value: str) -> str | None:
        return None if value in self.values else f"must be one of {list(self.values)}"

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.values)}

    def describe(self) -> str:
        return "one of " + ", ".join(self.values)

    def invalid(self) -> tuple[Any, ...]:
        return ("".join(self.values) + "?",)


@dataclass(frozen=True)
class Pattern(Constraint):
    """Text that matches ``regex`` whole; ``advice`` says what to write instead."""

    regex: str
    advice: str
    refused: tuple[str, ...]

    def problem(self, value: str) -> str | None:
        return None if re.fullmatch(self.regex, value) else self.advice

    def schema(self) -> dict[str, Any]:
        return {"pattern": f"^(?:{self.regex})$"}

    def describe(self) -> str:
        return f"matches {self.regex}"

    def invalid(self) -> tuple[Any, ...]:
        return self.refused


@dataclass(frozen=True)
class Contains(Constraint):
    """Text that holds ``part`` (a template's ``{text}`` slot)."""

    part: str
    advice: str

    def problem(self, value: str) -> str | None:
        return None if self.part in value else self.advice

    def schema(self) -> dict[str, Any]:
        return {"pattern": re.escape(self.part)}

    def describe(self) -> str:
        return f"holds {self.part}"

    def invalid(self) -> tuple[Any, ...]:
        return ("Review:",)


@dataclass(frozen=True)
class NotBlank(Constraint):
    """Text with something other than spaces in it."""

    def problem(self, value: str) -> str | None:
        return "is empty; give a name" if not value.strip() else None

    def schema(self) -> dict[str, Any]:
        return {"pattern": r"\S"}

    def describe(self) -> str:
        return "not blank"

    def invalid(self) -> tuple[Any, ...]:
        return ("", "  ")


@dataclass(frozen=True)
class Each(Constraint):
    """A list whose values each satisfy ``item``, given once each (``unique``) and at least one
    (``non_empty``); ``sample`` is a valid value, to build refused lists from."""

    item: Constraint
    sample: Any
    unique: bool = True
    non_empty: bool = False

    def problem(self, values: tuple) -> str | None:
        if self.non_empty and not values:
            return "needs at least one value"
        if self.unique and len(set(values)) != len(values):
            return "lists a value twice; give each once"
        for value in values:
            problem = self.item.problem(value)
            if problem:
                return f"holds {value!r}, which {problem}"
        return None

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"items": self.item.schema()}
        if self.unique:
            schema["uniqueItems"] = True
        if self.non_empty:
            schema["minItems"] = 1
        return schema

    def describe(self) -> str:
        words = [f"each {self.item.describe()}"]
        if self.unique:
            words.append("no value twice")
        if self.non_empty:
            words.append("at least one")
        return ", ".join(words)

    def invalid(self) -> tuple[Any, ...]:
        refused: list[tuple[Any, ...]] = [(self.sample, value) for value in self.item.invalid()]
        if self.unique:
            refused.append((self.sample, self.sample))
        if self.non_empty:
            refused.append(())
        return tuple(refused)


@dataclass(frozen=True)
class Rule(Constraint):
    """A check written as a function (``check(value)`` returns the problem or ``None``), with its
    schema and words stated beside it."""

    check: Callable[[Any], str | None]
    words: str
    keywords: dict[str, Any] = field(default_factory=dict)
    refused: tuple[Any, ...] = ()

    def problem(self, value: Any) -> str | None:
        return self.check(value)

    def schema(self) -> dict[str, Any]:
        return dict(self.keywords)

    def describe(self) -> str:
        return self.words

    def invalid(self) -> tuple[Any, ...]:
        return self.refused
