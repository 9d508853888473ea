"""Acceptable-use detector (policy item 4(a)): profanity, harassment, threats and self-harm
language in posts and comments, from district-editable word lists (`lexicon`).

Patterns are matched over the post's words (`tokens`); a match is then dropped when the kind of
input says it is no abuse: negated ("you're not stupid"), quoted or talked about ("words like
'loser' hurt", "signs such as talking about wanting to die"), competition talk ("we're going to
destroy them on the court"), "shoot you an e-mail", a capitalised name ("Moby Dick"). Design
notes: docs/architecture.md, "acceptable use". Accuracy: benchmarks/README.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from detectors.acceptable_use.lexicon import (
    CATEGORY_LISTS,
    LISTS,
    MAX_FILLERS,
    NAME,
    Lexicon,
    LexiconError,
    ListEdit,
    Node,
    Rule,
)
from detectors.acceptable_use.tokens import Word, quoted, words_of
from detectors.base import DetectorSettings
from scanner.records import (
    MAX_DETECT_CHARS,
    Category,
    DetectionContext,
    DetectorInfo,
    District,
    Finding,
    Post,
    Severity,
)

LABELS: dict[str, str] = {
    Category.PROFANITY: "Profanity",
    Category.HARASSMENT: "Harassment or insult aimed at a person",
    Category.THREAT: "Threat of violence",
    Category.SELF_HARM: "Self-harm language",
}
TODO: dict[str, str] = {
    Category.PROFANITY: "hide or delete the comment (or edit the post)",
    Category.HARASSMENT: "hide or delete the comment, keep a screenshot, and tell the school "
    "administrator if a student or staff member is targeted (bullying procedures)",
    Category.THREAT: "keep a screenshot, report it to the principal and the school safety "
    "officer now (911 if the danger is immediate), then hide the comment; do not only delete it",
    Category.SELF_HARM: "contact the school counselor or crisis team today so they can reach "
    "the writer (988 Suicide & Crisis Lifeline); keep a screenshot, do not only delete it",
}
NEGATION_WINDOW = 3  # words before a match, in its clause


class CategorySeverities(BaseModel):
    """Severity per category (a pattern may override it with `| high` in its list)."""

    model_config = ConfigDict(extra="forbid")
    profanity: Severity = Severity.LOW
    harassment: Severity = Severity.MEDIUM
    threat: Severity = Severity.HIGH
    self_harm: Severity = Severity.HIGH


class AcceptableUseSettings(DetectorSettings):
    """`detectors.acceptable_use` in scanner.yaml; every field has a default."""

    severity: CategorySeverities = Field(default_factory=CategorySeverities)
    lists: dict[str, ListEdit] = Field(
        default_factory=dict,
        description="per word list (detectors/acceptable_use/data/<name>.txt): add, remove or "
        "replace entries",
    )
    max_findings_per_post: int = Field(50, ge=1, le=10_000)
    _compiled: Lexicon = PrivateAttr()

    @field_validator("lists")
    @classmethod
    def _known_lists(cls, value: dict[str, ListEdit]) -> dict[str, ListEdit]:
        unknown = sorted(set(value) - set(LISTS))
        if unknown:
            raise ValueError(
                f"unknown list {', '.join(unknown)}; expected one of {', '.join(LISTS)}"
            )
        return value

    @model_validator(mode="after")
    def _compiles(self) -> AcceptableUseSettings:
        try:
            self._compiled = Lexicon.build(self.lists, self.severity.model_dump(mode="json"))
        except LexiconError as exc:
            raise ValueError(str(exc)) from None
        return self

    def lexicon(self) -> Lexicon:
        """The compiled lists with these edits and severities (compiled once, when the
        settings were validated: the detector reuses it instead of compiling again)."""
        return self._compiled


@dataclass(frozen=True)
class Match:
    """One pattern found in a post: word indexes [first, last] and the rule."""

    first: int
    last: int
    rule: Rule


class AcceptableUseDetector:
    """Flags profanity, harassment, threats and self-harm language, one finding per phrase."""

    name: ClassVar[str] = "acceptable_use"
    info: ClassVar[DetectorInfo] = DetectorInfo(
        policy_item="Policy item 4(a): the sponsor monitors and manages the site to promote "
        "safe and acceptable use",
        action="Profanity: "
        + TODO[Category.PROFANITY]
        + ". Harassment: "
        + TODO[Category.HARASSMENT]
        + ". Threat: "
        + TODO[Category.THREAT]
        + ". Self-harm: "
        + TODO[Category.SELF_HARM]
        + ".",
        categories=LABELS,
        masks_spans=True,
        urgent_categories=frozenset({Category.SELF_HARM}),
        comments_by_others=True,  # comments by parents and students are what it is for
        eval_labels_field="acceptable_use",
    )
    Settings: ClassVar[type[AcceptableUseSettings]] = AcceptableUseSettings

    def __init__(self, settings: AcceptableUseSettings, _district: District):
        self.settings = settings
        self.lexicon = settings.lexicon()
        c = self.lexicon.classes
        self._fillers, self._negators = c["filler"], c["negator"]
        self._cues = [tuple(e.split()) for e in c["quote_cue"]]
        self._competition, self._hyperbole = c["competition"], c["hyperbole_verb"]
        self._send = c["send_object"]
        known = self.lexicon.words | self._negators | self._fillers
        prefixes = tuple(self.lexicon.root.prefix)
        self._known = lambda form: form in known or form.startswith(prefixes)

    # -- public API --

    def detect_batch(self, posts: Sequence[Post], _ctx: DetectionContext) -> list[list[Finding]]:
        """One list per post: a finding per offending phrase, with its span."""
        return [[] if post.deleted else self.detect_text(post.text) for post in posts]

    def detect_text(self, text: str) -> list[Finding]:
        """The findings of one text (exposed for tests and benchmarks)."""
        text = text[:MAX_DETECT_CHARS]
        words = words_of(text, self._known, self.lexicon.single_words)
        out: list[Finding] = []
        sentences: dict[int, set[str]] = {}  # per call, never on self: one detector, many threads
        for w in words:
            sentences.setdefault(w.sentence, set()).add(w.form)
        for m in self._matches(words):
            if self._excused(text, words, sentences, m):
                continue
            out.append(self._finding(text, words, m))
            if len(out) >= self.settings.max_findings_per_post:
                break
        return out

    # -- matching --

    def _matches(self, words: list[Word]) -> Iterator[Match]:
        """The longest match per category at each word, skipping one inside an earlier one of
        its category (matches come by start, so only the latest end per category matters)."""
        reach: dict[str, int] = {}
        for i in range(len(words)):
            best: dict[str, Match] = {}
            for last, rule in self._walk(words, i, self.lexicon.root, 0):
                old = best.get(rule.category)
                if old is None or last > old.last:
                    best[rule.category] = Match(i, last, rule)
            for cat, m in best.items():
                if m.last > reach.get(cat, -1):
                    reach[cat] = m.last
                    yield m

    def _walk(self, words: list[Word], j: int, node: Node, fillers: int) -> list[tuple[int, Rule]]:
        """(last word index, rule) of every pattern continuing from `node` at word `j`."""
        if j >= len(words):
            return []
        word = words[j]
        nexts = node.step(word.form)
        if word.name and NAME in node.exact:
            nexts.append(node.exact[NAME])
        out: list[tuple[int, Rule]] = []
        same_sentence = j + 1 < len(words) and words[j + 1].sentence == word.sentence
        for child in nexts:
            if child.rule is not None:
                out.append((j, child.rule))
            if (child.exact or child.prefix) and same_sentence:
                out += self._walk(words, j + 1, child, 0)
        if (
            node is not self.lexicon.root
            and fillers < MAX_FILLERS
            and word.form in self._fillers
            and same_sentence
        ):
            out += self._walk(words, j + 1, node, fillers + 1)
        return out

    # -- guards: the kind of input, not examples --

    def _excused(
        self, text: str, words: list[Word], sentences: dict[int, set[str]], m: Match
    ) -> bool:
        first, last = words[m.first], words[m.last]
        category = m.rule.category
        pattern_words = set(m.rule.pattern.split())
        if category != Category.PROFANITY and not pattern_words & self._negators:
            before = words[max(0, m.first - NEGATION_WINDOW) : m.first]
            if any(w.form in self._negators and w.clause == first.clause for w in before):
                return True
        if quoted(text, first.start, last.end) or self._talked_about(words, m.first):
            return True
        if category == Category.THREAT:
            verbs = {w.form for w in words[m.first : m.last + 1]}
            if any(v.startswith(h) for v in verbs for h in self._hyperbole) and (
                sentences[first.sentence] & self._competition
            ):
                return True
            after = [w.form for w in words[m.last + 1 : m.last + 3]]
            if after and (after[0] in self._send or after[1:] and after[1] in self._send):
                return True  # "I'll shoot you a text"
        if m.first == m.last and category == Category.PROFANITY:
            raw = text[first.start : first.end]
            if raw[:1].isupper() and not raw.isupper():
                initial = m.first == 0 or words[m.first - 1].sentence != first.sentence
                nxt = text[last.end : last.end + 40].split()
                if not initial or (nxt and nxt[0][:1].isupper()):
                    return True  # a proper name: "Moby Dick", "Dick's Sporting Goods"
        return False

    def _talked_about(self, words: list[Word], first: int) -> bool:
        """A quoting cue earlier in the sentence ("words like", "such as", "if someone")."""
        sentence = words[first].sentence
        forms = [w.form for w in words[max(0, first - 12) : first] if w.sentence == sentence]
        return any(
            tuple(forms[k : k + len(cue)]) == cue for cue in self._cues for k in range(len(forms))
        )

    # -- findings --

    def _finding(self, text: str, words: list[Word], m: Match) -> Finding:
        start, end = words[m.first].start, words[m.last].end
        category = m.rule.category
        masked = " ".join(w[0] + "*" * (len(w) - 1) for w in text[start:end].split())
        return Finding(
            detector=self.name,
            category=category,
            severity=Severity(m.rule.severity),
            start=start,
            end=end,
            score=1.0 if m.last > m.first or category == Category.PROFANITY else 0.9,
            explanation=f"{LABELS[category]} ({masked}): {TODO[category]}",
        )


__all__ = ["CATEGORY_LISTS", "AcceptableUseDetector", "AcceptableUseSettings"]
