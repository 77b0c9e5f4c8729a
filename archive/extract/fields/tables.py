"""Fields in tables: key-value rows, a header row over values, attendance and action-item tables."""

from __future__ import annotations

from .vocab import ACTION, DECISION, MODE, PEOPLE, PEOPLE_ROLES, SINGLE, _HEADER_KINDS, _key, vocabulary
from .people import _MARKUP, split_people
from .labels import _Hit
from .items import _cell_label, _is_placeholder_text
from .collector import _Block, _Collector, _accept


def _table(col: _Collector, rows: list[list[str]], n: int, header: bool, block: _Block | None) -> None:
    """Fields in a table: key-value rows, a header row over values, name columns, agenda owners."""
    if _key_value_rows(col, rows, n, header):
        return
    head, data = rows[0], rows[1:]
    labels = [_cell_label(c) for c in head]
    names = {lab.name for lab in labels if lab}
    _attendance(col, head, data, n, header, block)
    if not names:
        return
    agenda = "agenda" in names or (block is not None and block.name == "agenda")
    action = "deadline" in names or (block is not None and block.kind == ACTION)
    kind, col.row_items = col.row_items or (ACTION if action else None), None
    if kind:  # an action-item table: an item a row, with its owners and deadline
        _item_rows(col, labels, data, kind, n)
    else:
        _columns(col, head, labels, data, n, header, agenda, action)


def _key_value_rows(col: _Collector, rows: list[list[str]], n: int, header: bool) -> bool:
    """`会议时间 | 3月1日 | 会议地点 | 二楼会议室`: label and value side by side."""
    pairs = [(lab, row[k], row[k + 1]) for row in rows for k in range(0, len(row) - 1, 2)
             if (lab := _cell_label(row[k])) and lab.kind in _HEADER_KINDS | {DECISION, ACTION}
             and not _cell_label(row[k + 1])]
    if not (len(pairs) >= 2 or (pairs and len(rows) == 1)):
        return False
    for lab, cell, value in pairs:
        if lab.kind in (DECISION, ACTION):  # `| 会议结论 | 通过 |`: the table records an outcome
            col.item(lab.kind, n, value)
            if value.strip() and not _is_placeholder_text(value):
                col.out.roles.setdefault(n, lab.kind)
        else:
            _accept(col, _Hit(lab.name, lab.kind, cell, 0, 0, value), n, header, True, True)
    return True


def _attendance(col: _Collector, head: list[str], data: list[list[str]], n: int, header: bool,
                block: _Block | None) -> None:
    """An attendance table (`姓名 | 账号`) in the header or under a people heading."""
    voc = vocabulary()
    people_block = block is not None and block.kind == PEOPLE
    keys = [_key(_MARKUP.sub("", c)) for c in head]
    name_columns = [k for k, key in enumerate(keys) if key in voc.name_columns]
    if not (name_columns and (header or people_block)):
        return
    real = [k for k in name_columns if keys[k] not in voc.nickname_columns]
    role = block.name if people_block and block.name in PEOPLE_ROLES else "attendees"
    source = ("block", block.source) if block else ("table", n)
    for row in data:
        # `昵称 | 真实姓名`: a row's real name where it gives one, else its nickname
        given = [k for k in real if k < len(row) and split_people(row[k])]
        for k in given or name_columns:
            if k < len(row):
                col.people(role, head[k], row[k], n, source)


def _item_rows(col: _Collector, labels: list, data: list[list[str]], kind: str, n: int) -> None:
    owner_cols = [k for k, lab in enumerate(labels) if lab and lab.name in ("owners", "presenters")]
    due_cols = [k for k, lab in enumerate(labels) if lab and lab.name == "deadline"]
    for row in data:
        if _is_placeholder_text(" | ".join(row)):
            continue
        owners = [x for k in owner_cols if k < len(row) for x in split_people(row[k])]
        due = next((row[k] for k in due_cols if k < len(row) and row[k].strip()), None)
        col.item(kind, n, " | ".join(row), list(dict.fromkeys(owners)), due)
    if col.out.items and col.out.items[-1].paragraph == n:
        col.out.roles.setdefault(n, kind)


def _columns(col: _Collector, head: list[str], labels: list, data: list[list[str]], n: int, header: bool,
             agenda: bool, action: bool) -> None:
    """Labelled columns: presenters or owners, the agenda, and `时间 | 地点 | 主持人` over one row."""
    for k, label in enumerate(labels):
        values = [row[k] for row in data if k < len(row) and row[k].strip()] if label else []
        if not values:
            continue
        if label.name in ("presenters", "owners"):
            role = "presenters" if (label.name == "presenters" or agenda) and not action else "owners"
            for value in values:
                col.people(role, head[k], value, n, ("table", n))
        elif label.name == "agenda" and agenda and not action:
            col.text("agenda", head[k], "\n".join(values), n, ("table", n))
        elif len(data) == 1 and header and label.kind in (SINGLE, MODE, PEOPLE):  # `时间 | 地点 | 主持人`
            _accept(col, _Hit(label.name, label.kind, head[k], 0, 0, values[0]), n, header, True, True)
