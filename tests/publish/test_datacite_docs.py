"""The worked example of docs/doi.md runs as written, against the local DataCite server."""

from __future__ import annotations

import re

FENCE = re.compile(r"```python\n(.*?)```", re.S)


def test_doi_guide_examples_run(root):
    blocks = FENCE.findall((root / "docs" / "doi.md").read_text(encoding="utf-8"))
    assert len(blocks) == 3
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/doi.md", "exec"), namespace)
    assert namespace["published"].state == "findable" and namespace["second"].previous == namespace["first"].version.doi


def test_doi_guide_shows_what_problems_really_prints():
    """The listing of problems in the guide is the output of that bad input, word for word."""
    from djspecs.publish.datacite import Record

    bad = Record.from_dict(
        {
            "title": "Calcium imaging, mouse V1",
            "creators": [
                {
                    "name": "Doe, Jane",
                    "orcid": "0000-0002-1825-0098",
                    "affiliation": {"name": "Lab", "ror": "https://ror.org/05gq02988"},
                }
            ],
            "resourceTypeGeneral": "Spreadsheet",
            "relatedIdentifiers": [
                {"relatedIdentifier": "10.1234/paper.5", "relatedIdentifierType": "DOI", "relationType": "IsFriendOf"}
            ],
        }
    )
    from tests.conftest import ROOT

    shown = re.search(r"```text\n(.*?)```", (ROOT / "docs" / "doi.md").read_text(encoding="utf-8"), re.S).group(1)
    assert bad.problems() == shown.strip().splitlines()
