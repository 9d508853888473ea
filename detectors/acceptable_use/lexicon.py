"""The acceptable-use word lists and the phrase patterns compiled from them.

Each list is a data file, `data/<list>.txt` (one entry per line, `#` comments). The four category
lists (`CATEGORY_LISTS`) hold patterns; the word classes (`WORD_CLASSES`) hold plain words or
phrases that patterns refer to as `<class>` and that the guards use (negators, quoting cues,
competition words). A district changes any list in scanner.yaml under
`detectors.acceptable_use.lists.<list>` with `add`, `remove` or `replace`, as for the PII vocabulary.

Pattern syntax, one pattern per line, tokens separated by spaces:
  `word` a token; `word*` a token starting with "word"; `a/b/c` one of them;
  `<class>` one entry of a word class; `[x]` x is optional (x: a token, `a/b` or `<class>`);
  `%name` a capitalised given name or a title + name ("Ms. Hart");
  a trailing `| high|medium|low` overrides the category's severity for this pattern.
Words are compared folded (lower case, accents and leetspeak folded, apostrophes dropped: "you're"
is `youre`). Between two tokens of a pattern up to `MAX_FILLERS` filler words (`<filler>`, e.g.
"so", "really", "just") may stand. Design notes: docs/architecture.md, "acceptable use".
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DATA_DIR = Path(__file__).parent / "data"
CATEGORY_LISTS = ("profanity", "harassment", "threat", "self_harm")
WORD_CLASSES = (
    "you_are",
    "third_person",
    "victim",
    "intent",
    "violence",
    "insult",
    "filler",
    "negator",
    "quote_cue",
    "competition",
    "hyperbole_verb",
    "send_object",
    "weapon",
    "when",
)
LISTS = CATEGORY_LISTS + WORD_CLASSES
SEVERITIES = ("high", "medium", "low")
MAX_FILLERS = 3
MAX_EXPANSIONS = 200_000  # per pattern: a district typo like "<target> <target> …" is an error
NAME = "%name"


class ListEdit(BaseModel):
    """How a district changes one list: add, remove, or replace it."""

    model_config = ConfigDict(extra="forbid")
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)
    replace: list[str] | None = None


class LexiconError(ValueError):
    """A list or pattern the lexicon cannot use; the message names the list and the entry."""


@dataclass(frozen=True)
class Rule:
    """One pattern of a category, as written, with its severity."""

    category: str
    severity: str
    pattern: str


@dataclass
class Node:
    """A trie node: exact next tokens, prefix (`word*`) next tokens, and the rule ending here."""

    exact: dict[str, Node] = field(default_factory=dict)
    prefix: dict[str, Node] = field(default_factory=dict)
    rule: Rule | None = None

    def child(self, token: str) -> Node:
        """The node after `token` (a pattern token: `word` or `word*`), created if needed."""
        if token.endswith("*") and len(token) > 1:
            return self.prefix.setdefault(token[:-1], Node())
        return self.exact.setdefault(token, Node())

    def step(self, word: str) -> list[Node]:
        """The nodes a text word leads to (exact first, then every matching prefix)."""
        out = [self.exact[word]] if word in self.exact else []
        out += [n for p, n in self.prefix.items() if word.startswith(p)]
        return out


@cache
def shipped(name: str) -> tuple[str, ...]:
    """The shipped entries of one list (read once per process)."""
    path = DATA_DIR / f"{name}.txt"
    if not path.is_file():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(s for s in (line.strip() for line in lines) if s and not s.startswith("#"))


def normalize(entry: str) -> str:
    """The comparable form of an entry: lower case, single spaces, no apostrophes."""
    return " ".join(entry.lower().replace("'", "").replace("’", "").split())


def edited_lists(edits: Mapping[str, ListEdit] | None) -> dict[str, tuple[str, ...]]:
    """Every list with the district's edits applied (remove compares normalized entries)."""
    edits = dict(edits or {})
    unknown = sorted(set(edits) - set(LISTS))
    if unknown:
        raise LexiconError(f"unknown list {', '.join(unknown)}; expected one of {', '.join(LISTS)}")
    out: dict[str, tuple[str, ...]] = {}
    for name in LISTS:
        entries = list(shipped(name))
        edit = edits.get(name)
        if edit is not None:
            if edit.replace is not None:
                entries = list(edit.replace)
            gone = {normalize(e.split("|")[0]) for e in edit.remove}
            entries = [e for e in entries if normalize(e.split("|")[0]) not in gone]
            entries += [e for e in edit.add if e.strip()]
        out[name] = tuple(dict.fromkeys(normalize(e) for e in entries))
    return out


