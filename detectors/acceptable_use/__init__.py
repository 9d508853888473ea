"""Acceptable-use detector: profanity, harassment, threats, self-harm language (word lists)."""

from detectors.acceptable_use.detector import AcceptableUseDetector, AcceptableUseSettings

__all__ = ["AcceptableUseDetector", "AcceptableUseSettings"]
