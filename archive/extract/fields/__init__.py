"""Header fields of meeting minutes: time, place, host, people, agenda, decisions and open items.

Every formal 纪要 says when and where the meeting was, who chaired it, who came, who was away,
who took the minutes, what was on the agenda, what was decided and what was left to do. Ingest
today keeps all of that as plain text; this module reads it back, from the meeting's paragraphs
alone (pure: no I/O after the label lists are loaded; linear in the text).

    from archive.extract.fields import document_fields, meeting_fields, person_key, ONLINE

    document_fields(doc) -> {meeting.index: MeetingFields}   a Document; the preamble's place is inherited
    meeting_fields(meeting) -> MeetingFields                 one Meeting

    f.fields     {"date": "2023-10-25", "time": "10:00-12:00", "host": "田俊", ...}   the value as written
    f.found      [Field("host", "Host 会议主持人", "田俊", paragraph=1), ...]          every field kept
    f.people     {"host": ["田俊"], "attendees": ["刘恺", ...], "presenters": [...], ...}   PEOPLE_ROLES
    f.persons()  every person once, host first
    f.place      "北京 国家会议中心303A会议室", ONLINE ("online") or None; f.online
    f.roles      {7: "decision", 9: "action"}               Paragraph.n -> DECISION | ACTION
    f.items      [Item("decision", 7, "同意成立SIG", owners=(), due=None), ...]   with 责任人 and deadline

    person_key(name) -> str         "" if no person: person_key("張燁（华为）") == person_key("张烨") == "张烨"
    split_people(value) -> [names]  "刘慧玲（华为）、天津大学-高镇、全体委员" -> ["刘慧玲", "高镇"]
    place_of(value) -> str | ONLINE | None        a place field's value: "线上（腾讯会议）" -> ONLINE
    title_place(title) -> str | ONLINE | None     "2025/1/11 21:00-22:00 GMT+8 深圳" -> "深圳"

Where fields are found (labels are listed, in Chinese and English, in fields.toml):

* Inline, label and colon: `Host 会议主持人：田俊`, `**纪要人:** 张倍源`, `- 主持人：…`, and several on
  one line or on lines that conversion ran together (`时间：…地点：…主持人：…`): the longest label
  ending just before each colon wins, so `下次会议主持人：` is not the host and `完成时间：` not the time.
* A heading (or bold line) that is a label, `## 参会人员 (Attendance)`, `### Attendees - 参会人`, or a
  paragraph that is only a label (`遗留问题：`): the paragraphs below it, up to the next heading,
  are its value: a list of names, an attendance table, the items decided.
* Tables: a Word-style header row (`时间 | 地点 | 主持人` over one row of values), key-value rows
  (`会议时间 | 3月1日 | 会议地点 | 二楼会议室`), attendance tables (`姓名 | 账号`), agenda tables whose
  `汇报人`/`Owner` column names the presenters.
* The title: `会议时间：2025-10-11` is a field; a title that ends, after its date, time and time zone,
  in a few words names the place (`2025/1/11 21:00-22:00 GMT+8 深圳`).

Which occurrence counts: time, date and place only in the meeting's header (before its minutes
proper begin, or in a section that is itself a field) — `时间：10 月底 地点：深圳` under a topic is
a future event, not this meeting; host and recorder also on a line of their own further down
(`记录：李四` closing a 纪要); people lists (出席/列席/请假) wherever their label opens a line, the
first list of each kind only; presenters and owners everywhere.

People are cleaned by `split_people`: split on 、，, / ; | and spaces, account handles, e-mail
addresses, links, affiliations (`（华为）`, `天津大学-高镇`) and job titles (`副县长李四`) removed; a
"""

from .labels import heading_label
from .meeting import document_fields, meeting_fields
from .model import Field, Item, MeetingFields
from .people import person_key, person_name, split_people
from .places import place_of, title_place
from .vocab import ACTION, DECISION, ONLINE, PEOPLE_ROLES, vocabulary

__all__ = ["ACTION", "DECISION", "ONLINE", "PEOPLE_ROLES", "Field", "Item", "MeetingFields", "document_fields",
           "heading_label", "meeting_fields", "person_key", "person_name", "place_of", "split_people", "title_place",
           "vocabulary"]
