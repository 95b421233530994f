"""Many rows at once (DML-1): the bulk path (COPY, literal multi-row INSERTs, executemany) keeps every value exactly."""

import datetime as dt
import decimal
import uuid

import djspecs.reference as dj

TRICKY = ["plain", "it's", 'say "hi"', "back\\slash", "100% sure %s %%", "tab\there\nnewline", "ünïcødé ✓", "", "?"]


def test_rows_past_the_few_rows_threshold_round_trip(schema):  # DML-1
    @schema
    class Many(dj.Manual):
        definition = """
        many_id: int64
        ---
        word: varchar(40)
        x: float64
        flag: bool
        maybe = null: int32
        amount = null: decimal(8, 3)
        when = null: datetime(3)
        id = null: uuid
        """

    rows = [
        {
            "many_id": 2**62 + i if i % 7 == 0 else i,
            "word": TRICKY[i % len(TRICKY)],
            "x": (i - 100) * 1.1e-300 if i % 5 == 0 else i / 3,
            "flag": i % 2 == 0,
            "maybe": None if i % 3 == 0 else -i,
            "amount": decimal.Decimal(i) / 8 if i % 4 == 0 else None,
            "when": dt.datetime(2024, 1, 1, 12, 0, i % 60, 123000) if i % 6 else None,
            "id": uuid.UUID(int=i) if i % 9 else None,
        }
        for i in range(300)
    ]
    Many.insert(rows)
    fetched = {row["many_id"]: row for row in Many.to_dicts()}
    assert len(fetched) == len(rows)
    for row in rows:
        assert fetched[row["many_id"]] == row
