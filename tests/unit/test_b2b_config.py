"""B2B rules: defaults out of the box, a TOML file replaces keys, bad files give errors naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.b2b import B2BRulesError, CommitteeRole, infer_role, load_rules
from api.b2b.config import DEFAULT_RULES


def test_without_a_file_the_defaults_apply() -> None:
    assert load_rules(None) is DEFAULT_RULES
    assert DEFAULT_RULES.role_weights[CommitteeRole.DECISION_MAKER] > DEFAULT_RULES.role_weights[CommitteeRole.USER]
    assert DEFAULT_RULES.event_weights["meeting"] > DEFAULT_RULES.event_weights["email_open"]


def test_a_file_replaces_the_keys_it_sets(tmp_path: Path) -> None:
    path = tmp_path / "b2b.toml"
    path.write_text(
        """
half_life_days = 30
[role_weights]
DECISION_MAKER = 1
CHAMPION = 1
[crm_roles]
"Sponsor" = "DECISION_MAKER"
[[title_rules]]
role = "CHAMPION"
confidence = 0.7
patterns = ["evangelist", "布道师"]
""",
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert rules.half_life_days == 30
    assert rules.role_weights == {CommitteeRole.DECISION_MAKER: 1, CommitteeRole.CHAMPION: 1}
    assert rules.crm_roles == {"sponsor": CommitteeRole.DECISION_MAKER}
    assert infer_role("技术布道师", rules.title_rules).role is CommitteeRole.CHAMPION
    assert rules.event_weights == DEFAULT_RULES.event_weights  # not in the file: the default


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("half_life_days = 0", "half_life_days"),
        ("[role_weights]\nUNKNOWN = 1", "role_weights"),
        ("[role_weights]\nBOSS = 1", "role_weights.BOSS"),
        ('[[title_rules]]\nrole = "USER"\nconfidence = 2\npatterns = ["x"]', "title_rules.0.confidence"),
        ("colour = 'blue'", "colour"),
        ("half_life_days = ", "Invalid value"),  # not TOML
    ],
)
def test_a_bad_file_is_an_error_naming_the_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(B2BRulesError, match=r"bad\.toml") as error:
        load_rules(path)
    assert field in str(error.value)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(B2BRulesError, match="cannot read"):
        load_rules(tmp_path / "nope.toml")
