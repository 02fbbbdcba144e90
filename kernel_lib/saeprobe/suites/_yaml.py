"""Reading a suite file's YAML safely: no anchors' aliases (a few hundred bytes of nested aliases
expand past memory, and suites need none), no key given twice, booleans only as ``true`` and
``false`` (so ``name: yes`` stays the name ``yes``), and a cap on the file's size."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import SettingsError

MAX_SUITE_BYTES = 1 << 20  # a suite of thousands of datasets is a few hundred kB
_BOOL = "tag:yaml.org,2002:bool"


class _SuiteLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases or repeated keys, booleans as YAML 1.2 writes them."""

    source = ""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise SettingsError(
                f"suite file {self.source!r} line {event.start_mark.line + 1}: the alias *{event.anchor} repeats "
                "another part of the file; suites take no YAML anchors or aliases, write the value out"
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, list | dict):
                raise SettingsError(f"suite file {self.source!r} line {line}: a key must be a name, not {key!r}")
            if key in seen:
                raise SettingsError(
                    f"suite file {self.source!r} line {line}: the key {key!r} is given twice (first on line "
                    f"{seen[key]}); give each key once"
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


_SuiteLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SuiteLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def read_suite_yaml(path: Path) -> Any:
    """The YAML (or JSON) content of the suite file ``path``. Raises :class:`SettingsError` for a
    file over :data:`MAX_SUITE_BYTES`, invalid YAML, an alias or a key given twice."""
    size = path.stat().st_size
    if size > MAX_SUITE_BYTES:
        raise SettingsError(
            f"suite file {str(path)!r} holds {size:,} bytes, more than the {MAX_SUITE_BYTES:,} a suite may; "
            "split it into several suites"
        )
    loader = _SuiteLoader(path.read_text(encoding="utf-8"))
    loader.source = str(path)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise SettingsError(f"suite file {str(path)!r} is not valid YAML: {str(exc).splitlines()[0]}") from None
    finally:
        loader.dispose()
