"""The licensing rules: the rules file and its parameters, the applicant's licensing facts,
and the checks of a proposed site.

- :mod:`siting.rules.config`: the rules file (default ``siting/rules/rules.yaml``, shipped with
  the package), rule results with explanations, the applicant's licensing facts;
- :mod:`siting.rules.site`: the site rules evaluated for many points at once;
- :mod:`siting.rules.validate`: one proposed site's validation report.

The names of :mod:`siting.rules.config` are importable from here.
"""

from siting.rules.config import (
    DEFAULT_RULES_PATH,
    LicenceRules,
    Param,
    PersonFacts,
    RuleResult,
    Rules,
    check_applicant,
    licence_expiry,
    load_rules,
)

__all__ = ["DEFAULT_RULES_PATH", "LicenceRules", "Param", "PersonFacts", "RuleResult", "Rules",
           "check_applicant", "licence_expiry", "load_rules"]
