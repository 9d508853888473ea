"""Deciding which Presidio candidates are *student* PII in one post.

Pure functions of the post text, the raw candidates and the district resources compiled once
in `PostRules`; no state changes after construction, so one instance serves many threads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from detectors.pii import vocab
from detectors.pii.roster import RosterIndex, normalize_name
from detectors.pii.settings import StudentPiiSettings
from scanner.records import District

NAME, ID, CONTACT, DOB = "STUDENT_NAME", "STUDENT_ID", "STUDENT_CONTACT", "STUDENT_DOB"
_ASCII_LOWER = str.maketrans({chr(c): chr(c + 32) for c in range(65, 91)})

_ZONES = re.compile(  # URLs, e-mails, bare domains, hashtags, mentions (linear: anchored runs)
    r"https?://\S+|\bwww\.\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|us|io|co)\b(?:/\S*)?"
    r"|(?<![\w#@])[#@][\w.]*\w"
)
_HOME = re.compile(
    r"\b(?:home|house|lives?|living|(?:her|his|their|my|our) address|moving|moved|send cards|"
    r"pm her|pm him|family|families|drop[- ]off)\b"
)
_STAFF_NEAR_CONTACT = re.compile(
    r"\b(?:teacher|coach|principal|staff|counselor|nurse|librarian|superintendent|director)\b"
)
_VENUE = re.compile(
    r"\b(?:held|located|safeway|store|shop|restaurant|school|elementary|middle|high|gym|field|"
    r"park|center|church|visit them|sponsor\w*|donations?|lodge|office|district|campus|stadium|"
    r"library|car wash)\b"
)
_BUSINESS_PHONE = re.compile(
    r"\b(?:office|line|hotline|desk|district|catering|sponsors?|business|store|shop|pizza|"
    r"restaurant|clinic|dental|treasurer|pto|pta|boosters?|claiming|scam|fax|ext)\b"
)
_ROLE_MAILBOX = re.compile(
    r"^(?:info|office|contact|admin|support|sales|hello|team|news|noreply|no-reply|registrar|"
    r"attendance|firstname)|pto|pta|booster|yearbook|club|pres\b|president|treasurer|league|"
    r"soccer|firstname|lastname"
)
# A family member's number right before the digits outweighs a business word further back
# ("…at the student store. Questions? Call Sofia's mom at 425-…").
_FAMILY_PHONE = re.compile(
    r"\b(?:mom|mum|dad|mother|father|parents?|guardian|grandma|grandpa|grandmother|grandfather|"
    r"aunt|uncle|family|home|cell)(?:'s)?\W+(?:\w+\W+){0,3}$"
)
_KID_WORDS = re.compile(
    r"\b(?:my|our|her|his|their) (?:son|daughter|kid|child|grandson|granddaughter)\b"
    r"|\b(?:she|he|she's|he's)\W{0,3}$"
)
_NAME_WORD = re.compile(r"(?:[A-Z\u00C0-\u00DE][^\W\d_]*(?:[-'’][^\W\d_]+)*|[A-Z]\.)")
_TOKEN = re.compile(r"\S+")
_RUN = re.compile(
    r"(?<![\w'’.-])" + _NAME_WORD.pattern + r"(?:[ \u00a0]" + _NAME_WORD.pattern + r"){0,2}"
    r"(?![\w-])"
)
_SENTENCE_END = ".!?\u2026\n"
_PREV_WORD = re.compile(r"(?<!\S)(?P<word>" + _NAME_WORD.pattern + r")[ \u00a0]$")
_NEXT_WORD = re.compile(r"[ \u00a0](?P<word>" + _NAME_WORD.pattern + r")(?![\w'’-])")
_NOT_PLURAL = ("ss", "us", "is", "as")  # Marcus, Iris, Elias: not plurals
_LIST_GAP = re.compile(r"\s*(?:,|&|and|,\s*and)\s*")
_LOCATIVE = re.compile(r"\b(?:in|at|near|on|into|around|inside|outside|across|via|visit)\s+$")
_STUDENT_AFTER = re.compile(
    r"\s*[,(\u2014-]\s*(?:(?:a|an|our)\s+)?(?:grade|\d{1,2}(?:st|nd|rd|th)?\s*(?:grade|grader)"
    r"|kindergart|freshman|sophomore|junior|senior|student|yearbook|class of)"
)
_CUE_BEFORE = re.compile(
    r"(?:\b(?P<strong>congrats|congratulations|kudos|bravo|way to go|shout[\s-]?out|good luck|"
    r"break a leg|great job|nice job|well done|"
    r"happy birthday|welcome|name:|my (?:son|daughter|kid)|our (?:son|daughter)|"
    r"her (?:son|daughter)|his (?:son|daughter))"
    r"(?:\s+(?:to|our|my|the|new|little|amazing|awesome|talented|own|big|sweet)){0,3}[\s,:!]*"
    r"|\b(?P<weak>grader|kindergartener|kindergartner|freshman|sophomore|junior|senior|student|"
    r"starring|featuring|medalist|goalie|\d(?:st|nd|rd|th))[\s,:]*"
    r"|\b(?P<intro>winners?|champions?|members?|captains?|reps|officers|court|cast|finalists|"
    r"honorees|nominees|recipients|results)\b[^.!?\n:]{0,30}:\s*)$"
)
_CUE_AFTER = re.compile(  # each alternative names its cue word (w_*) for the explanation
    r"['’]s\s+(?P<w_kin>mom|dad|mother|father|parents?|family|grandma|grandpa|backpack|"
    r"library book|locker|lunch)\b"
    r"|\s*\((?:[\w\s,-]{0,20}?)\b(?P<w_paren>grade|grader|freshman|sophomore|junior|senior|"
    r"kindergart\w*|age|student|\d{1,2}(?:st|nd|rd|th))\b"
    r"|\s*,\s*(?P<w_comma>grade|\d{1,2}(?:st|nd|rd|th) grade|age(?= \d))"
    r"|\s+(?P<w_turns>turns|turned)\s+\d"
    r"|\s+in\s+(?:mrs?|ms|mr|dr)\.?\s+[\w'-]+['’]s\s+(?:\w+\s+)??(?P<w_class>class|room)\b"
    r"|\s+(?:\w+\s+)?\d+\s*(?P<w_stat>pts|points|ast|assists|reb|rebounds|boards|goals?|saves"
    r"|yards)\b"
)


@dataclass(frozen=True)
class Candidate:
    """A student-PII finding before thresholds and severities."""

    category: str
    start: int
    end: int
    score: float
    explanation: str
    restricted: bool = False


def _words_regex(words: Iterable[str]) -> str:
    """Alternation of literal words/phrases, longest first, spaces matching any whitespace."""
    escaped = sorted({re.escape(w.lower()).replace(r"\ ", r"\s+") for w in words if w}, key=len)
    return "|".join(reversed(escaped)) or r"(?!x)x"


def _after_cue_word(match: re.Match[str]) -> str:
    """The word that made `_CUE_AFTER` match ("mom" in "'s mom", "grade" in "(Grade 7)")."""
    return next(v for k, v in match.groupdict().items() if k.startswith("w_") and v)


def _at_sentence_start(text: str, start: int) -> bool:
    """True when only spaces, quotes, bullets or emoji stand between `start` and the start of
    the text, a line or a sentence: there a capital letter says nothing about a name."""
    i = start
    while i > 0 and not text[i - 1].isalnum() and text[i - 1] not in _SENTENCE_END:
        i -= 1
    return i == 0 or text[i - 1] in _SENTENCE_END


def _plural_stems(word: str) -> list[str]:
    """Singulars `word` (lower case) can be the regular plural of ("jaguars" -> "jaguar")."""
    if len(word) < 4 or not word.endswith("s") or word.endswith(_NOT_PLURAL):
        return []
    stems = [word[:-1]]
    if word.endswith("ies"):
        stems.append(word[:-3] + "y")
    elif word.endswith("ves"):
        stems += [word[:-3] + "f", word[:-3] + "fe"]
    elif word.endswith(("ses", "xes", "zes", "ches", "shes")):
        stems.append(word[:-2])
    return stems


def _digits(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits[-10:]


class PostRules:
    """The district- and settings-specific rules, compiled once."""

    def __init__(
        self,
        settings: StudentPiiSettings,
        district: District,
        english_words: frozenset[str] = frozenset(),
    ):
        # spaCy loads with the engine (start-up speed)
        from spacy.lang.en.stop_words import STOP_WORDS

        self.window = settings.context_window
        # ordinary English words (engine.english_words); "will" and "may" are names too
        self.english = english_words - {"will", "may"}
        self.school = re.compile(rf"(?<![\w-])(?:{_words_regex(settings.school_context)})(?![\w-])")
        title = _words_regex(settings.staff_titles)
        self.title_before = re.compile(
            rf"(?<![\w-])(?<!student )(?:{title})\.?\s+(?:and\s+(?:{title})\.?\s+)?$"
        )
        self.title_in_span = re.compile(rf"(?:{title})\.?\s+")
        roles = _words_regex(settings.adult_roles)
        officers = _words_regex(vocab.OFFICER_ROLES)
        self.role_before = re.compile(rf"(?<![\w-])(?<!student )(?:{roles})(?:\s*[,:])?\s+$")
        self.officer_before = re.compile(rf"(?<![\w-])(?:{officers})(?:\s*[,:])?\s+$")
        self.adult_org = re.compile(rf"(?<![\w-])(?:{_words_regex(vocab.ADULT_ORGS)})(?![\w-])")
        self.apposition = re.compile(
            rf"^\s*[,(\u2014-]\s*(?:(?:our|the|a|an|his|her|their)\s+)?(?:[\w'-]+\s+){{0,3}}?"
            rf"(?:(?P<role>{roles})|(?P<officer>{officers}))(?![\w-])"
        )
        cues = _words_regex(vocab.FIGURE_CUES)
        self.figure_before = re.compile(
            rf"(?<![\w-])(?i:{cues})\s+"
            r"(?:(?:[A-Z][\w'’-]*|(?:[A-Z]\.)+)(?:\s+|,\s*|\s+and\s+|\s*&\s*))*$"
        )
        self.place_after = re.compile(
            rf"^(?:['’]s)?\s+(?:{_words_regex(settings.place_words)})(?![\w-])", re.IGNORECASE
        )
        self.place_words = {w.lower() for w in settings.place_words}
        self.org_words = {w.lower() for w in settings.org_words}
        self.lead_words = {w.lower() for w in vocab.LEAD_WORDS}
        self.titles = {w.lower() for w in settings.staff_titles}
        self.officer_word = re.compile(rf"(?:{officers}):?")
        self.common_words = (
            {w.lower() for w in settings.school_context + settings.adult_roles}
            | self.place_words
            | self.org_words
            | self.lead_words
            | self.titles
            | {"age", "photo", "photos", "video", "pictures"}
            | (STOP_WORDS - {"will", "may"})  # "You scored 20 points" is not a name
        )
        # words that may stand capitalised right before a name ("Senior", "President", "Go")
        self.name_openers = (
            {w.lower() for w in settings.school_context + settings.adult_roles}
            | self.lead_words
            | self.titles
            | {w for role in vocab.OFFICER_ROLES for w in role.split()}
            | STOP_WORDS
        )
        self.function_words = self.lead_words | STOP_WORDS  # "... Emma Johnson We love you"
        self.not_names = {normalize_name(w) for w in settings.not_names}
        self.figures_full, self.figures_last = set(), set()
        for figure in settings.public_figures:
            norm = self._strip_title(normalize_name(figure))
            self.figures_full.add(norm)
            self.figures_last.add(norm.split()[-1])
        self.staff_full, self.staff_single = set(), set()
        staff_emails = set()
        for member in district.staff:
            first, last = normalize_name(member.first_name), normalize_name(member.last_name)
            self.staff_full.add(f"{first} {last}".strip())
            self.staff_single.add(last)
            if member.email:
                staff_emails.add(member.email.strip().lower())
        self.official_emails = staff_emails | {
            v.strip().lower() for kind, v in district.official_contacts if kind == "email"
        }
        self.official_phones = {
            _digits(v) for kind, v in district.official_contacts if kind == "phone"
        }
        self.district_domains = {d.strip().lower().lstrip("@.") for d in district.district_domains}
        self.district_domains |= {
            v.strip().lower().lstrip("@.")
            for kind, v in district.official_contacts
            if kind == "domain"
        }
        self.student_domains = {
            d.strip().lower().lstrip("@.") for d in settings.student_email_domains
        }
        self.student_prefixes = tuple(p.lower() for p in settings.student_subdomain_prefixes)

    # --- helpers ------------------------------------------------------------------------------

    def _strip_title(self, norm: str) -> str:
        words = norm.split()
        while len(words) > 1 and self.title_before.search(words[0] + " "):
            words.pop(0)
        return " ".join(words)

    def _ordinary(self, word: str) -> bool:
        """True for an ordinary English word or its plural ("Playoff", "Volunteer", "Sign-Up")."""
        parts = word.lower().strip(".'’").split("-")
        return all(
            p in self.english or any(s in self.english for s in _plural_stems(p)) for p in parts
        )

    def _plural_noun(self, word: str) -> bool:
        """True for the plural of an English word that is not a word itself: a team, mascot or
        group ("Jaguars", "Wildcats") rather than one person ("Brooks", "Marcus")."""
        low = word.lower()
        return low not in self.english and any(s in self.english for s in _plural_stems(low))

    def _in_title_phrase(self, text: str, start: int, end: int, words: list[str]) -> bool:
        """True when the span is ordinary English words in a Title Case run ("Book Fair
        Volunteer Schedule", "Bake Sale Helper Roster"): a heading or an event, not a name.
        The run shows as a capitalised ordinary word right before the span on its line (not a
        sentence's first word, "Today Emma Johnson", nor one that opens names, "Senior",
        "Congrats", "President"), one right after it, or four such words in the span."""
        if not all(self._ordinary(w) for w in words):
            return False
        if len(words) >= 4:
            return True
        prev = _PREV_WORD.search(text, max(0, start - 40), start)
        if (
            prev
            and self._title_word(prev.group("word"), self.name_openers)
            and not _at_sentence_start(text, prev.start("word"))
        ):
            return True
        after = _NEXT_WORD.match(text, end)
        return bool(after and self._title_word(after.group("word"), self.function_words))

    def _title_word(self, word: str, exempt: set[str]) -> bool:
        """A capitalised ordinary word ("Fair", "Volunteer") not in `exempt` nor an acronym."""
        return not word.isupper() and word.lower() not in exempt and self._ordinary(word)

    def _context_word(self, low: str, start: int, end: int, window: int) -> str | None:
        """The school-context word nearest to [start, end) within `window` chars, if any."""
        best, best_dist = None, window + 1
        lo = max(0, start - window)
        for match in self.school.finditer(low, lo, min(len(low), end + window)):
            if start <= match.start() < end:
                continue
            dist = start - match.end() if match.end() <= start else match.start() - end
            if dist < best_dist:
                best, best_dist = match.group(0), dist
        return best

    def _domain_kind(self, domain: str) -> str:
        """'student', 'district' or 'other' for an e-mail domain."""
        if domain in self.student_domains or any(
            domain.endswith("." + d) for d in self.student_domains
        ):
            return "student"
        for d in self.district_domains:
            if domain == d:
                return "district"
            if domain.endswith("." + d):
                sub = domain[: -len(d) - 1].split(".")[-1]
                return "student" if sub.startswith(self.student_prefixes) else "district"
        return "other"

    # --- per category -------------------------------------------------------------------------

    def _email(self, low: str, start: int, end: int) -> Candidate | None:
        value = low[start:end]
        if value in self.official_emails:
            return None
        local, _, domain = value.partition("@")
        kind = self._domain_kind(domain)
        if kind == "student":
            if local.startswith(("firstname", "first.last", "name")):
                return None
            return Candidate(CONTACT, start, end, 0.9, "student school e-mail account")
        if kind == "district" or _ROLE_MAILBOX.search(local):
            return None
        if _STAFF_NEAR_CONTACT.search(low, max(0, start - 50), start):
            return None
        return Candidate(CONTACT, start, end, 0.7, "personal e-mail address in a school post")

    def _phone(self, text: str, low: str, start: int, end: int) -> Candidate | None:
        number = re.split(r"(?i)\s*(?:ext|x|#)", text[start:end])[0]
        if _digits(number) in self.official_phones:
            return None
        before = low[max(0, start - 50) : start]
        if _FAMILY_PHONE.search(before):
            return Candidate(CONTACT, start, end, 0.85, "phone number of a student's family")
        if _BUSINESS_PHONE.search(before) or _STAFF_NEAR_CONTACT.search(before):
            return None
        return Candidate(CONTACT, start, end, 0.7, "phone number that is not a district contact")

    def _address(self, low: str, start: int, end: int) -> Candidate | None:
        before = low[max(0, start - 70) : start]
        if _HOME.search(before):
            return Candidate(CONTACT, start, end, 0.85, "home address near 'home'/'family'")
        if _VENUE.search(before):
            return None
        return Candidate(CONTACT, start, end, 0.6, "street address in a school post")

    def _trim(self, text: str, start: int, end: int) -> tuple[int, int, bool]:
        """Cut a NER span to its name-shaped words; True when an officer role opened it
        ("Treasurer Raj Malhotra")."""
        words = [m for m in _TOKEN.finditer(text, start, end)]
        officer = False
        while words and (
            not _NAME_WORD.fullmatch(words[0].group(0))
            or words[0].group(0).lower() in self.lead_words
            or self.officer_word.fullmatch(words[0].group(0).lower())
        ):
            officer = officer or bool(self.officer_word.fullmatch(words[0].group(0).lower()))
            words.pop(0)
        while words and not _NAME_WORD.fullmatch(words[-1].group(0)):
            words.pop()
        if not words:
            return start, start, officer
        start, end = words[0].start(), words[-1].end()
        possessive = re.search(r"['’]s?$", text[start:end])
        if possessive:
            end -= len(possessive.group(0))
        if len(words) == 1:  # "Isabel Moreno" tagged as just "Moreno", "Hyun-woo Lee" as "Lee"
            prev = re.search(
                r"(?<=[a-z,] )" + _NAME_WORD.pattern + r" $", text[max(0, start - 30) : start]
            )
            hyphen = re.search(r"[A-Z][a-z]+-[a-z]+ $", text[max(0, start - 20) : start])
            found = hyphen or prev
            if found and found.group(0).strip().lower() not in self.lead_words | self.titles:
                start -= len(found.group(0))
        return start, end, officer

    def _is_adult_or_not_a_person(
        self, text: str, low: str, start: int, end: int, words: list[str], norm: str
    ) -> bool:
        """Staff, titled adults, public figures, authors, places and organisations."""
        before = low[max(0, start - 40) : start]
        if self.title_before.search(before) or self.title_in_span.match(low, start, end):
            return True
        if norm in self.staff_full or (len(words) == 1 and norm in self.staff_single):
            return True
        if norm in self.figures_full or (len(words) == 1 and norm in self.figures_last):
            return True
        lowered = {w.lower().strip(".'’") for w in words}
        if lowered & self.place_words and words[-1].lower().strip(".") in self.place_words:
            return True
        if lowered & self.org_words or self.place_after.match(text, end):
            return True
        if _LOCATIVE.search(before):
            return True
        if self.role_before.search(before):
            return True
        if self.officer_before.search(before) and self.adult_org.search(
            low, max(0, start - 80), start
        ):
            return True
        appos = self.apposition.match(low[end : end + 45])
        if appos and (appos.group("role") or self.adult_org.search(low, end, end + appos.end())):
            return True
        return bool(
            self.figure_before.search(text[max(0, start - 80) : start])
            and not _STUDENT_AFTER.match(low, end)
        )

    def _not_a_name_without_cue(
        self, text: str, low: str, start: int, end: int, words: list[str]
    ) -> bool:
        """With no tight student cue touching the span ("Congrats", "'s mom", "(Grade 7)"): a
        Title Case run of ordinary words ("Book Fair Volunteer Schedule"), a one-word plural
        noun (a team: "What a week, Jaguars!") or an ordinary word opening a sentence, where
        its capital is no evidence ("Playoff tickets go on sale")."""
        if _CUE_BEFORE.search(low, max(0, start - 40), start) or _CUE_AFTER.match(low, end):
            return False
        if self._in_title_phrase(text, start, end, words):
            return True
        if len(words) > 1:
            return False
        return self._plural_noun(words[0]) or (
            _at_sentence_start(text, start) and self._ordinary(words[0])
        )

    def _name(
        self,
        text: str,
        low: str,
        start: int,
        end: int,
        roster: RosterIndex | None,
        cue: str | None = None,
    ) -> Candidate | None:
        start, end, officer = self._trim(text, start, end)
        span = text[start:end]
        words = span.split()
        if end - start < 2 or not words:
            return None
        if len(words) == 1 and (
            span.isupper() or len(span) < 3 or span.lower() in self.common_words
        ):
            return None
        norm = normalize_name(span)
        if not norm or norm in self.not_names:
            return None
        roster_flags = roster.lookup(span) if roster is not None else None
        if roster_flags is None:
            if officer and self.adult_org.search(low, max(0, start - 80), start):
                return None
            if self._is_adult_or_not_a_person(text, low, start, end, words, norm):
                return None
            if not cue and self._not_a_name_without_cue(text, low, start, end, words):
                return None
        elif self.title_before.search(low[max(0, start - 40) : start]):
            return None  # "Mr. Lee" is not the student Ava Lee

        context = cue or self._context_word(low, start, end, self.window)
        if re.match(
            r"['’]s\s+(?:mom|dad|mother|father|parents?|family|grandma|grandpa)\b",
            low[end : end + 20],
        ):
            context = context or "family"
        score = 0.6 if len(words) > 1 else 0.3
        reasons = []
        if context:
            score += 0.3
            reasons.append(f"student name near '{context}'")
        else:
            reasons.append("person name in a school post, not staff or a public figure")
        restricted = False
        if roster_flags is not None:
            score = 1.0
            reasons.append("roster match")
            if roster_flags.restricted:
                restricted = True
                reasons.append("directory opt-out or no media consent")
        return Candidate(NAME, start, end, min(score, 1.0), "; ".join(reasons), restricted)

    def _cued_runs(
        self, text: str, low: str, runs: list[tuple[int, int]], roster: RosterIndex | None
    ) -> list[Candidate]:
        """Capitalised runs NER did not call PERSON, kept when a tight student cue touches them
        ("Congrats Brianna Scott", "Hiro Sato, grade 8", "Amara's dad", "2nd Sara Johansson")."""
        out = []
        for start, end in runs:
            cue = _CUE_BEFORE.search(low, max(0, start - 40), start)
            after = _CUE_AFTER.match(low, end)
            if not (cue or after):
                continue
            if len(text[start:end].split()) == 1 and not (after or (cue and cue.group("strong"))):
                continue
            if cue:
                word = next(g for g in cue.group("strong", "weak", "intro") if g)
            else:
                assert after is not None  # no cue before, so the one after matched
                word = _after_cue_word(after)
            cand = self._name(text, low, start, end, roster, cue=word)
            if cand is not None:
                out.append(cand)
        return out

    def _coordinated(
        self,
        text: str,
        low: str,
        runs: list[tuple[int, int]],
        names: list[Candidate],
        roster: RosterIndex | None,
    ) -> list[Candidate]:
        """Capitalised runs listed with a student's name ("Isabel Moreno and Caleb Ward")."""
        added: list[Candidate] = []
        pending = list(runs)
        changed = True
        while changed and pending:
            changed = False
            known = names + added
            for run in list(pending):
                start, end = run
                linked = any(
                    _LIST_GAP.fullmatch(text, c.end, start)
                    or _LIST_GAP.fullmatch(text, end, c.start)
                    for c in known
                    if c.end <= start or end <= c.start
                )
                if not linked:
                    continue
                pending.remove(run)
                cand = self._name(text, low, start, end, roster, cue="a list of students")
                if cand is not None:
                    added.append(cand)
                    changed = True
        return added

    def _repeated(
        self,
        text: str,
        low: str,
        runs: list[tuple[int, int]],
        names: list[Candidate],
        roster: RosterIndex | None,
    ) -> list[Candidate]:
        """A first name used again after the student's full name ("... Caleb Washington ...
        Good luck Caleb!")."""
        firsts = {text[c.start : c.end].split()[0] for c in names if " " in text[c.start : c.end]}
        out = []
        for start, end in runs:
            if text[start:end] in firsts and not any(
                c.start < end and start < c.end for c in names
            ):
                cand = self._name(text, low, start, end, roster, cue="the student's full name")
                if cand is not None:
                    out.append(cand)
        return out

    # --- the post -----------------------------------------------------------------------------

    def classify(
        self, text: str, results: list[Any], roster: RosterIndex | None
    ) -> list[Candidate]:
        """Student-PII candidates of one post from its raw Presidio results."""
        low = text.translate(_ASCII_LOWER)
        zones = [m.span() for m in _ZONES.finditer(text)]

        def overlaps_any(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
            return any(a < end and start < b for a, b in spans)

        out: list[Candidate] = []
        names, ages = [], []
        for res in sorted(results, key=lambda r: (r.start, -r.end)):
            kind, start, end = res.entity_type, res.start, res.end
            cand = None
            if kind == "EMAIL_ADDRESS":
                cand = self._email(low, start, end)
            elif kind == "PHONE_NUMBER":
                cand = self._phone(text, low, start, end)
            elif kind == "STREET_ADDRESS":
                cand = self._address(low, start, end)
            elif kind == "STUDENT_ID_NUMBER" and not overlaps_any(start, end, zones):
                cand = Candidate(ID, start, end, res.score, "number labelled as a student ID/PIN")
            elif kind == "BIRTH_DATE":
                cand = Candidate(DOB, start, end, res.score, "date given as a birth date")
            elif kind == "AGE":
                ages.append((start, end))
            elif kind in ("PERSON", "ROSTER_NAME") and not overlaps_any(start, end, zones):
                names.append((start, end))
            if cand is not None:
                out.append(cand)
        taken = [(c.start, c.end) for c in out] + zones
        named: list[Candidate] = []
        for start, end in names:
            if not overlaps_any(start, end, taken):
                cand = self._name(text, low, start, end, roster)
                if cand is not None:
                    named.append(cand)
        blocked = taken + names
        runs = []
        for match in _RUN.finditer(text):
            start, end = match.span()
            for word in _TOKEN.finditer(text, start, end):  # "Congrats Brianna Scott"
                if word.group(0).lower() not in self.lead_words:
                    break
                start = min(end, word.end() + 1)
            possessive = re.search(r"['’]s$", text[start:end])
            end -= len(possessive.group(0)) if possessive else 0
            if start < end and not overlaps_any(start, end, blocked):
                runs.append((start, end))
        named += self._cued_runs(text, low, runs, roster)
        named = _merge_overlaps(named)
        runs = [r for r in runs if not overlaps_any(*r, [(c.start, c.end) for c in named])]
        named += self._coordinated(text, low, runs, named, roster)
        named += self._repeated(text, low, runs, named, roster)
        out.extend(named)
        for start, end in ages:
            near = any(c.start - 60 <= end and start <= c.end + 60 for c in named)
            paren = text[start - 1 : start] == "("
            kid = _KID_WORDS.search(low, max(0, start - 60), start)
            if (near and not paren) or (paren and near and kid) or (not paren and kid):
                out.append(Candidate(DOB, start, end, 0.8, "age tied to a student's name"))
        return _merge_overlaps(out)


def _merge_overlaps(cands: list[Candidate]) -> list[Candidate]:
    """Keep the best-scored candidate among same-category overlapping ones."""
    kept: list[Candidate] = []
    for cand in sorted(cands, key=lambda c: (-c.score, c.start)):
        if not any(
            k.category == cand.category and k.start < cand.end and cand.start < k.end for k in kept
        ):
            kept.append(cand)
    return sorted(kept, key=lambda c: (c.start, c.end))
