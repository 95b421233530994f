"""The suite checks itself against spec/: every rule has a test, and every test names real rules."""

from __future__ import annotations

from djspecs.spec import load_rules


def test_every_rule_has_a_test(collected_rules):
    """A rule of any level that no collected test names is a gap, unless the rule says it is not testable: a
    SHOULD or MAY rule an implementation does not follow shows as failed in its certificate, never as a blank."""
    named = set().union(*collected_rules.values()) if collected_rules else set()
    gaps = [rule.id for rule in load_rules() if rule.conformance.testable and rule.id not in named]
    assert gaps == [], f"{len(gaps)} rules have no test: {', '.join(gaps)}"


def test_tests_name_existing_rules(collected_rules):
    rules = load_rules()
    unknown = {test: ids for test, ids in collected_rules.items() if any(i not in rules for i in ids)}
    assert unknown == {}, f"tests name rules that spec/ does not define: {unknown}"


def test_untestable_rules_have_no_test(collected_rules):
    """A rule marked `testable: false` that a test names contradicts itself."""
    named = set().union(*collected_rules.values()) if collected_rules else set()
    contradictions = [r.id for r in load_rules() if not r.conformance.testable and r.id in named]
    assert contradictions == []
