"""The app compiles the statistics at start-up, in the background, once per process."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_app_start_warms_the_statistics_once(tmp_path) -> None:
    # a fresh process, so that the once-per-process rule is observed from the start
    code = textwrap.dedent(f"""
        import os, time
        os.environ["PWS_WARMUP"] = "1"
        os.environ["PWS_DATABASE_URL"] = "sqlite:///{tmp_path}/w.sqlite"
        from dashboard import warmup
        from dashboard.app import create_app
        from layers.diarrhoea import weights
        create_app()
        assert warmup.done.wait(300), "warm-up did not finish"
        assert weights.warm_up() == 0.0, "esda was not compiled by the warm-up"
        assert warmup.start() is False, "a second app started a second warm-up"
        print("warm")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=400)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("warm")


def test_warm_up_can_be_switched_off(tmp_path) -> None:
    code = textwrap.dedent(f"""
        import os
        os.environ["PWS_WARMUP"] = "0"
        os.environ["PWS_DATABASE_URL"] = "sqlite:///{tmp_path}/w.sqlite"
        from dashboard import warmup
        from dashboard.app import create_app
        create_app()
        assert warmup.start() is False and not warmup.done.is_set()
        print("cold")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=200)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("cold")
