"""B2B account logic without I/O: committee roles from titles and CRM roles, engagement scores, buying committees."""

from api.b2b.committee import Candidate, Committee, Member, build_committee
from api.b2b.config import B2BRules, B2BRulesError, TitleRule, load_rules
from api.b2b.engagement import Activity, Engagement, score_engagement
from api.b2b.roles import CommitteeRole, RoleGuess, infer_role, role_from_crm

__all__ = [
    "Activity",
    "B2BRules",
    "B2BRulesError",
    "Candidate",
    "Committee",
    "CommitteeRole",
    "Engagement",
    "Member",
    "RoleGuess",
    "TitleRule",
    "build_committee",
    "infer_role",
    "load_rules",
    "role_from_crm",
    "score_engagement",
]
