"""The decision stage: named features, weights fitted on the development corpora, thresholds.

`data/weights.json` holds, per category (name, id, dob), a logistic-regression bias, one weight
per named feature and the threshold chosen on cross-validated development predictions; it is
written by `python -m detectors.pii.fit` (see that module) and read here. Nothing is fitted at
run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WEIGHTS_FILE = Path(__file__).parent / "data" / "weights.json"
#: A name in a post with no school vocabulary at all (ordinary chatter in a comment, a shared
#: news item) needs this probability: the corpora the weights come from are all school posts,
#: so they cannot teach how rare a student's name is elsewhere. A design rule, not fitted.
NON_SCHOOL_POST_THRESHOLD = 0.5

#: Every feature of each category and what it means (used in explanations; never a raw value).
FEATURES: dict[str, dict[str, str]] = {
    "name": {
        "ner_person": "the language model reads a person",
        "first_gaz": "a known given name",
        "last_gaz": "a known surname",
        "single_word": "one word only",
        "single_surname_only": "a surname alone",
        "unknown_words": "no known name part",
        "initial": "an initial",
        "all_caps": "written in capitals",
        "lower_case": "written in lower case",
        "english_words": "ordinary English words",
        "sentence_start": "a sentence's first word",
        "source_ner_only": "found by the language model only",
        "handle_in_context": "inside a handle or hashtag of a school post",
        "handle_no_context": "inside a handle or hashtag, nothing about school",
        "no_school_context": "nothing around it about school",
        "single_no_context": "a single word with nothing about school around it",
        "in_slug": "inside a web address",
        "login": "a name with digits (a login)",
        "login_cue": "near a login word",
        "cue_before": "a student cue right before it",
        "kin_child_before": "'my son/daughter' before it",
        "kin_adult_after": "a parent or school item after it ('s mom, 's locker)",
        "kin_adult_before": "a parent word before it",
        "student_after": "a grade or age right after it",
        "stats_after": "game statistics after it",
        "turns_after": "'turns' after it",
        "student_words_near": "school words near it",
        "staff_title_before": "a staff title before it",
        "adult_role_before": "an adult role before it",
        "adult_role_after": "an adult role after it",
        "officer_adult_org": "an officer of an adult organisation",
        "staff_directory": "in the staff directory",
        "public_figure": "a public figure",
        "figure_cue_before": "a public-figure cue before it",
        "place_after": "a place or building word after it",
        "org_after": "an organisation word after it",
        "org_in_span": "an organisation word in it",
        "mascot": "a team or mascot name",
        "school_name": "a school's name",
        "not_name": "a day, month or holiday",
        "role_label": "after a 'Role:' label in a list",
        "bullet": "a list item",
        "list_sibling": "listed with another name",
        "last_comma_first": "written 'Surname, Given name'",
        "place_in_span": "a place word in it",
        "place_name": "a place's name",
        "date_after": "a day number after it (a month)",
        "locative_before": "'at', 'in' or 'to' before it",
        "kin_of_before": "'parents of' before it",
        "contact_after": "a phone or e-mail right after it",
        "possessive_after": "'s after it",
        "student_word_before": "a school word right before it ('Senior', '5th grader')",
        "by_before": "'by' before it (an author or maker)",
        "as_before": "'as' before it (a role in a play)",
        "thanks_before": "thanks before it",
        "contact_verb_before": "'e-mail', 'call' or 'ask' before it",
        "place_prefix_before": "'St.', 'Lake' or 'San' before it",
        "alum_class": "a graduation year in the past after it",
        "month_date": "a month and a day",
        "in_quotes": "inside quotation marks (a title)",
    },
    "id": {
        "name_before": "a name before it",
        "name_after": "a name after it",
        "paren_after_name": "in parentheses after a name",
        "name_on_line": "a name on the same line",
        "adult_context": "staff nearby",
        "id_cue": "an ID word right before it",
        "id_cue_near": "an ID word near it",
        "login_cue_near": "a login word near it",
        "digits_5plus": "five or more digits",
        "digits_7plus": "seven or more digits",
        "letter_prefix": "a letter prefix",
        "combination": "a lock combination",
        "year_like": "a year",
        "phone_like": "a phone number's shape",
        "not_id_before": "a room, grade, page or score word before it",
        "money_or_time": "an amount or a time",
    },
    "dob": {
        "name_before": "a name before it",
        "name_after": "a name after it",
        "paren_after_name": "in parentheses after a name",
        "name_on_line": "a name on the same line",
        "adult_context": "staff nearby",
        "dob_cue": "a birth-date word near it",
        "dob_cue_before": "a birth-date word before it",
        "birthday_post": "a celebration post",
        "event_near": "an event word near it",
        "is_age": "an age",
        "is_year": "a birth year",
        "has_year": "a full date",
        "kin_near": "'my son/daughter' near it",
    },
}


@dataclass(frozen=True)
class CategoryModel:
    """One category's fitted logistic regression and threshold."""

    bias: float
    weights: Mapping[str, float]
    threshold: float

    def probability(self, features: Mapping[str, float]) -> float:
        """P(student PII) for these features."""
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def reasons(self, features: Mapping[str, float], category: str, n: int = 2) -> list[str]:
        """The descriptions of the `n` features that raised the score most."""
        contrib = sorted(
            ((self.weights.get(k, 0.0) * v, k) for k, v in features.items() if v),
            reverse=True,
        )
        return [FEATURES[category][k] for w, k in contrib[:n] if w > 0]


@cache
def load(path: Path = WEIGHTS_FILE) -> dict[str, CategoryModel]:
    """The fitted models by category (read once per process; empty before the first fit)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        cat: CategoryModel(float(m["bias"]), dict(m["weights"]), float(m["threshold"]))
        for cat, m in data["models"].items()
    }
