"""Fuzzy matching of person and company records: features, blocking, a Fellegi-Sunter model estimated from the data
(EM, term frequencies), scores with explanations, and SAME_AS links. Pure: no I/O, no store."""

from resolver.fuzzy.blocking import blocked_pairs, candidate_pairs, person_blocking_keys
from resolver.fuzzy.company import CompanyFeatures, company_blocking_keys, company_links
from resolver.fuzzy.company_names import normalise_company_name, parse_company_name
from resolver.fuzzy.comparisons import AGREEING_NAME_LEVELS, LEVELS, PersonTable, compare, name_level, names_agree
from resolver.fuzzy.estimate import estimate_model
from resolver.fuzzy.links import FuzzyLink, fuzzy_links, linkable
from resolver.fuzzy.model import FieldModel, FSModel, LevelModel
from resolver.fuzzy.names import PersonName, parse_name
from resolver.fuzzy.person import PersonFeatures
from resolver.fuzzy.scoring import FieldEvidence, PairScore, explain_pair, score_pair, score_pairs
from resolver.fuzzy.settings import CompanyFuzzySettings, FuzzySettings, LevelWeights, PersonField

__all__ = [
    "AGREEING_NAME_LEVELS",
    "LEVELS",
    "CompanyFeatures",
    "CompanyFuzzySettings",
    "FSModel",
    "FieldEvidence",
    "FieldModel",
    "FuzzyLink",
    "FuzzySettings",
    "LevelModel",
    "LevelWeights",
    "PairScore",
    "PersonFeatures",
    "PersonField",
    "PersonName",
    "PersonTable",
    "blocked_pairs",
    "candidate_pairs",
    "company_blocking_keys",
    "company_links",
    "compare",
    "estimate_model",
    "explain_pair",
    "fuzzy_links",
    "linkable",
    "name_level",
    "names_agree",
    "normalise_company_name",
    "parse_company_name",
    "parse_name",
    "person_blocking_keys",
    "score_pair",
    "score_pairs",
]
