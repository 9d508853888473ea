"""Student-PII detector: Presidio tuned for school posts (see detector.py and engine.py)."""

from detectors.pii.detector import StudentPiiDetector
from detectors.pii.settings import StudentPiiSettings

__all__ = ["StudentPiiDetector", "StudentPiiSettings"]
