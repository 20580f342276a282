"""Small helpers shared by the admin modules."""


def short(text, length=80):
    """One line of at most ``length`` characters, for changelist columns."""
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"
