"""Student-PII detector: recall-first candidates (spaCy + name gazetteers) and a fitted decision stage."""

from detectors.pii.detector import StudentPiiDetector
from detectors.pii.settings import StudentPiiSettings

__all__ = ["StudentPiiDetector", "StudentPiiSettings"]
