"""Rewrite the `settings` definition of the result's JSON Schema from SweepSettings' declarations.

Adding a setting means declaring it in kernel_lib/saeprobe/config/_settings.py, then running this, then
`npm run build` (the widget's types) and `python tools/dump_widget_fixture.py` (the front-end
fixture); tests fail until all three are current.
"""

from __future__ import annotations

import json
from pathlib import Path

from saeprobe.config import SweepSettings, json_schema
from saeprobe.sweeps import SCHEMA_PATH


def main() -> None:
    schema = json.loads(Path(SCHEMA_PATH).read_text())
    schema["$defs"]["settings"] = json_schema(SweepSettings)
    Path(SCHEMA_PATH).write_text(json.dumps(schema, indent=2) + "\n")
    print(f"wrote the settings of {SCHEMA_PATH}")


if __name__ == "__main__":
    main()
