"""Detector registry: the built-ins listed explicitly (in run order), plus entry points
`scanner.detectors`."""

from scanner.plugins import Registry

DETECTORS = Registry(
    "detector",
    "scanner.detectors",
    {
        "student_pii": "detectors.pii:StudentPiiDetector",
        "disclaimer": "detectors.disclaimer:DisclaimerDetector",
        "posting_time": "detectors.posting_time:PostingTimeDetector",
        "acceptable_use": "detectors.acceptable_use:AcceptableUseDetector",
    },
)
