"""`djspecs export`, `validate` and `import` from the command line (PUB-1, PUB-7, PUB-10, PUB-11)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import djspecs.reference as dj
from djspecs.cli import main
from tests.publish.conftest import declare_pipeline


def test_export_validate_import_from_the_command_line(tmp_path):
    source = tmp_path / "lab.db"
    schema = dj.Schema("lab", connection=dj.Connection({"database.backend": "sqlite", "database.name": str(source)}))
    declare_pipeline(schema)
    schema.connection.close()
    runner = CliRunner()
    bundle = tmp_path / "bundle.zip"
    record = tmp_path / "datacite.json"
    record.write_text(json.dumps({"doi": "10.80507/cli-1", "title": "Mice", "creators": ["Doe, Ann"], "publisher": "lab",
                                  "publicationYear": 2026, "resourceTypeGeneral": "Dataset"}))  # fmt: skip
    exported = runner.invoke(main, ["export", str(bundle), "--database", str(source), "--schema", "lab", "--datacite", str(record),
                                    "--where", "Session", '{"subject_id": 1}', "--where", "Session", "session = 6"])  # fmt: skip
    assert exported.exit_code == 0, exported.output
    assert "5 rows in 2 tables" in exported.output and "DOI 10.80507/cli-1" in " ".join(exported.output.split())
    checked = runner.invoke(main, ["validate", str(bundle)])
    assert checked.exit_code == 0 and "valid" in checked.output and "DOI 10.80507/cli-1" in checked.output, (
        checked.output
    )
    imported = runner.invoke(main, ["import", str(bundle), "--database", str(tmp_path / "copy.db"), "--schema", "copy"])
    assert imported.exit_code == 0 and "1 foreign keys checked, all satisfied" in imported.output, imported.output


def test_validate_exits_non_zero_and_lists_problems(tmp_path):
    source = tmp_path / "lab.db"
    schema = dj.Schema("lab", connection=dj.Connection({"database.backend": "sqlite", "database.name": str(source)}))
    declare_pipeline(schema)
    schema.connection.close()
    runner = CliRunner()
    assert (
        runner.invoke(main, ["export", str(tmp_path / "b"), "--database", str(source), "--schema", "lab"]).exit_code
        == 0
    )
    (tmp_path / "b" / "data" / "README.md").write_text("edited")
    result = runner.invoke(main, ["validate", str(tmp_path / "b")], terminal_width=200)
    assert result.exit_code == 1
    assert "data/README.md" in result.output and "sha256" in result.output


def test_unknown_table_is_named(tmp_path):
    source = tmp_path / "lab.db"
    dj.Schema("lab", connection=dj.Connection({"database.backend": "sqlite", "database.name": str(source)}))
    result = CliRunner().invoke(
        main, ["export", str(tmp_path / "b"), "--database", str(source), "--schema", "lab", "--table", "Nope"]
    )
    assert result.exit_code != 0 and "no table 'Nope' in lab" in result.output
    assert not Path(tmp_path / "b").exists()
