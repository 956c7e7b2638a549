"""Demo data with ground truth: a multi-source, realistically messy data set, its sources.toml and truth.csv."""

from loaders.demo.generate import generate_demo_data
from loaders.demo.summary import DemoSummary

__all__ = ["DemoSummary", "generate_demo_data"]
