"""djspecs: DataJoint Specs 2.0 made executable.

The parts live under this namespace: `djspecs.spec` (the rules as data), `djspecs.reference`
(the reference implementation), `djspecs.conformance` (the suite) and `djspecs.publish` (bundles and DOIs).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("djspecs")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0"

SPEC_VERSION = "2.0"