def _alternatives(token: str, classes: Mapping[str, tuple[str, ...]], where: str) -> list[tuple]:
    """The token sequences one pattern token stands for (an optional token includes `()`)."""
    optional = token.startswith("[") and token.endswith("]")
    body = token[1:-1] if optional else token
    seqs: list[tuple[str, ...]] = []
    for alt in body.split("/"):
        if alt.startswith("<") and alt.endswith(">"):
            name = alt[1:-1]
            if name not in classes:
                raise LexiconError(f"{where}: unknown word class <{name}>")
            seqs += [tuple(e.split()) for e in classes[name]]
        elif alt:
            seqs.append((alt,))
    if not seqs:
        raise LexiconError(f"{where}: empty token {token!r}")
    return [*seqs, ()] if optional else seqs


def expand(pattern: str, classes: Mapping[str, tuple[str, ...]], where: str) -> list[tuple]:
    """Every token sequence a pattern matches (word classes and options spelled out)."""
    parts = [_alternatives(t, classes, where) for t in pattern.split()]
    size = 1
    for p in parts:
        size *= len(p)
    if size > MAX_EXPANSIONS:
        raise LexiconError(f"{where}: pattern spells out {size} phrases (at most {MAX_EXPANSIONS})")
    out = []
    for combo in itertools.product(*parts):
        seq = tuple(tok for piece in combo for tok in piece)
        if seq:
            out.append(seq)
    return out


@dataclass(frozen=True)
class Lexicon:
    """The compiled lists: a token trie of every category pattern and the guard word sets."""

    root: Node
    classes: Mapping[str, frozenset[str]]
    words: frozenset[str]  # every exact token of a pattern (for folding obfuscated words)
    single_words: frozenset[str]  # one-token profanity entries (for spaced and starred words)

    @classmethod
    def build(
        cls,
        edits: Mapping[str, ListEdit] | None = None,
        severities: Mapping[str, str] | None = None,
    ) -> Lexicon:
        """Compile the shipped lists plus edits; raises LexiconError naming the bad entry."""
        lists = edited_lists(edits)
        classes = {name: lists[name] for name in WORD_CLASSES}
        root = Node()
        words: set[str] = set()
        single: set[str] = set()
        for category in CATEGORY_LISTS:
            for entry in lists[category]:
                pattern, _, sev = entry.partition("|")
                sev = sev.strip() or (severities or {}).get(category, "")
                where = f"list {category}, entry {pattern.strip()!r}"
                if sev not in SEVERITIES:
                    raise LexiconError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
                rule = Rule(category, sev, pattern.strip())
                for seq in expand(pattern, classes, where):
                    node = root
                    for tok in seq:
                        node = node.child(tok)
                        if not tok.endswith("*"):
                            words.add(tok)
                    if node.rule is None or _rank(rule) > _rank(node.rule):
                        node.rule = rule
                    if category == "profanity" and len(seq) == 1:
                        single.add(seq[0].rstrip("*"))
        frozen = {k: frozenset(v) for k, v in classes.items()}
        return cls(root, frozen, frozenset(words), frozenset(single))


def _rank(rule: Rule) -> int:
    """Which rule wins when two patterns spell the same phrase: the more severe."""
    return SEVERITIES[::-1].index(rule.severity) * 10 + CATEGORY_LISTS.index(rule.category)
