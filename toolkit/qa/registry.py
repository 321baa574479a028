"""The one table of QA checks: each check registers itself with its id, severity and description.

Like Babel's ``checkers`` or sacrebleu's ``METRICS``, a check is a small function registered
with `check`; the order of registration is the order of the findings, and `run_checks` is the
only place that calls them. A check returns the messages of its findings; the registry turns
them into `Finding` objects with the check's id and severity, so the two can never disagree.

One rule lives here rather than in the checks: a translation the model cut off is reported once,
by the ``truncated`` check, and not also by the checks flagged `skip_if_truncated` (length,
sentences, end punctuation, brackets), whose findings would only be its symptoms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from toolkit.errors import Severity

TRUNCATED = "truncated"  # the id of the check whose findings silence the `skip_if_truncated` ones

CheckFunction = Callable[[Any], Iterable[str]]


@dataclass(frozen=True)
class Finding:
    """One problem in one translation; `message` is a single line naming what is wrong."""

    check_id: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class Check:
    """A registered check: `run` takes the entry being checked and returns finding messages."""

    id: str
    severity: Severity
    description: str
    run: CheckFunction
    skip_if_truncated: bool = False

    def finding(self, message: str) -> Finding:
        """A finding of this check; the message is folded onto one line."""
        return Finding(self.id, self.severity, " ".join(message.split()))

    def findings(self, item: Any) -> list[Finding]:
        return [self.finding(message) for message in self.run(item)]


REGISTRY: dict[str, Check] = {}


def clip(text: str, width: int = 40) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis: for quoting in a message."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def check(
    check_id: str, severity: Severity, description: str, *, skip_if_truncated: bool = False
) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the check `check_id` (after those already registered)."""

    def register(function: CheckFunction) -> CheckFunction:
        if check_id in REGISTRY:
            raise ValueError(f"QA check {check_id!r} is registered twice")
        if "\n" in description:
            raise ValueError(f"the description of QA check {check_id!r} must be one line")
        REGISTRY[check_id] = Check(check_id, Severity(severity), description, function, skip_if_truncated)
        return function

    return register


def run_checks(item: Any, checks: Mapping[str, Check] = REGISTRY) -> list[Finding]:
    """Every finding of every check for `item`, in registration order.

    The ``truncated`` check runs first, as its verdict decides which others run; its findings
    still come in its own place.
    """
    cut = checks[TRUNCATED].findings(item) if TRUNCATED in checks else []
    findings: list[Finding] = []
    for registered in checks.values():
        if registered.id == TRUNCATED:
            findings += cut
        elif not (cut and registered.skip_if_truncated):
            findings += registered.findings(item)
    return findings


def descriptions(checks: Mapping[str, Check] = REGISTRY) -> Mapping[str, str]:
    """check id -> one-line description, read-only, in registration order."""
    return MappingProxyType({c.id: c.description for c in checks.values()})


def severities(checks: Mapping[str, Check] = REGISTRY) -> Mapping[str, Severity]:
    """check id -> severity, read-only, in registration order."""
    return MappingProxyType({c.id: c.severity for c in checks.values()})
