"""Auto-populated tables in direct mode: key_source, the three forms of make, transactions, errors (POP rules)."""

import time

import pytest

import djspecs.reference as dj


@pytest.fixture
def pipeline(schema):
    @schema
    class Recording(dj.Manual):
        definition = """
        recording: int32
        ---
        samples: int32
        """

    @schema
    class Filter(dj.Lookup):
        definition = """
        cutoff: int32
        """
        contents = [{"cutoff": 10}, {"cutoff": 20}]

    calls = []

    @schema
    class Spikes(dj.Computed):
        definition = """
        -> Recording
        -> Filter
        ---
        count: int32
        """

        class Unit(dj.Part):
            definition = """
            -> master
            unit: int32
            """

        def make(self, key):
            calls.append(dict(key))
            samples = (Recording & key).fetch1("samples")
            if samples < 0:
                raise ValueError("negative samples")
            self.insert1({**key, "count": samples // key["cutoff"]})
            self.Unit.insert([{**key, "unit": u} for u in range(2)])

    Recording.insert([{"recording": r, "samples": 100 * r} for r in (1, 2, 3)])
    return Recording, Filter, Spikes, calls


def test_key_source_and_populate(pipeline):  # POP-2, POP-10, POP-20, POP-21, POP-26
    Recording, Filter, Spikes, calls = pipeline
    assert len(Spikes.key_source) == 6 and Spikes.key_source.primary_key == ["recording", "cutoff"]
    assert Spikes.progress() == (6, 6)
    assert Spikes.populate(max_calls=2) == {"success_count": 2, "error_list": []}
    assert Spikes.populate({"recording": 3}) == {"success_count": 2, "error_list": []}
    assert Spikes.progress() == (2, 6)
    Spikes.populate()
    assert Spikes.progress() == (0, 6) and len(Spikes.Unit()) == 12 and len(calls) == 6
    assert Spikes.populate() == {"success_count": 0, "error_list": []}  # nothing left: make is not called again
    assert len(calls) == 6


def test_an_error_rolls_back_the_master_and_its_parts(pipeline):  # POP-10, POP-22
    Recording, _, Spikes, _ = pipeline
    Recording.insert1({"recording": 9, "samples": -1})
    with pytest.raises(ValueError, match="negative"):
        Spikes.populate({"recording": 9})
    assert len(Spikes & {"recording": 9}) == 0 and len(Spikes.Unit & {"recording": 9}) == 0
    result = Spikes.populate(suppress_errors=True)
    assert result["success_count"] == 6 and len(result["error_list"]) == 2
    key, message = result["error_list"][0]
    assert key["recording"] == 9 and "negative samples" in message
    objects = Spikes.populate(suppress_errors=True, return_exception_objects=True)["error_list"]
    assert all(isinstance(error, ValueError) for _, error in objects)


def test_direct_inserts_are_refused_outside_make(pipeline):  # POP-25, DML-9
    _, _, Spikes, _ = pipeline
    with pytest.raises(dj.DataJointError, match="make method"):
        Spikes.insert1({"recording": 1, "cutoff": 10, "count": 1})


def test_populate_refuses_transactions_and_restrictions(pipeline, connection):  # POP-20
    _, _, Spikes, _ = pipeline
    with connection.transaction, pytest.raises(dj.DataJointError, match="during a transaction"):
        Spikes.populate()
    with pytest.raises(dj.DataJointError, match="restricted"):
        (Spikes & {"recording": 1}).populate()


def test_three_part_make_and_refetch_check(schema):  # POP-1, POP-12
    @schema
    class Source(dj.Manual):
        definition = """
        source: int32
        ---
        value: int32
        """

    @schema
    class Double(dj.Computed):
        definition = """
        -> Source
        ---
        doubled: int32
        """

        def make_fetch(self, key):
            return ((Source & key).fetch1("value"),)

        def make_compute(self, key, value):
            return (2 * value,)

        def make_insert(self, key, doubled):
            self.insert1({**key, "doubled": doubled})

    class Broken(dj.Computed):
        definition = """
        -> Source
        """

    Source.insert([{"source": s, "value": s} for s in range(3)])
    assert Double.populate()["success_count"] == 3
    assert sorted(r["doubled"] for r in Double.to_dicts()) == [0, 2, 4]
    schema(Broken)
    with pytest.raises(NotImplementedError):
        Broken.populate()


def test_generator_make(schema):  # POP-13
    @schema
    class Number(dj.Manual):
        definition = """
        n: int32
        """

    @schema
    class Square(dj.Computed):
        definition = """
        -> Number
        ---
        squared: int64
        """

        def make(self, key):
            (n,) = fetched = (key["n"],)
            computed = yield fetched  # None in the first pass; the computed result in the second
            if computed is None:
                computed = n**2
                yield computed
            self.insert1({**key, "squared": computed})
            yield

    Number.insert([{"n": n} for n in range(4)])
    assert Square.populate()["success_count"] == 4
    assert sorted(r["squared"] for r in Square.to_dicts()) == [0, 1, 4, 9]


def test_changed_upstream_data_fails_the_refetch_check(schema):  # POP-12
    @schema
    class Reading(dj.Manual):
        definition = """
        reading: int32
        ---
        value: int32
        """

    @schema
    class Scaled(dj.Computed):
        definition = """
        -> Reading
        ---
        scaled: int32
        """

        def make_fetch(self, key):
            return ((Reading & key).fetch1("value"),)

        def make_compute(self, key, value):
            Reading.update1({**key, "value": value + 1})  # another process changes the input meanwhile
            return (value * 10,)

        def make_insert(self, key, scaled):
            self.insert1({**key, "scaled": scaled})

    Reading.insert1({"reading": 1, "value": 5})
    with pytest.raises(dj.DataJointError, match="Referential integrity failed"):
        Scaled.populate()
    assert len(Scaled()) == 0


def test_a_make_that_inserts_nothing_succeeds_and_leaves_its_key_pending(schema):  # POP-4, POP-3
    @schema
    class Recording(dj.Manual):
        definition = """
        recording: int32
        ---
        ready: bool
        """

    @schema
    class Summary(dj.Computed):
        definition = """
        -> Recording
        ---
        scale: int32
        """

        def make(self, key, scale=1):  # make_kwargs steer the work (POP-3)
            if (Recording & key).fetch1("ready"):
                self.insert1({**key, "scale": scale})

    Recording.insert([{"recording": 1, "ready": True}, {"recording": 2, "ready": False}])
    assert Summary.populate(make_kwargs={"scale": 3}) == {"success_count": 2, "error_list": []}
    assert Summary.progress() == (1, 2) and Summary.fetch1("scale") == 3
    assert Summary.populate(reserve_jobs=True) == {"success_count": 1, "error_list": []}
    assert Summary.jobs.progress()["total"] == 0 and Summary.jobs.refresh()["added"] == 1  # pending again


def test_a_nondeterministic_make_fetch_always_fails(schema):  # POP-14
    @schema
    class Clock(dj.Lookup):
        definition = """
        tick: int32
        """
        contents = [{"tick": 1}]

    @schema
    class Stamp(dj.Computed):
        definition = """
        -> Clock
        ---
        at: float64
        """

        def make_fetch(self, key):
            return (time.perf_counter_ns(),)

        def make_compute(self, key, at):
            return (float(at),)

        def make_insert(self, key, at):
            self.insert1({**key, "at": at})

    result = Stamp.populate(suppress_errors=True)
    assert result["success_count"] == 0 and "Referential integrity failed" in result["error_list"][0][1]
    assert len(Stamp()) == 0


def test_make_cannot_open_its_own_transaction(pipeline, connection):  # POP-10
    Recording, _, Spikes, _ = pipeline

    def make(self, key):
        with self.connection.transaction:
            self.insert1({**key, "count": 0})

    Spikes.make = make
    with pytest.raises(dj.DataJointError, match="Nested"):
        Spikes.populate({"recording": 1})
    assert len(Spikes()) == 0


def test_the_insert_permission_ends_with_make_even_when_it_fails(pipeline):  # POP-25
    Recording, _, Spikes, _ = pipeline
    Recording.insert1({"recording": 9, "samples": -1})
    assert len(Spikes.populate(suppress_errors=True)["error_list"]) == 2
    assert len(Spikes.populate(reserve_jobs=True, suppress_errors=True)["error_list"]) == 2
    assert len(Spikes.populate(reserve_jobs=True, suppress_errors=True)["error_list"]) == 0  # error jobs stay
    with pytest.raises(dj.DataJointError, match="make method"):
        Spikes.insert1({"recording": 9, "cutoff": 10, "count": 1})
