"""A small pipeline declared in a given schema, shared by the DML and fetch tests."""

import djspecs.reference as dj


def declare(schema):
    @schema
    class Subject(dj.Manual):
        definition = """
        # experimental subjects
        subject_id: int32
        ---
        name = "anon": varchar(30)  # nickname
        sex = null: enum('F', 'M')
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session_id: int16
        ---
        started = CURRENT_TIMESTAMP: datetime(3)
        ok = true: bool
        """

        class Trial(dj.Part):
            definition = """
            -> master
            trial: int32
            ---
            score = null: float64
            """

    @schema
    class Note(dj.Manual):
        definition = """
        -> Session
        note_id: int32
        ---
        text: varchar(200)
        """

    return Subject, Session, Note
