"""The segment DSL: the validated AST, its preparation (saved segments, committee roles) and two compilers."""

from graph.segments.ast import Segment, SegmentError, parse_segment
from graph.segments.resolve import prepare, references

__all__ = ["Segment", "SegmentError", "parse_segment", "prepare", "references"]
