"""Run by the CFG-4 test in a fresh process started with DJ_THREAD_SAFE=true; prints a JSON report.

    python thread_safe.py API_MODULE INSTANCE_ARGUMENTS_JSON SCHEMA_NAME

Each use of global state is tried and the classes of what it raised are reported; then an Instance built
from the arguments declares a table in the (existing) schema, inserts a row and reads it through a FreeTable.
"""

import importlib
import json
import sys


def raised(use) -> list[str] | None:
    """The class names (MRO) of the exception `use()` raises, None when it raises nothing."""
    try:
        use()
    except Exception as error:
        return [c.__name__ for c in type(error).__mro__]
    return None


def main(module: str, arguments: str, database: str) -> dict:
    dj = importlib.import_module(module)
    report = {
        "refused": {
            "dj.config[...]": raised(lambda: dj.config["safemode"]),
            "dj.config[...] = ...": raised(lambda: dj.config.__setitem__("safemode", False)),
            "dj.conn()": raised(dj.conn),
            "dj.Schema(name)": raised(lambda: dj.Schema(database)),
            "dj.FreeTable(name)": raised(lambda: dj.FreeTable(f"{database}.subject")),
        }
    }
    inst = dj.Instance(**json.loads(arguments))
    schema = inst.Schema(database)

    class Subject(dj.Manual):
        definition = "subject_id : int32\n---\nname : varchar(16)"

    schema(Subject)
    Subject.insert1({"subject_id": 1, "name": "Ann"})
    report["rows"] = inst.FreeTable(f"{database}.subject").to_dicts()
    report["same_connection"] = schema.connection is inst.connection
    inst.connection.close()
    return report


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
