"""`StudentPiiDetector`: Presidio + spaCy proposes, the school-tuned decision stage decides.

1. Candidates, recall first (`names.py`, `numbers.py`, contact recognizers in `engine.py`):
   spaCy PERSON spans and gazetteer names in any case and list shape, names in handles,
   hashtags and URL slugs, logins; every number, date, age phrase; phones, e-mails, addresses.
2. Features of each candidate in its post (cues, staff titles and directory, public figures,
   places, organisations, teams, lists, roster), weighed by the fitted model (`model.py`,
   `data/weights.json`); contact details by the named score table in `contact.py`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from detectors.pii import gazetteer
from detectors.pii.contact import EXPLAIN as CONTACT_EXPLAIN
from detectors.pii.contact import SCORES as CONTACT_SCORES
from detectors.pii.contact import ContactRules
from detectors.pii.context import PostText
from detectors.pii.model import NON_SCHOOL_POST_THRESHOLD, CategoryModel, load
from detectors.pii.name_features import NameCandidate
from detectors.pii.names import NameRules
from detectors.pii.numbers import (
    NumberCandidate,
    dob_candidates,
    id_candidates,
    number_features,
)
from detectors.pii.roster import RosterIndex, normalize_name
from detectors.pii.settings import StudentPiiSettings
from detectors.pii.text import sensitive_spans
from detectors.pii.vocab import Vocabulary
from scanner.records import (
    Category,
    DetectionContext,
    DetectorInfo,
    District,
    Finding,
    Post,
    PostKind,
    bounded_for_detection,
)

NAME, ID, CONTACT, DOB = "STUDENT_NAME", "STUDENT_ID", "STUDENT_CONTACT", "STUDENT_DOB"
CATEGORIES = (NAME, ID, CONTACT, DOB)
MODEL_KEY = {NAME: "name", ID: "id", DOB: "dob"}
# zero-width and direction marks read as spaces (same length, so offsets stay valid)
_INVISIBLE = str.maketrans(
    dict.fromkeys(
        [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F)], " "
    )
)
#: What a phone number looks like in a post: (425) 555-0142, 425.555.0142, +1 425 555 0142.
PHONE_SHAPE = re.compile(
    r"^(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?:\s*(?:x|ext\.?)\s*\d+)?$|^\d{3}-\d{4}$"
)
#: Longer texts are analysed in pieces of at most this many characters.
CHUNK_CHARS = 100_000
#: Large batches use several spaCy processes when `n_process` allows (start-up costs ~1 s).
PARALLEL_MIN_BATCH = 500


@dataclass(frozen=True)
class Decided:
    """A candidate the decision stage accepted."""

    category: str
    start: int
    end: int
    score: float
    explanation: str
    restricted: bool = False


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
        # spaCy + Presidio load when the detector is built (start-up speed)
        from detectors.pii.engine import (
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
        self._words = english_words(nlp_engine.pipeline)
        self._gazetteer = gazetteer.load()
        self._vocab = Vocabulary.build(settings.vocabulary_edits())
        self._models = load()
        figures_full, figures_last = set(), set()
        for figure in self._vocab.raw["public_figures"]:
            norm = normalize_name(figure)
            figures_full.add(norm)
            if " " in norm:
                figures_last.add(norm.split()[-1])
        staff_full = {
            f"{normalize_name(m.first_name)} {normalize_name(m.last_name)}".strip()
            for m in district.staff
        }
        self._names = NameRules(
            self._gazetteer,
            self._words,
            staff_full,
            {normalize_name(m.last_name) for m in district.staff},
            figures_full,
            figures_last,
            settings.context_window,
        )
        role_concepts = ("staff_titles", "adult_roles", "officer_roles", "student_words")
        self._names.use_vocabulary(
            frozenset(
                word
                for concept in (*role_concepts, "student_cues", "kin_child", "kin_adult")
                for entry in self._vocab[concept]
                for word in (entry.split() if concept == "student_cues" else [entry])
                if " " not in entry or concept == "student_cues"
            ),
            self._vocab["word_names"],
        )
        self._contacts = ContactRules.build(
            district, settings.student_email_domains, settings.student_subdomain_prefixes
        )

    def sensitive_spans(self, text: str) -> list[tuple[int, int]]:
        """Every span of `text` that might identify a student, whatever the decision stage
        said (no spaCy): the core masks these in alert excerpts."""
        return sensitive_spans(text, self._gazetteer, self._words)

    def detect_batch(self, posts: Sequence[Post], ctx: DetectionContext) -> list[list[Finding]]:
        """One list of findings per post, spaCy run once over the batch (the account context
        does not change what is student PII). A comment is read in a school context whatever
        its own words: it answers a school account's post, which is its context."""
        del ctx
        return self.detect_texts(
            [post.text for post in posts],
            school_context=[post.kind == PostKind.COMMENT for post in posts],
        )

    def detect_texts(
        self, texts: Sequence[str], school_context: Sequence[bool] | None = None
    ) -> list[list[Finding]]:
        """Findings for bare texts (what `detect_batch` does; used by eval and benchmarks).

        `school_context[i]`: text i is known to stand in a school context (a comment under a
        school account's post), so the stricter bar for posts with no school vocabulary
        (`NON_SCHOOL_POST_THRESHOLD`) does not apply to it.
        A text longer than `CHUNK_CHARS` is analysed in pieces cut at whitespace, so spaCy's
        memory stays bounded and nothing after the first piece is missed.
        """
        # spaCy + Presidio load when the detector is built (start-up speed)
        from detectors.pii.engine import analyze_batch

        pieces: list[str] = []
        owners: list[tuple[int, int]] = []  # (text index, offset of the piece)
        for i, text in enumerate(texts):
            clean = bounded_for_detection((text or "").translate(_INVISIBLE))
            for offset, piece in _chunks(clean, CHUNK_CHARS):
                pieces.append(piece)
                owners.append((i, offset))
        n_process = (
            min(self.settings.n_process, os.cpu_count() or 1)
            if len(pieces) >= PARALLEL_MIN_BATCH
            else 1
        )
        results = analyze_batch(
            self._analyzer, pieces, batch_size=self.settings.batch_size, n_process=n_process
        )
        out: list[list[Finding]] = [[] for _ in texts]
        known = list(school_context or [False] * len(texts))
        for piece, res, (i, offset) in zip(pieces, results, owners, strict=True):
            for f in self._findings(piece, res, known[i]):
                if offset and f.start is not None and f.end is not None:
                    f = replace(f, start=f.start + offset, end=f.end + offset)
                out[i].append(f)
        return out

    # --- one post --------------------------------------------------------------------------

    def candidates(self, text: str, results: list[Any]) -> tuple[PostText, list[NameCandidate]]:
        """The post's name candidates with their features (used by `fit` as well)."""
        persons = [(r.start, r.end) for r in results if r.entity_type in ("PERSON", "ROSTER_NAME")]
        post = PostText(text, self._vocab, persons)
        names = self._names.candidates(post)
        self._names.features(post, names)
        return post, names

    def decide(self, text: str, results: list[Any], school_context: bool = False) -> list[Decided]:
        """Every accepted candidate of one post (thresholds: fitted, or `min_score` if set);
        `school_context`: the post is known to stand in a school context (see detect_texts)."""
        post, names = self.candidates(text, results)
        low = post.folded
        out: list[Decided] = []
        contact_spans: list[tuple[int, int]] = []
        for res in results:
            kind = None
            if res.entity_type == "EMAIL_ADDRESS":
                kind = self._contacts.email(low, res.start, res.end)
            elif res.entity_type == "PHONE_NUMBER":
                if not PHONE_SHAPE.match(text[res.start : res.end]):
                    continue  # digits without a phone's shape: an ID candidate instead
                kind = self._contacts.phone(text, low, res.start, res.end)
            elif res.entity_type == "STREET_ADDRESS":
                kind = self._contacts.address(low, res.start)
            if res.entity_type in ("EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS"):
                contact_spans.append((res.start, res.end))
            if kind is not None:
                out.append(
                    Decided(
                        CONTACT, res.start, res.end, CONTACT_SCORES[kind], CONTACT_EXPLAIN[kind]
                    )
                )
        accepted_names = self._decide_names(post, names, contact_spans, school_context)
        out.extend(accepted_names)
        spans = [(d.start, d.end) for d in accepted_names]
        dobs = dob_candidates(post, contact_spans)
        number_features(post, dobs, spans)
        # a date or an age identifies a student only with a name, or a child, in the post
        dobs = [c for c in dobs if spans or c.features.get("kin_near")]
        accepted_dobs = self._decide_numbers(dobs, DOB)
        ids = id_candidates(post, contact_spans + [(d.start, d.end) for d in accepted_dobs] + spans)
        number_features(post, ids, spans)
        out.extend(accepted_dobs + self._decide_numbers(ids, ID))
        return _merge_overlaps(out)

    def _decide_numbers(self, cands: list[NumberCandidate], category: str) -> list[Decided]:
        model = self._models[MODEL_KEY[category]]
        threshold = self._threshold(category, model)
        label = "birth date or age" if category == DOB else "student number"
        out = []
        for cand in cands:
            p = model.probability(cand.features)
            if p >= threshold:
                why = model.reasons(cand.features, MODEL_KEY[category])
                cue = f" ('{cand.cue}')" if cand.cue else ""
                out.append(
                    Decided(category, cand.start, cand.end, p, f"{label}: {'; '.join(why)}{cue}")
                )
        return out

    def _threshold(self, category: str, model: CategoryModel) -> float:
        configured = getattr(self.settings.min_score, category)
        return model.threshold if configured is None else configured

    def _decide_names(
        self,
        post: PostText,
        names: list[NameCandidate],
        blocked: list[tuple[int, int]],
        school_context: bool = False,
    ) -> list[Decided]:
        model = self._models["name"]
        threshold = self._threshold(NAME, model)
        out: list[Decided] = []
        for cand in names:
            if any(a < cand.end and cand.start < b for a, b in blocked):
                continue
            span = post.text[cand.start : cand.end]
            flags = self._roster.lookup(span) if self._roster is not None else None
            if flags is not None and not cand.features.get("staff_title_before"):
                why = "roster match" + (
                    "; directory opt-out or no media consent" if flags.restricted else ""
                )
                out.append(Decided(NAME, cand.start, cand.end, 1.0, why, flags.restricted))
                continue
            p = model.probability(cand.features)
            school = cand.school_post or school_context
            if p >= (threshold if school else max(threshold, NON_SCHOOL_POST_THRESHOLD)):
                reasons = model.reasons(cand.features, "name")
                cue = f" ('{cand.cue}')" if cand.cue else ""
                out.append(
                    Decided(
                        NAME, cand.start, cand.end, p, f"student name: {'; '.join(reasons)}{cue}"
                    )
                )
        return out + _repeated_first_names(post, names, out)

    def _findings(self, text: str, results: list[Any], school_context: bool) -> list[Finding]:
        findings: list[Finding] = []
        severities = self.settings.severity
        for d in self.decide(text, results, school_context):
            severity = (
                severities.restricted_student if d.restricted else getattr(severities, d.category)
            )
            findings.append(
                Finding(
                    detector=self.name,
                    category=d.category,
                    severity=severity,
                    start=d.start,
                    end=d.end,
                    score=round(d.score, 2),
                    explanation=d.explanation,
                )
            )
        return findings


