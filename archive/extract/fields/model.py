"""What a meeting's fields are: Field, Item, MeetingFields."""

from __future__ import annotations

from dataclasses import dataclass, field

from .vocab import ONLINE, PEOPLE_ROLES
from .people import person_key


@dataclass(frozen=True)
class Field:
    """One field as found: its normalised name, the label and value as written, where."""

    name: str  # "host", "attendees", ... (fields.toml)
    label: str  # "Host 会议主持人"
    value: str  # "田俊"
    paragraph: int  # Paragraph.n; 0 for the meeting title


@dataclass(frozen=True)
class Item:
    """A decision or an open item (遗留问题, action item) with its owners and deadline, if given."""

    kind: str  # DECISION or ACTION
    paragraph: int
    text: str
    owners: tuple[str, ...] = ()
    due: str | None = None


@dataclass
class MeetingFields:
    fields: dict[str, str] = field(default_factory=dict)  # name -> value text as written (first found)
    found: list[Field] = field(default_factory=list)  # every accepted field, in order
    people: dict[str, list[str]] = field(default_factory=dict)  # role -> names (PEOPLE_ROLES)
    place: str | None = None  # the place text as written, ONLINE, or None
    roles: dict[int, str] = field(default_factory=dict)  # paragraph n -> DECISION | ACTION
    items: list[Item] = field(default_factory=list)  # decisions and open items, in order

    def persons(self) -> list[str]:
        """Every person named in a role, once (by person_key), host first."""
        seen, out = set(), []
        for role in PEOPLE_ROLES:
            for name in self.people.get(role, ()):
                key = person_key(name)
                if key and key not in seen:
                    seen.add(key)
                    out.append(name)
        return out

    @property
    def online(self) -> bool:
        return self.place == ONLINE
