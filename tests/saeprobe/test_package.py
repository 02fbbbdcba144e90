import importlib
import pkgutil
import subprocess
import sys

import saeprobe


def test_public_names_stay_the_functions_after_every_submodule_is_imported():
    for module in pkgutil.iter_modules(saeprobe.__path__):
        importlib.import_module(f"saeprobe.{module.name}")
    for name in saeprobe.__all__:
        assert not isinstance(getattr(saeprobe, name), type(saeprobe)), f"saeprobe.{name} is shadowed by a module"
    assert callable(saeprobe.sweep) and callable(saeprobe.extract)


def test_the_job_files_load_without_torch():
    code = "import sys, saeprobe.jobs, saeprobe.cache; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
