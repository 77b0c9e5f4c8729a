"""WordprocessingML names and the three ways a property is read."""

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
ALTERNATE = f"{{{MC}}}AlternateContent"
CHOICE = f"{{{MC}}}Choice"
FALLBACK = f"{{{MC}}}Fallback"


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def val(el, attr: str = "val") -> str | None:
    return None if el is None else el.get(q(attr))


def on(el) -> bool | None:
    """A WordprocessingML on/off property: None when absent."""
    if el is None:
        return None
    return val(el) not in ("0", "false", "off", "none")


def inner(el, wrappers: frozenset):
    """The element whose children stand in `el`'s place: a wrapper itself, a content control's
    content, the Choice of an AlternateContent (its Fallback repeats it); None for anything else."""
    if el.tag in wrappers:
        return el
    if el.tag == q("sdt"):
        return el.find(q("sdtContent"))
    if el.tag == ALTERNATE:
        return el.find(CHOICE)
    return None