def _chunks(text: str, size: int) -> list[tuple[int, str]]:
    """(offset, piece) pieces of at most `size` characters, cut at the last whitespace."""
    out, start = [], 0
    while len(text) - start > size:
        cut = max(text.rfind(" ", start, start + size), text.rfind("\n", start, start + size))
        end = cut if cut > start else start + size
        out.append((start, text[start:end]))
        start = end
    out.append((start, text[start:]))
    return out


def _repeated_first_names(
    post: PostText, names: list[NameCandidate], accepted: list[Decided]
) -> list[Decided]:
    """A given name used again after the student's full name was accepted ("… Caleb Ward …
    Good luck Caleb!")."""
    firsts = {
        post.text[d.start : d.end].split()[0]
        for d in accepted
        if d.category == NAME and " " in post.text[d.start : d.end]
    }
    taken = [(d.start, d.end) for d in accepted]
    return [
        Decided(NAME, c.start, c.end, 0.9, "the student's given name again, after the full name")
        for c in names
        if post.text[c.start : c.end] in firsts
        and not any(a < c.end and c.start < b for a, b in taken)
    ]


def _merge_overlaps(found: list[Decided]) -> list[Decided]:
    """Keep the best-scored of overlapping decisions (any category)."""
    kept: list[Decided] = []
    for d in sorted(found, key=lambda d: (-d.score, d.start)):
        if not any(k.start < d.end and d.start < k.end for k in kept):
            kept.append(d)
    return sorted(kept, key=lambda d: (d.start, d.end))


__all__ = ["CATEGORIES", "StudentPiiDetector", "StudentPiiSettings"]
