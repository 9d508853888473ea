"""`StudentPiiDetector`: Presidio tuned for school posts.

Presidio (built once, see `engine.py`) proposes candidates — spaCy PERSON spans, phone numbers,
e-mail addresses, street addresses, student numbers, birth dates, ages, roster names. This
module decides which candidates are *student* PII, using the whole post and the district's
resources: staff titles and directory, public figures, buildings, official contacts and district
domains are suppressed; school context raises a name's score; a roster match names a student.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from detectors.pii import gazetteer
from detectors.pii.roster import RosterIndex
from detectors.pii.rules import PostRules
from detectors.pii.settings import StudentPiiSettings
from detectors.pii.text import sensitive_spans
from scanner.records import (
    Category,
    DetectionContext,
    DetectorInfo,
    District,
    Finding,
    Post,
)

NAME, ID, CONTACT, DOB = "STUDENT_NAME", "STUDENT_ID", "STUDENT_CONTACT", "STUDENT_DOB"
CATEGORIES = (NAME, ID, CONTACT, DOB)
# zero-width and direction marks read as spaces (same length, so offsets stay valid)
_INVISIBLE = str.maketrans(
    dict.fromkeys(
        [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F)], " "
    )
)


class StudentPiiDetector:
    """Flags student names, IDs, contact details and birth dates in posts."""

    name: ClassVar[str] = "student_pii"
    info: ClassVar[DetectorInfo] = DetectorInfo(
        policy_item="Policy item 4(b): confidentiality of personally identifiable student "
        "information",
        action="Remove the post, or edit the student's information out of it, now — unless "
        "written parental permission is on file. Then tell the privacy officer what you did. Do "
        "not copy the information into replies or e-mails.",
        categories={
            Category.STUDENT_NAME: "Student name",
            Category.STUDENT_ID: "Student ID",
            Category.STUDENT_CONTACT: "Student contact details",
            Category.STUDENT_DOB: "Student birth date",
        },
        masks_spans=True,
        privacy_officer=True,
        eval_spans=True,
    )
    Settings: ClassVar[type[StudentPiiSettings]] = StudentPiiSettings

    def __init__(self, settings: StudentPiiSettings, district: District):
        from detectors.pii.engine import (  # spaCy + Presidio load when the detector is built (start-up speed)
            PrebuiltSpacyNlpEngine,
            build_student_analyzer,
            english_words,
        )

        self.settings = settings
        self._roster = (
            RosterIndex(district.roster, district.roster_secret)
            if district.roster is not None
            else None
        )
        self._analyzer = build_student_analyzer(
            settings.spacy_model, self._roster.lookup if self._roster else None
        )
        nlp_engine = self._analyzer.nlp_engine
        assert isinstance(nlp_engine, PrebuiltSpacyNlpEngine)
        words = english_words(nlp_engine.pipeline)
        self._words = words
        self._gazetteer = gazetteer.load()
        self._rules = PostRules(settings, district, words)

    def sensitive_spans(self, text: str) -> list[tuple[int, int]]:
        """Every span of `text` that might identify a student, whatever the decision stage
        said (no spaCy): the core masks these in alert excerpts."""
        return sensitive_spans(text, self._gazetteer, self._words)

    def detect_batch(self, posts: Sequence[Post], ctx: DetectionContext) -> list[list[Finding]]:
        """One list of findings per post, spaCy run once over the batch (the account context
        does not change what is student PII)."""
        del ctx
        return self.detect_texts([post.text for post in posts])

    def detect_texts(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Findings for bare texts (what `detect_batch` does; used by eval and benchmarks)."""
        # spaCy + Presidio load when the detector is built (start-up speed)
        from detectors.pii.engine import analyze_batch

        results = analyze_batch(
            self._analyzer,
            [(text or "").translate(_INVISIBLE) for text in texts],
            batch_size=self.settings.batch_size,
            n_process=self.settings.n_process,
        )
        return [
            self._findings((text or "").translate(_INVISIBLE), res)
            for text, res in zip(texts, results, strict=True)
        ]

    def _findings(self, text: str, results: list[Any]) -> list[Finding]:
        """Student-PII findings of one post from its raw Presidio results."""
        candidates = self._rules.classify(text, results, self._roster)
        findings: list[Finding] = []
        thresholds = self.settings.min_score
        severities = self.settings.severity
        for cand in candidates:
            if cand.score < getattr(thresholds, cand.category):
                continue
            severity = (
                severities.restricted_student
                if cand.restricted
                else getattr(severities, cand.category)
            )
            findings.append(
                Finding(
                    detector=self.name,
                    category=cand.category,
                    severity=severity,
                    start=cand.start,
                    end=cand.end,
                    score=round(cand.score, 2),
                    explanation=cand.explanation,
                )
            )
        return findings


__all__ = ["CATEGORIES", "StudentPiiDetector", "StudentPiiSettings"]
