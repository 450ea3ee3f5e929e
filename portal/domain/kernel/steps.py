"""A state machine as a table: each step names the states it leaves, the state it reaches, the
roles that may take it and, where the roles depend on the state, a guard. Documents
(workflow.py) and dossiers (units/dossiers.py) both move by such a table; `check()` says in
Vietnamese why a step is refused."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from portal.errors import Forbidden, InvalidTransition


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    source: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    guard: Callable[[str, str], bool] | None = None  # (state, role) -> may this role take it from there


class StepTable:
    """The steps of one kind of record. `refused` and `forbidden` are the Vietnamese messages
    (with {label}, {state} and {role}); `state_label` names a state for a person; `trusted`, a
    role never refused (the portal itself, when a published decision closes its dossiers)."""

    def __init__(self, steps: Iterable[Step], state_label: Callable[[str], str], refused: str, forbidden: str,
                 trusted: str | None = None):
        self.steps = {step.name: step for step in steps}
        self.state_label, self.refused, self.forbidden, self.trusted = state_label, refused, forbidden, trusted

    def __getitem__(self, name: str) -> Step:
        return self.steps[name]

    def get(self, name: str) -> Step | None:
        return self.steps.get(name)

    def values(self) -> Iterator[Step]:
        return iter(self.steps.values())

    def allowed(self, name: str, state: str, role: str) -> bool:
        """Whether `role` may take step `name` from `state`."""
        step = self.steps.get(name)
        return bool(step and state in step.source and self._may(step, state, role))

    def available(self, state: str, role: str) -> list[Step]:
        """The steps `role` may take from `state`, in the table's order."""
        return [step for step in self.steps.values() if state in step.source and self._may(step, state, role)]

    def check(self, name: str, state: str, role: str) -> Step:
        """The step, or InvalidTransition (not from this state) / Forbidden (not this role)."""
        step = self.steps.get(name)
        if step is None or state not in step.source:
            raise InvalidTransition(self.refused.format(label=step.label if step else name,
                                                        state=self.state_label(state), role=role))
        if not self._may(step, state, role) and role != self.trusted:
            raise Forbidden(self.forbidden.format(label=step.label, state=self.state_label(state), role=role))
        return step

    @staticmethod
    def _may(step: Step, state: str, role: str) -> bool:
        return role in step.roles and (step.guard is None or step.guard(state, role))
