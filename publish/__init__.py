"""djspecs.publish: bundles of DataJoint tables that are BagIt bags, RO-Crates and Frictionless Data Packages
at once, with Parquet payloads and DataCite metadata; exported, validated and re-imported on any backend.
"""

from .export import ExportSummary, Progress, TableSummary, export

__all__ = ["ExportSummary", "Progress", "TableSummary", "export"]
