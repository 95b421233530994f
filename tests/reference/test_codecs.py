"""Codecs in the reference on SQLite, PostgreSQL and MariaDB (CODEC-1 .. CODEC-9): declaration, chains, the
interface and registry, insert and fetch through codecs, and the in-table built-ins `<blob>` and `<attach>`.

Store-backed codecs are in test_store_codecs.py; the `<blob>` bytes themselves in test_blob_format.py.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sqlglot import exp

import djspecs.reference as dj
from djspecs.reference import codecs
from djspecs.reference.backends.base import identifier
from tests.reference.blob_values import VALUES, assert_same

CALLS: list[tuple[str, object]] = []


class Shout(dj.Codec):
    """Upper-cases text on the way in; records its calls (CODEC-3)."""

    name = "djspecs_shout"

    def get_dtype(self, is_store):
        if is_store:
            raise dj.DataJointError("<djspecs_shout> is in-table only")
        return "varchar(32)"

    def validate(self, value):
        CALLS.append(("validate", value))
        if not isinstance(value, str):
            raise TypeError("a shout is a string")

    def encode(self, value, *, key=None, store_name=None):
        CALLS.append(("encode", dict(key), store_name))
        return value.upper()

    def decode(self, stored, *, key=None):
        CALLS.append(("decode", stored))
        return stored.lower() + "!"


class Wrap(dj.Codec):
    """An outer codec over <blob>: wraps values in a dict, to see the order of a chain (CODEC-4)."""

    name = "djspecs_wrap"

    def get_dtype(self, is_store):
        return "<blob>"

    def encode(self, value, *, key=None, context=None):
        CALLS.append(("wrap.encode", context["table"], context["field"]))
        return {"wrapped": value}

    def decode(self, stored, *, key=None, context=None):
        CALLS.append(("wrap.decode", sorted(context)))
        return stored["wrapped"]


def raw_column(table, column: str) -> list:
    """The stored values of a column, read around the codecs."""
    table = table() if isinstance(table, type) else table
    connection = table.connection
    query = exp.select(identifier(column)).from_(connection.backend.table(table.schema_name, table.table_name))
    return [connection.backend.from_driver(row[0], codecs.storage_type(table.heading[column].type)) for row in connection.query(query)]  # fmt: skip


def declare(schema, definition: str, name: str = "Rec", tier=dj.Manual):
    cls = type(name, (tier,), {"definition": definition})
    return schema(cls)


def test_codec_1_in_table_blob_column_is_bytes(schema):
    """CODEC-1, CODEC-7: `<blob>` is a bytes column holding the serialized value."""
    Rec = declare(schema, "rec_id : int32\n---\nsmall : <blob>")
    assert codecs.storage_type(Rec.heading["small"].type).name == "bytes"
    Rec.insert1({"rec_id": 1, "small": np.arange(3.0)})
    assert raw_column(Rec, "small") == [codecs.pack(np.arange(3.0))]
    assert_same(Rec.fetch1("small"), np.arange(3.0))
    assert Rec.heading["small"].type.text == "<blob>" and "small : <blob>" in Rec.describe()


@pytest.mark.parametrize("name", [n for n, v in VALUES.items() if v is not None])
def test_codec_7_blob_round_trips_every_value_family(schema, name):
    """CODEC-7, BLOB-1..3: each value family survives insert and fetch through the database (None is NULL, CODEC-5)."""
    Rec = declare(schema, "rec_id : int32\n---\nvalue : <blob>")
    Rec.insert1({"rec_id": 1, "value": VALUES[name]})
    assert raw_column(Rec, "value") == [codecs.pack(VALUES[name])]
    assert_same(Rec.fetch1("value"), codecs.unpack(codecs.pack(VALUES[name])))


def test_codec_2_custom_codec_registers_by_subclassing():
    """CODEC-2: a subclass with a name is registered; the same name from another class is refused."""
    assert "djspecs_shout" in dj.list_codecs() and isinstance(dj.get_codec("djspecs_shout"), Shout)
    with pytest.raises(dj.DataJointError, match="already registered"):
        type("OtherShout", (dj.Codec,), {"name": "djspecs_shout"})
    with pytest.raises(dj.DataJointError, match="non-empty string"):
        type("Nameless", (dj.Codec,), {"name": ""})
    type("Abstract", (dj.Codec,), {"name": "djspecs_abstract"}, register=False)
    assert "djspecs_abstract" not in dj.list_codecs()
    with pytest.raises(dj.DataJointError, match="not registered"):
        dj.get_codec("djspecs_nowhere")


def test_codec_2_codecs_from_entry_points(tmp_path, monkeypatch):
    """CODEC-2: an installed package's `djspecs.codecs` entry point is loaded on the first look-up."""
    package = tmp_path / "djspecs_plugin_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent("""
        class Reverse:  # duck-typed: entry points may name classes that do not subclass dj.Codec
            name = "djspecs_reverse"
            def get_dtype(self, is_store): return "varchar(20)"
            def encode(self, value, *, key=None): return value[::-1]
            def decode(self, stored, *, key=None): return stored[::-1]
            def validate(self, value): pass
            def referenced_paths(self, stored): return []
    """)
    )
    info = tmp_path / "djspecs_plugin_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: djspecs-plugin-pkg\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[djspecs.codecs]\ndjspecs_reverse = djspecs_plugin_pkg:Reverse\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(codecs.base.PLUGINS, "loaded", False)
    try:
        assert dj.get_codec("djspecs_reverse").encode("abc") == "cba"
        assert "djspecs_reverse" in dj.list_codecs()
    finally:
        codecs.unregister_codec("djspecs_reverse")
        sys.modules.pop("djspecs_plugin_pkg", None)


def test_codec_3_validate_runs_before_encode_and_refuses(schema):
    """CODEC-3: validate sees the value first; a TypeError from it names the attribute and inserts nothing."""
    Rec = declare(schema, "rec_id : int32\n---\nunit : <djspecs_shout>")
    CALLS.clear()
    Rec.insert1({"rec_id": 1, "unit": "mV"})
    assert [c[0] for c in CALLS] == ["validate", "encode"]
    assert raw_column(Rec, "unit") == ["MV"] and Rec.fetch1("unit") == "mv!"
    with pytest.raises(TypeError, match=r"unit.*a shout is a string"):
        Rec.insert1({"rec_id": 2, "unit": 5})
    assert len(Rec) == 1
    assert Rec.validate([{"rec_id": 3, "unit": "x"}]).is_valid


def test_codec_3_unsupported_mode_fails_at_declaration(schema):
    """CODEC-3: get_dtype raising for the store mode makes `<djspecs_shout@>` undeclarable."""
    with pytest.raises(dj.DataJointError, match="in-table only"):
        declare(schema, "rec_id : int32\n---\nunit : <djspecs_shout@>")


def test_codec_3_default_referenced_paths():
    """CODEC-3: the default reads `path` and `store` of a dict or JSON text, nothing otherwise."""
    codec = dj.get_codec("djspecs_shout")
    assert codec.referenced_paths({"path": "_hash/s/x", "store": "main"}) == [("_hash/s/x", "main")]
    assert codec.referenced_paths('{"path": "p"}') == [("p", None)]
    assert codec.referenced_paths(b"bytes") == [] and codec.referenced_paths("not json") == []


def test_codec_4_chain_encodes_outside_in_and_decodes_inside_out(schema):
    """CODEC-4: <djspecs_wrap> → <blob> → bytes; encoders outermost first, decoders innermost first."""
    Rec = declare(schema, "rec_id : int32\n---\npayload : <djspecs_wrap>")
    chain = codecs.resolve(Rec.heading["payload"].type)
    assert [c.name for c in chain.codecs] == ["djspecs_wrap", "blob"] and chain.storage.name == "bytes"
    CALLS.clear()
    Rec.insert1({"rec_id": 1, "payload": [1, 2]})
    assert CALLS == [("wrap.encode", "rec", "payload")]
    assert codecs.unpack(raw_column(Rec, "payload")[0]) == {"wrapped": [1, 2]}
    CALLS.clear()
    assert Rec.fetch1("payload") == [1, 2]
    assert CALLS == [("wrap.decode", ["config"])]


def test_codec_4_cycles_are_refused(schema):
    """CODEC-4: a codec met twice in a chain is an error naming the circular reference."""
    ping = type("Ping", (dj.Codec,), {"name": "djspecs_ping", "get_dtype": lambda self, s: "<djspecs_pong>"})
    pong = type("Pong", (dj.Codec,), {"name": "djspecs_pong", "get_dtype": lambda self, s: "<djspecs_ping>"})
    try:
        with pytest.raises(dj.DataJointError, match="Circular codec reference detected: <djspecs_ping>"):
            declare(schema, "rec_id : int32\n---\nx : <djspecs_ping>")
    finally:
        for codec in (ping, pong):
            codecs.unregister_codec(codec.name)


def test_codec_5_none_bypasses_the_codec(schema):
    """CODEC-5: None is stored as NULL without validate or encode, and fetched as None without decode."""
    Rec = declare(schema, "rec_id : int32\n---\nunit = null : <djspecs_shout>\nextra = null : <blob>")
    CALLS.clear()
    Rec.insert1({"rec_id": 1, "unit": None, "extra": None})
    assert Rec.fetch1() == {"rec_id": 1, "unit": None, "extra": None}
    assert CALLS == []


def test_codec_5_unregistered_codec_fails_only_when_used(schema):
    """CODEC-5: a heading with an unknown codec loads; encoding or decoding it raises `not registered`."""
    codec = type("Temporary", (dj.Codec,), {
        "name": "djspecs_temporary", "get_dtype": lambda self, s: "varchar(8)",
        "encode": lambda self, v, *, key=None: v, "decode": lambda self, v, *, key=None: v})  # fmt: skip
    Rec = declare(schema, "rec_id : int32\n---\nnote : <djspecs_temporary>\nother = 1 : int32")
    Rec.insert1({"rec_id": 1, "note": "hi"})
    codecs.unregister_codec(codec.name)
    opened = dj.virtual_schema(schema.database, connection=schema.connection).Rec
    assert opened.heading.names == ["rec_id", "note", "other"] and opened.fetch1("other") == 1
    with pytest.raises(dj.DataJointError, match=r"`rec`\.note.*Codec <djspecs_temporary> is not registered"):
        opened.fetch1("note")
    with pytest.raises(dj.DataJointError, match="is not registered"):
        opened.insert1({"rec_id": 2, "note": "x"})


def test_codec_6_encode_receives_schema_table_field_config_and_key(schema):
    """CODEC-6: `key` holds _schema, _table (SQL name), _field, _config and the key values of the row."""

    class Upstream(dj.Manual):
        definition = "up_id : int32"

    class Analysis(dj.Computed):
        definition = "-> Upstream\n---\nlabel : <djspecs_shout>"

    schema(Upstream)
    schema(Analysis, context={"Upstream": Upstream})
    Upstream.insert1({"up_id": 5})
    CALLS.clear()
    Analysis.insert1({"up_id": 5, "label": "x"}, allow_direct_insert=True)
    (_, key, store_name) = next(c for c in CALLS if c[0] == "encode")
    assert key == {"_schema": schema.database, "_table": "__analysis", "_field": "label",
                   "_config": schema.connection.settings, "up_id": 5}  # fmt: skip
    assert store_name is None


def test_codec_7_attach_in_table_bytes_and_fetch_to_download_path(schema, tmp_path):
    """CODEC-7, CODEC-9: the column holds name, NUL, bytes; fetch writes into download_path, never clobbering."""
    Doc = declare(schema, "doc_id : int32\n---\nreport : <attach>", "Doc")
    first, second = tmp_path / "a" / "notes.txt", tmp_path / "b" / "notes.txt"
    for path, text in ((first, b"hi"), (second, b"other")):
        path.parent.mkdir()
        path.write_bytes(text)
    Doc.insert([{"doc_id": 1, "report": str(first)}, {"doc_id": 2, "report": second}])
    assert sorted(raw_column(Doc, "report")) == [b"notes.txt\x00hi", b"notes.txt\x00other"]
    settings = schema.connection.settings
    previous, settings["download_path"] = settings["download_path"], str(tmp_path / "dl")
    try:
        one = (Doc & {"doc_id": 1}).fetch1("report")
        two = (Doc & {"doc_id": 2}).fetch1("report")
        again = (Doc & {"doc_id": 1}).fetch1("report")
    finally:
        settings["download_path"] = previous
    assert (one, two, again) == (str(tmp_path / "dl" / "notes.txt"), str(tmp_path / "dl" / "notes_1.txt"), one)
    assert Path(two).read_bytes() == b"other"
    with pytest.raises(IsADirectoryError, match="report"):
        Doc.insert1({"doc_id": 3, "report": str(tmp_path / "a")})
    with pytest.raises(FileNotFoundError, match="report"):
        Doc.insert1({"doc_id": 4, "report": str(tmp_path / "missing.txt")})
    assert len(Doc) == 2


@pytest.mark.parametrize("codec", ["hash", "object", "npy", "filepath"])
def test_codec_8_store_only_codecs_need_an_at(schema, codec):
    """CODEC-8: `<hash>`, `<object>`, `<npy>`, `<filepath>` without @ fail at declaration."""
    with pytest.raises(dj.DataJointError, match=rf"<{codec}> requires @"):
        declare(schema, f"rec_id : int32\n---\nx : <{codec}>")


def test_codec_blob_in_the_primary_key_is_refused(schema):
    """DEF-8 with codecs: a codec stored as bytes or json cannot be part of the primary key."""
    with pytest.raises(dj.DataJointError, match="primary key"):
        declare(schema, "k : <blob>\n---\nx : int32")


def test_codec_update1_encodes(schema):
    """DML-20 with codecs: update1 encodes the new value as insert does."""
    Rec = declare(schema, "rec_id : int32\n---\nvalue : <blob>")
    Rec.insert1({"rec_id": 1, "value": [1]})
    Rec.update1({"rec_id": 1, "value": {"b": np.ones(2)}})
    assert_same(Rec.fetch1("value"), {"b": np.ones(2)})
