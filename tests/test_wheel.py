"""The built wheel works on its own: installed into a fresh virtual environment outside the checkout."""

import subprocess
import sys
import venv

import pytest

from djspecs.spec import load_rules


@pytest.mark.slow
def test_wheel_installs_and_counts_rules(root, tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(dist), str(root)],
        check=True,
        cwd=tmp_path,
    )
    wheel = next(dist.glob("djspecs-*.whl"))
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, cwd=tmp_path)

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = subprocess.run(
        [str(environment / "bin" / "djspecs"), "rules", "--count"],
        capture_output=True,
        text=True,
        cwd=outside,
        check=True,
    )
    assert int(result.stdout) == len(load_rules()) >= 150

    # The rule files come from the installed package, not from this checkout.
    where = subprocess.run(
        [str(python), "-c", "from djspecs.spec import spec_dir; print(spec_dir())"],
        capture_output=True,
        text=True,
        cwd=outside,
        check=True,
    )
    assert str(environment) in where.stdout and str(root) not in where.stdout
    vectors = subprocess.run(
        [str(environment / "bin" / "djspecs"), "vectors", "--count"],
        capture_output=True,
        text=True,
        cwd=outside,
        check=True,
    )
    assert int(vectors.stdout) >= 150

    # Every subpackage made it into the wheel: the reference declares and queries a table on SQLite.
    script = (
        "import djspecs.reference as dj\n"
        "schema = dj.Schema('wheel', connection=dj.Connection({'database.backend': 'sqlite'}))\n"
        "@schema\n"
        "class Thing(dj.Manual):\n"
        "    definition = 'thing_id : int32'\n"
        "Thing.insert([{'thing_id': 1}])\n"
        "print(len(Thing()))\n"
    )
    counted = subprocess.run([str(python), "-c", script], capture_output=True, text=True, cwd=outside, check=True)
    assert counted.stdout.strip() == "1"
