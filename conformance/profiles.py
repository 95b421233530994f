"""The suite's hypothesis profiles, under its own names (hypothesis loads its own `ci` when CI is set).

`djspecs-ci` is bounded and derandomized (the same examples every run, quick enough for CI);
`djspecs-deep` draws many more examples from a recorded seed, for certification.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

PROFILES = {"ci": "djspecs-ci", "deep": "djspecs-deep"}
EXAMPLES = {"ci": 15, "deep": 2000}  # per property; the state machine runs a fifth as many sequences
_SHARED = dict(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=False,
)


def register_profiles() -> None:
    settings.register_profile(PROFILES["ci"], max_examples=EXAMPLES["ci"], derandomize=True, **_SHARED)
    settings.register_profile(PROFILES["deep"], max_examples=EXAMPLES["deep"], derandomize=False, **_SHARED)


def load_profile(name: str, max_examples: int | None = None) -> None:
    """Load a suite profile; `max_examples` bounds it (recorded in the certificate) for time-boxed runs."""
    if max_examples is None:
        settings.load_profile(PROFILES[name])
        return
    bounded = f"{PROFILES[name]}-{max_examples}"
    settings.register_profile(bounded, parent=settings.get_profile(PROFILES[name]), max_examples=max_examples)
    settings.load_profile(bounded)
