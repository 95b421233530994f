"""DataJoint Specs 2.0 as data: rules, test vectors, and the vocabularies they use."""

from .load import RuleSet, SpecFileError, load_area, load_register, load_rules, load_vectors, load_vocabulary, spec_dir
from .model import LEVELS, Area, Decision, Example, Rule, Source, Vector, Vocabulary

__all__ = [
    "LEVELS",
    "Area",
    "Decision",
    "Example",
    "Rule",
    "RuleSet",
    "Source",
    "SpecFileError",
    "Vector",
    "Vocabulary",
    "load_area",
    "load_register",
    "load_rules",
    "load_vectors",
    "load_vocabulary",
    "spec_dir",
]
