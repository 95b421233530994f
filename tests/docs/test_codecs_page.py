"""The examples of docs/codecs.md run as written, in order (CODEC-1 .. CODEC-6, STORE-5)."""

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "codecs.md"


def test_codecs_page_examples_run(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 4
    namespace: dict = {}
    try:
        for block in blocks:
            exec(compile(block, str(PAGE), "exec"), namespace)
    finally:
        if "schema" in namespace:
            namespace["schema"].drop()
            namespace["dj"].codecs.unregister_codec("interval")
    assert "would delete 2" in capsys.readouterr().out
