"""What Word's styles say about headings, bold and numbering."""

import re

from .wordml import on, q, val


class Styles:
    """What a paragraph or character style says about headings, bold and numbering (through basedOn)."""

    _HEADING = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)

    def __init__(self, root):
        self.styles: dict[str, dict] = {}
        self.default_para = None
        if root is None:
            return
        for st in root.iter(q("style")):
            sid = st.get(q("styleId"))
            self.styles[sid] = self._style(st)
            if st.get(q("type")) == "paragraph" and st.get(q("default")) in ("1", "true", "on"):
                self.default_para = sid

    @staticmethod
    def _style(st) -> dict:
        ppr, rpr = st.find(q("pPr")), st.find(q("rPr"))
        numpr = ppr.find(q("numPr")) if ppr is not None else None
        return {
            "name": (val(st.find(q("name"))) or "").strip(),
            "based": val(st.find(q("basedOn"))),
            "outline": val(ppr.find(q("outlineLvl"))) if ppr is not None else None,
            "bold": on(rpr.find(q("b"))) if rpr is not None else None,
            "num": None if numpr is None else (val(numpr.find(q("numId"))), val(numpr.find(q("ilvl")))),
        }

    def chain(self, sid: str | None):
        seen = set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            yield self.styles[sid]
            sid = self.styles[sid]["based"]

    def first(self, sid: str | None, key: str):
        return next((s[key] for s in self.chain(sid) if s[key] is not None), None)

    def heading_level(self, sid: str | None) -> int | None:
        for st in self.chain(sid):
            name = st["name"].lower()
            m = self._HEADING.match(name)
            if m:
                return min(int(m.group(1)), 6)
            if name in ("title", "标题"):
                return 1
            if st["outline"] is not None and st["outline"].isdigit() and int(st["outline"]) < 9:
                return min(int(st["outline"]) + 1, 6)
        return None
