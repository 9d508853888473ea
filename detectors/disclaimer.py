"""Disclaimer detector (policy item 2): element A "information may change" and element B
"official information is on the district's sites", judged separately on folded text.

Phrase lists and matching: `detectors.disclaimer_phrases`; design notes: docs/architecture.md,
"detectors". Accuracy: `scanner eval --corpus tests/data/disclaimer_corpus.jsonl`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from rapidfuzz import fuzz

from detectors import textnorm
from detectors.base import DetectorSettings
from detectors.disclaimer_phrases import (
    FoldedText,
    Hit,
    LanguagePack,
    PhraseMatcher,
    builtin_packs,
    expand,
    starts_with,
)
from scanner.records import (
    Category,
    DetectionContext,
    DetectorInfo,
    District,
    Finding,
    Post,
    Severity,
)

__all__ = [
    "DisclaimerDetector",
    "DisclaimerSettings",
    "Judgement",
    "LanguagePack",
    "PhraseSet",
    "builtin_packs",
    "expand",
]


# --- settings ------------------------------------------------------------------------------------


class PhraseSet(BaseModel):
    """Extra accepted phrasings for one language (a district adds its own wording in YAML)."""

    model_config = ConfigDict(extra="forbid")
    may_change: list[str] = Field(default_factory=list, description="element A phrasings")
    official_pointer: list[str] = Field(
        default_factory=list, description="element B phrasings that count on their own"
    )


class DisclaimerSettings(DetectorSettings):
    """`detectors.disclaimer` in scanner.yaml."""

    languages: list[str] = Field(default_factory=lambda: ["en", "es"])
    phrases: dict[str, PhraseSet] = Field(default_factory=dict)
    district_names: list[str] = Field(
        default_factory=list,
        description='names meaning "the district" besides the domains\' first labels, e.g. MVSD',
    )
    fuzzy_threshold: float = Field(88.0, ge=50, le=100)
    fuzzy_min_chars: int = Field(12, ge=1, description="shorter phrases must match exactly")
    pointer_window: int = Field(14, ge=1, description="max words between cue and district site")

    @model_validator(mode="after")
    def _known_languages(self) -> DisclaimerSettings:
        packs = builtin_packs()
        unknown = [
            lang for lang in self.languages if lang not in packs and lang not in self.phrases
        ]
        if unknown:
            raise ValueError(
                f"languages {unknown} are neither built in ({sorted(packs)}) nor given phrases"
            )
        return self


# --- the detector --------------------------------------------------------------------------------


@dataclass
class Judgement:
    """What was found in one text: the elements and any rejected (negated/mocked) candidates."""

    a: bool = False
    b: bool = False
    rejected_a: int = 0
    rejected_b: int = 0


class DisclaimerDetector:
    """Flags posts whose text (or, where the account allows, profile text) lacks element A or B."""

    name: ClassVar[str] = "disclaimer"
    info: ClassVar[DetectorInfo] = DetectorInfo(
        policy_item="Policy item 2: disclaimer that information may change and official "
        "information is on district sites",
        action="Add the disclaimer to the post (information may change; for official "
        "information see the district's sites/pages), or to the account profile if the "
        "account's registration allows that.",
        categories={Category.MISSING_DISCLAIMER: "Missing disclaimer"},
        eval_flag_field="disclaimer_ok",
        # binds the account's posts; not its short replies, nor what others comment
        comments_by_others=False,
        comments_by_account=False,
    )
    Settings: ClassVar[type[DisclaimerSettings]] = DisclaimerSettings

    def __init__(self, settings: DisclaimerSettings, district: District):

        self.settings = settings
        self._ratio = fuzz.ratio
        pack = LanguagePack()
        for lang in settings.languages:
            pack = pack.merged(builtin_packs().get(lang, LanguagePack()))
            extra = settings.phrases.get(lang)
            if extra:
                pack = pack.merged(
                    LanguagePack(
                        may_change=tuple(extra.may_change),
                        official_pointer=tuple(extra.official_pointer),
                    )
                )
        self.pack = pack
        args = (
            settings.fuzzy_threshold,
            settings.fuzzy_min_chars,
            pack.near_miss_words,
            pack.negations | pack.weak_negations,
        )
        self.a_matcher = PhraseMatcher([p for pat in pack.may_change for p in expand(pat)], *args)
        b_phrases = [p for pat in pack.official_pointer for p in expand(pat)]
        self.b_matcher = PhraseMatcher(b_phrases, *args) if b_phrases else None
        self.cues = [tuple(p.split()) for pat in pack.cue_phrases for p in expand(pat)]
        self.retractions = [tuple(textnorm.fold(r).split()) for r in pack.retractions]

        self.domains = tuple(d.lower().strip().strip(".") for d in district.district_domains if d)
        names = [tuple(textnorm.fold(n).split()) for n in settings.district_names]
        aliases = {d.split(".")[0] for d in self.domains if len(d.split(".")[0]) >= 3}
        aliases |= {n[0] for n in names if len(n) == 1}
        self.district_words = pack.district_words | aliases
        self.district_names = [n for n in names if len(n) > 1]
        self._domain_res = [
            re.compile(r"(?:^|[./@:])" + re.escape(d) + r"(?:$|[/:?#])") for d in self.domains
        ]
        self._squashed_domains = {textnorm.squash(d) for d in self.domains}
        self.vocabulary = self._vocabulary()

    def _vocabulary(self) -> frozenset[str]:
        """Words an unsplit hashtag may be segmented into ("#officialinfo" → official info)."""
        p = self.pack
        words: set[str] = set().union(
            p.official_words,
            p.quality_words,
            p.info_nouns,
            p.site_nouns,
            p.pointer_verbs,
            p.for_words,
            p.glue_words,
            self.district_words,
            self._squashed_domains,
        )
        words.update(w for phrase in self.a_matcher.phrases for w in phrase.split())
        words.update(w for cue in self.cues for w in cue)
        words.update(w for name in self.district_names for w in name)
        return frozenset(w for w in words if len(w) >= 2)

    # -- public API --

    def detect_batch(self, posts: Sequence[Post], ctx: DetectionContext) -> list[list[Finding]]:
        """One list per post: a `missing_disclaimer` finding or nothing."""
        profiles: dict[str, Judgement] = {}
        out: list[list[Finding]] = []
        for post in posts:
            account = ctx.account(post.account)
            if post.deleted or account.district_officer:
                out.append([])
                continue
            judged = self.judge(post.text)
            if account.profile_disclaimer_counts and account.profile_text:
                # the account's about text is part of what the reader sees: its elements count
                if account.profile_text not in profiles:
                    profiles[account.profile_text] = self.judge(account.profile_text)
                profile = profiles[account.profile_text]
                judged.a, judged.b = judged.a or profile.a, judged.b or profile.b
            out.append(self._finding(judged))
        return out

    def judge(self, text: str) -> Judgement:
        """Which elements `text` carries (exposed for evaluation and tests)."""
        t = FoldedText.of(text, self.pack.clause_words, self.vocabulary)
        result = Judgement()
        a_hits = []
        for hit in self.a_matcher.find(t):
            if self._valid_a(t, hit):
                a_hits.append(hit)
            else:
                result.rejected_a += 1
        result.a = bool(a_hits)
        sites = self._site_refs(t)
        cues, result.rejected_b = self._cues(t)
        window = self.settings.pointer_window
        result.b = any(
            t.sentence[c] == t.sentence[s] and abs(c - s) <= window and not self._mocked(t, c, s)
            for c in cues
            for s in sites
        )
        if not result.b and a_hits:  # "Info subject to change — see the district website."
            result.b = any(self._pointer_after(t, hit, sites) for hit in a_hits)
        if not result.b and self.b_matcher:
            result.b = any(self._valid_b_phrase(t, h) for h in self.b_matcher.find(t))
        return result

    # -- element A --

    def _valid_a(self, t: FoldedText, hit: Hit) -> bool:
        v, words = self.pack, t.words
        phrase_has_negation = any(
            w in v.negations or w in v.weak_negations for w in words[hit.start : hit.end]
        )
        if not phrase_has_negation and self._negated(t, hit.start):
            return False
        # a negator absorbed by a fuzzy match ("cant change" ≈ "can change")
        if hit.score < 100 and any(w in v.negations for w in words[hit.start : hit.end]):
            return False
        if phrase_has_negation and hit.start and words[hit.start - 1] in v.negations:
            return False  # "NOT not final" is rare; "never not final" too: treat as negated
        if t.quoted(hit.start, hit.end):
            return False
        return not self._retracted(t, hit.end)

    def _negated(self, t: FoldedText, start: int) -> bool:
        v = self.pack
        for back in range(1, 6):
            i = start - back
            if i < 0 or t.clause[i] != t.clause[start]:
                break
            if t.words[i] in v.negations or (back <= 2 and t.words[i] in v.weak_negations):
                return True
        return False

    def _retracted(self, t: FoldedText, end: int) -> bool:
        # from the span's last word on: a fuzzy window may have swallowed the first word after it
        tail = t.words[max(0, end - 1) : end + 8]
        return any(starts_with(tail, j, r) for r in self.retractions for j in range(len(tail)))

    # -- element B --

    def _site_refs(self, t: FoldedText) -> list[int]:
        """Token indexes that refer to a district site."""
        words, refs = t.words, []
        for i, word in enumerate(words):
            if (
                any(rx.search(word) for rx in self._domain_res)
                or word in self._squashed_domains
                or word in self.pack.site_nouns
                and self._district_owns(t, i)
            ):
                refs.append(i)
        return refs

    def _district_owns(self, t: FoldedText, i: int) -> bool:
        """Is site noun `i` the district's? 'district website', 'MVSD site', 'website of the
        district', 'sitio web del distrito'; not 'the district says to check our club website'."""
        words, district = t.words, self.district_words
        for name in self.district_names:
            for k in range(max(0, i - len(name) - 2), i - len(name) + 1):
                if starts_with(words, k, name):
                    return True
        before = words[max(0, i - 3) : i]
        if any(w in district for w in before):
            last = max(j for j, w in enumerate(before) if w in district)
            return not any(w in self.pack.owner_words for w in before[last + 1 :])
        after = words[i + 1 : i + 4]
        return any(w in district for w in after) and any(w in {"of", "del", "de"} for w in after)

    def _cues(self, t: FoldedText) -> tuple[list[int], int]:
        """Token indexes carrying the official-information sense, and how many were rejected."""
        p, words = self.pack, t.words
        cues, rejected = [], 0
        for i, word in enumerate(words):
            if word in p.official_words or (
                len(word) >= 7 and any(self._ratio(word, o) >= 85 for o in p.official_words)
            ):
                # "official" must qualify information or a site ("official info", "página
                # oficial", "for anything official", "Official: …"), not "official team photos"
                after = [w for j, w in enumerate(words[i + 1 : i + 4], i + 1) if t.same(i, j)]
                before = [
                    w for j, w in enumerate(words[max(0, i - 3) : i], max(0, i - 3)) if t.same(i, j)
                ]
                label = t.folded[t.tokens[i].end : t.tokens[min(i + 2, len(words) - 1)].end]
                is_cue = (
                    ":" in label  # "Official: …", "Official route: …"
                    or any(w in p.info_nouns or w in p.site_nouns for w in after + before)
                    or any(w in self.district_words for w in after)
                    or any(w in p.for_words for w in before)
                )
            elif word in p.quality_words:
                is_cue = any(w in p.info_nouns for w in words[i + 1 : i + 3])
            else:
                is_cue = any(starts_with(words, i, c) for c in self.cues)
            if not is_cue:
                continue
            if self._negated(t, i) or self._quoted_near(t, i):
                rejected += 1
                continue
            cues.append(i)
        return cues, rejected

    def _quoted_near(self, t: FoldedText, i: int) -> bool:
        """'For "official information" visit …': a cue inside a short quoted span."""
        for start in range(max(0, i - 2), i + 1):
            for end in range(i + 1, min(len(t.words), i + 3) + 1):
                if t.quoted(start, end):
                    return True
        return False

    def _mocked(self, t: FoldedText, cue: int, site: int) -> bool:
        end = max(cue, site) + 1
        return self._retracted(t, end) or any(
            w in {"lol", "lmao", "smh"} for w in t.words[end : end + 3]
        )

    def _pointer_after(self, t: FoldedText, hit: Hit, sites: list[int]) -> bool:
        for s in sites:
            if s < hit.end or t.sentence[s] != t.sentence[hit.end - 1] or s - hit.end > 8:
                continue
            if any(w in self.pack.pointer_verbs for w in t.words[max(hit.end, s - 4) : s]):
                return not self._mocked(t, s, s)
        return False

    def _valid_b_phrase(self, t: FoldedText, hit: Hit) -> bool:
        return not (self._negated(t, hit.start) or t.quoted(hit.start, hit.end))

    # -- finding --

    def _finding(self, j: Judgement) -> list[Finding]:
        if j.a and j.b:
            return []
        if not j.a and not j.b:
            what = (
                "elements A (information may change) and B (official-information pointer) missing"
            )
        elif not j.a:
            what = "element A (information may change) missing"
        else:
            what = "element B (official-information pointer) missing"
        doubtful = (not j.a and j.rejected_a) or (not j.b and j.rejected_b)
        if doubtful:
            what += "; a negated, mocked or quoted wording was found and not counted"
        return [
            Finding(
                detector=self.name,
                category=Category.MISSING_DISCLAIMER,
                severity=Severity.MEDIUM,
                start=None,
                end=None,
                score=0.7 if doubtful else 0.95,
                explanation=what,
            )
        ]
