"""Contact details: which phone numbers, e-mail addresses and street addresses belong to a student
or a student's family, as opposed to the district, staff, businesses and venues.

The scores are a named table (`SCORES`); a candidate is reported when its score reaches the
category threshold of the decision stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.records import District

#: Score of each kind of contact evidence (reported at or above the STUDENT_CONTACT threshold).
SCORES = {
    "student_email": 0.9,
    "personal_email": 0.7,
    "family_phone": 0.85,
    "other_phone": 0.7,
    "home_address": 0.85,
    "street_address": 0.6,
}
EXPLAIN = {
    "student_email": "student school e-mail account",
    "personal_email": "personal e-mail address in a school post",
    "family_phone": "phone number of a student's family",
    "other_phone": "phone number that is not a district contact",
    "home_address": "home address near 'home'/'family'",
    "street_address": "street address in a school post",
}

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
    r"restaurant|clinic|dental|treasurer|pto|pta|boosters?|claiming|scam|fax|ext|questions|preguntas|rsvp|"
    r"transportation|services|department|dept|enrollment|registration|attendance)\b"
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


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)[-10:]


@dataclass(frozen=True)
class ContactRules:
    """The district's own contacts and domains, compiled once."""

    official_emails: frozenset[str]
    official_phones: frozenset[str]
    district_domains: frozenset[str]
    student_domains: frozenset[str]
    student_prefixes: tuple[str, ...]

    @classmethod
    def build(
        cls, district: District, student_domains: list[str], student_prefixes: list[str]
    ) -> ContactRules:
        """From the district's staff directory, official contacts and domains."""
        staff_emails = {m.email.strip().lower() for m in district.staff if m.email}
        emails = staff_emails | {
            v.strip().lower() for kind, v in district.official_contacts if kind == "email"
        }
        phones = {_digits(v) for kind, v in district.official_contacts if kind == "phone"}
        domains = {d.strip().lower().lstrip("@.") for d in district.district_domains} | {
            v.strip().lower().lstrip("@.")
            for kind, v in district.official_contacts
            if kind == "domain"
        }
        return cls(
            frozenset(emails),
            frozenset(phones),
            frozenset(domains),
            frozenset(d.strip().lower().lstrip("@.") for d in student_domains),
            tuple(p.lower() for p in student_prefixes),
        )

    def _domain_kind(self, domain: str) -> str:
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

    def email(self, low: str, start: int, end: int) -> str | None:
        """The evidence kind of an e-mail address, or None when it is not a student's."""
        value = low[start:end]
        if value in self.official_emails:
            return None
        local, _, domain = value.partition("@")
        kind = self._domain_kind(domain)
        if kind == "student":
            if local.startswith(("firstname", "first.last", "name")):
                return None
            return "student_email"
        if kind == "district" or _ROLE_MAILBOX.search(local):
            return None
        if _STAFF_NEAR_CONTACT.search(low, max(0, start - 50), start):
            return None
        return "personal_email"

    def phone(self, text: str, low: str, start: int, end: int) -> str | None:
        """The evidence kind of a phone number, or None when it is not a family's."""
        number = re.split(r"(?i)\s*(?:ext|x|#)", text[start:end])[0]
        if _digits(number) in self.official_phones:
            return None
        before = low[max(0, start - 50) : start]
        if _FAMILY_PHONE.search(before):
            return "family_phone"
        if _BUSINESS_PHONE.search(before) or _STAFF_NEAR_CONTACT.search(before):
            return None
        return "other_phone"

    def address(self, low: str, start: int) -> str | None:
        """The evidence kind of a street address, or None for a venue's."""
        before = low[max(0, start - 70) : start]
        if _HOME.search(before):
            return "home_address"
        if _VENUE.search(before):
            return None
        return "street_address"
