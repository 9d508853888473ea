"""Building Presidio once: offline tldextract, a slim spaCy pipeline, the analyzers.

`build_student_analyzer` is what `StudentPiiDetector` uses: spaCy loaded with only the NER
component (and any shared embedding layer NER listens to), Presidio's phone/e-mail/SSN
recognizers plus this package's school recognizers, and no lemma-based context enhancer
(context is scored in `detector.py` on the raw text, so the tagger and lemmatizer are not
needed). `build_vanilla_analyzer` is Presidio as a user would build it with the same model:
full pipeline, default recognizers — the baseline of `scanner eval` and the benchmark.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpEngineProvider, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    EmailRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
)
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.lookups import Lookups
from typing_extensions import override

from detectors.pii import recognizers as rec

LANGUAGE = "en"
_tld_lock = threading.Lock()
_tld_offline: object | None = None  # the offline extractor installed below, once it is


def configure_tldextract_offline() -> None:
    """Make `tldextract.extract` (used by Presidio's e-mail recognizer) read only its bundled
    public-suffix snapshot: no download, no cache directory, no logged traceback."""
    global _tld_offline
    import tldextract.tldextract as tld  # loaded with the engine (start-up speed)

    with _tld_lock:
        if _tld_offline is not None and tld.TLD_EXTRACTOR is _tld_offline:
            return
        extractor = tld.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)
        tld.TLD_EXTRACTOR = _tld_offline = extractor
    logging.getLogger("tldextract").setLevel(logging.ERROR)


def load_ner_pipeline(model: str) -> Language:
    """Load `model` keeping only NER and the embedding component NER listens to (if any)."""
    nlp = spacy.load(
        model,
        exclude=[
            "parser",
            "tagger",
            "attribute_ruler",
            "lemmatizer",
            "senter",
            "morphologizer",
            "trainable_lemmatizer",
        ],
    )
    if "ner" not in nlp.pipe_names:
        raise ValueError(f"spaCy model {model!r} has no 'ner' component")
    for name in list(nlp.pipe_names):
        if name == "ner":
            continue
        listeners = getattr(nlp.get_pipe(name), "listening_components", [])
        if "ner" not in listeners:
            nlp.remove_pipe(name)
    return nlp


def english_words(nlp: Language) -> frozenset[str]:
    """Lower-case ordinary English words: the WordNet lemma index that the model's rule-based
    lemmatizer ships (nouns, verbs, adjectives, adverbs) plus spaCy's stop words. Only the stop
    words when the model ships no lemmatizer tables. (The lemmatizer component itself is not
    loaded: `load_ner_pipeline` excludes it; its tables are read from the model directory.)"""
    words = set(STOP_WORDS)
    tables = Path(nlp.path or "") / "lemmatizer" / "lookups"
    if nlp.path is not None and tables.is_dir():
        index: Mapping[str, Any]
        try:
            index = Lookups().from_disk(tables).get_table("lemma_index")
        except (KeyError, OSError, ValueError):
            index = {}
        for pos in ("noun", "verb", "adj", "adv"):
            words.update(w for w in index.get(pos, ()) if "_" not in w)
    return frozenset(words)


class PrebuiltSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine around an already loaded `Language` (so we choose its pipes)."""

    def __init__(self, nlp: Language, ner_model_configuration: NerModelConfiguration):
        super().__init__(
            models=[{"lang_code": LANGUAGE, "model_name": nlp.meta.get("name", "custom")}],
            ner_model_configuration=ner_model_configuration,
        )
        self.pipeline = nlp
        self.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]  # Presidio's hints type `nlp` as its initial None

    def load(self) -> None:  # noqa: D102 - already loaded
        pass


class RawScoresEnhancer(ContextAwareEnhancer):
    """No lemma context: the detector scores school context itself, on the raw text."""

    def __init__(self) -> None:
        super().__init__(0.0, 0.0, 0, 0)

    @override
    def enhance_using_context(
        self, text, raw_results, nlp_artifacts, recognizers, context=None
    ) -> list[RecognizerResult]:
        return raw_results


def build_student_analyzer(
    model: str, roster_lookup: Callable[[str], object | None] | None = None
) -> AnalyzerEngine:
    """The detector's analyzer: slim spaCy NER + phone/e-mail/SSN + school recognizers."""
    configure_tldextract_offline()
    ner_config = NerModelConfiguration(
        model_to_presidio_entity_mapping={"PERSON": "PERSON"},
        labels_to_ignore=[
            "ORG",
            "GPE",
            "LOC",
            "NORP",
            "FAC",
            "DATE",
            "TIME",
            "CARDINAL",
            "ORDINAL",
            "MONEY",
            "PERCENT",
            "QUANTITY",
            "EVENT",
            "WORK_OF_ART",
            "LAW",
            "LANGUAGE",
            "PRODUCT",
        ],
    )
    nlp_engine = PrebuiltSpacyNlpEngine(load_ner_pipeline(model), ner_config)
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for recognizer in (
        SpacyRecognizer(supported_entities=["PERSON"]),
        PhoneRecognizer(supported_regions=("US", "CA")),
        EmailRecognizer(),
        rec.street_address_recognizer(),
    ):
        registry.add_recognizer(recognizer)
    if roster_lookup is not None:
        registry.add_recognizer(rec.RosterRecognizer(roster_lookup))
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=[LANGUAGE],
        context_aware_enhancer=RawScoresEnhancer(),
    )


def build_vanilla_analyzer(model: str) -> AnalyzerEngine:
    """Presidio out of the box with an explicit spaCy model: the baseline we compare against."""
    configure_tldextract_offline()
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": LANGUAGE, "model_name": model}],
        }
    )
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=[LANGUAGE])


def analyze_batch(
    analyzer: AnalyzerEngine, texts: list[str], *, batch_size: int, n_process: int = 1
) -> list[list[RecognizerResult]]:
    """Presidio results per text, spaCy run once over the batch through `nlp.pipe`."""
    artifacts = analyzer.nlp_engine.process_batch(
        texts, language=LANGUAGE, batch_size=batch_size, n_process=n_process
    )
    return [
        analyzer.analyze(text=text, language=LANGUAGE, nlp_artifacts=nlp_artifacts)
        for text, nlp_artifacts in artifacts
    ]
