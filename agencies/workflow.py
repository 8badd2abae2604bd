"""Workflow tables (STYLE rule 4): a workflow is declared once as a table of steps — from which
states, to which state, the policy action that says who may, the service that does it, the form
and the API serializer that take its input, and the message shown afterwards. The HTML action
view, the API action and the "who can move this on" test all read the same table.

Dotted paths (not imports) name the service, form and serializer so the table can sit next to
the models without import cycles; `Step.service_fn()` and friends resolve them on use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Step:
    action: str  # code used in URLs and audit rows ("accept_own")
    sources: frozenset[str]  # states the step may start from
    target: str  # state it leads to ("" when the step leaves the state unchanged)
    policy: str  # policy action asked before the step ("referral.accept_own")
    service: str  # dotted path: fn(*, actor, <subject>=obj, **input)
    label: str  # button / legend
    message: str = ""  # shown after success
    form: str = ""  # dotted path of the HTML form class (no input when empty)
    serializer: str = ""  # dotted path of the API request serializer
    url_path: str = ""  # API action path (defaults to the action with dashes)
    event: str = ""  # event kind written to the record's timeline
    tone: str = ""  # "primary" | "danger" | "" (button style)
    # Input the form takes only from the record (e.g. the assignee list): the form's __init__
    # receives the subject under this keyword.
    form_takes_subject: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def api_path(self) -> str:
        return self.url_path or self.action.replace("_", "-")

    def service_fn(self):
        return import_string(self.service)

    def form_class(self):
        return import_string(self.form) if self.form else None

    def serializer_class(self):
        return import_string(self.serializer) if self.serializer else None


@dataclass(frozen=True)
class Workflow:
    name: str  # "referral"
    subject: str  # keyword the services take the record under ("referral")
    states: tuple[str, ...]
    terminal: frozenset[str]  # states nobody needs to move on
    steps: tuple[Step, ...]

    @cached_property
    def by_action(self) -> dict[str, Step]:
        return {s.action: s for s in self.steps}

    def step(self, action: str) -> Step | None:
        return self.by_action.get(action)

    def steps_from(self, state: str) -> list[Step]:
        return [s for s in self.steps if state in s.sources]

    def available(self, user, obj, *, state_attr: str = "status") -> list[Step]:
        """Steps this user may take on this record now (state and policy)."""
        from agencies.policy import check

        state = getattr(obj, state_attr)
        return [s for s in self.steps_from(state) if check(user, s.policy, obj)]

    def movers(self, obj, users: Iterable, *, state_attr: str = "status") -> dict:
        """{user: [actions]} for the users who can move this record on."""
        found = {}
        for user in users:
            steps = self.available(user, obj, state_attr=state_attr)
            if steps:
                found[user] = [s.action for s in steps]
        return found

    def transitions(self) -> dict[str, tuple[frozenset[str], str, str]]:
        """action -> (sources, target, event kind): the shape the services check against."""
        return {s.action: (s.sources, s.target, s.event) for s in self.steps}
