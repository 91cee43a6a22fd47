"""Who sees which case, and whose eyes a private text may meet. The one place the web desk's
access rules live:

- department staff: their department's cases, private text included;
- the triage desk: the cases of a triage department (where the router sends what it is unsure of);
- the mayor's office: every case, but not the text of a private one (a DM, or a case of a private
  department or category: police, health, social services) unless it is its own department's;
- admins: every case and text.

A case someone may not see does not exist for them (404, never 403: a guessed reference tells
nothing). Every showing of a private text is recorded (`record_private_view`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from jun_engine.config.schema import Config
from jun_engine.domain.messages import MessageKind
from jun_engine.domain.statuses import Privacy, StaffRole
from jun_engine.staff.accounts import Staff
from jun_engine.store.tables import CaseRow, PrivateViewRow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Access:
    """One staff member's view of the town's cases."""

    staff: Staff
    triage: frozenset[str]
    """The departments marked `triage: true` in accounts.yaml."""

    @classmethod
    def of(cls, staff: Staff, config: Config) -> Access:
        """The access of `staff` in this town."""
        triage = frozenset(key for key, dept in config.departments.items() if dept.triage)
        return cls(staff, triage)

    @property
    def departments(self) -> frozenset[str] | None:
        """The departments whose cases this person sees; None for all."""
        role = self.staff.role
        if role is StaffRole.DEPARTMENT:
            return frozenset({self.staff.department or ""})
        if role is StaffRole.TRIAGE:
            return self.triage
        return None

    def sees(self, department: str) -> bool:
        """Whether a case of `department` exists for this person."""
        wanted = self.departments
        return wanted is None or department in wanted

    def acts_on(self, department: str) -> bool:
        """Whether this person may answer, route and close a case of `department` (the
        mayor's office reads, it does not work cases unless they are its own department's)."""
        if self.staff.role is StaffRole.MAYOR:
            return self.staff.department == department
        return self.sees(department)

    def reads_text(self, department: str, private: bool) -> bool:
        """Whether this person may read a case's text (its messages, replies and notes)."""
        if not self.sees(department):
            return False
        if private and self.staff.role is StaffRole.MAYOR:
            return self.staff.department == department
        return True

    def case_clause(self) -> sa.ColumnElement[bool] | None:
        """The SQL condition on `case` for what this person sees; None for everything."""
        wanted = self.departments
        if wanted is None:
            return None
        return sa.and_(col(CaseRow.department).in_(sorted(wanted)))


def is_private(privacy: Privacy | str, kind: MessageKind | str | None) -> bool:
    """Whether a case's text is personal data: a private case, or one opened by a DM."""
    return privacy == Privacy.PRIVATE or kind == MessageKind.DM


def record_private_view(session: Session, access: Access, case: CaseRow, now: datetime) -> None:
    """Remember that `access.staff` was shown the private text of `case` (who, when, which)."""
    assert case.id is not None
    session.add(PrivateViewRow(staff_id=access.staff.id, case_id=case.id, at=now))
    log.info("private case %s shown to %s", case.reference, access.staff.username)
