"""Fitting a diagram's texts into the room between the lifelines without losing what
the person reads them for. A reply that does not fit keeps its code and its address part
(``227 Entering Pa…(192,168,1,20,195,80).``, ``229 Ent…(|||50000|)``) and shortens the
words between; a decoded line (``⇒ 10.0.0.5 port 195*256+80 = 50000``) keeps its start
and its end (the address and the port); a data connection keeps its endpoints. The
whole text is in the arrow's tooltip."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics

__all__ = ["fit_control_label", "fit_data_title", "fit_decoded_line"]

#: the part of a reply or command that carries an address or a port: PASV's
#: (h1,h2,h3,h4,p1,p2), EPSV's (|||port|), EPRT's |1|addr|port|, PORT's h1,...,p2
_ADDRESS = re.compile(r"\([0-9,\s]+\)\S*|\(\|[^)]*\|\)\S*|\|[12]\|[^|]+\|\d+\|"
                      r"|\b\d{1,3}(?:,\d{1,3}){5}\b")


def fit_control_label(label: str, metrics: QFontMetrics, width: int) -> str:
    """``label`` as drawn in ``width`` pixels: whole when it fits; else the text before
    the address part shortened (the reply code and the address stay), else the end cut."""
    if width <= 0 or metrics.horizontalAdvance(label) <= width:
        return label
    match = _ADDRESS.search(label)
    if match is not None:
        tail = label[match.start():]
        room = width - metrics.horizontalAdvance(tail)
        head = label[:match.start()]
        code = head.split(" ", 1)[0]
        if room >= metrics.horizontalAdvance(code + " …"):
            return metrics.elidedText(head, Qt.TextElideMode.ElideRight, room) + tail
        if metrics.horizontalAdvance(tail) <= width:
            return tail
    return metrics.elidedText(label, Qt.TextElideMode.ElideRight, width)


def fit_decoded_line(line: str, metrics: QFontMetrics, width: int) -> str:
    """A decoded line keeps its facts: a closing remark in parentheses goes first
    ("… replaced by 127.0.0.1 (…)"), then the words that only repeat what the arrow
    shows ("client dials (passive) · " before the method, the port and the advertised
    address); what still does not fit keeps its start and its end (the address and
    the port), shortened in the middle."""
    width = max(width, 1)
    for candidate in _shorter_decoded(line):
        if metrics.horizontalAdvance(candidate) <= width:
            return candidate
    return metrics.elidedText(line, Qt.TextElideMode.ElideMiddle, width)


def _shorter_decoded(line: str) -> list[str]:
    """``line`` and shorter forms of it, longest first, each still saying its facts."""
    forms = [line]
    remark = re.search(r"\s\([^()]*\)$", line)
    if remark is not None and remark.start() > len(line) // 3:
        forms.append(line[:remark.start()] + " (…)")
    parts = line.split(" · ")
    if len(parts) >= 2:  # "client dials (passive) · PASV port …": the arrow shows who
        forms.append(" · ".join([re.sub(r"\s\([^()]*\)", "", parts[0]), *parts[1:]]))
        facts = " · ".join(parts[1:])  # the arrow's direction says who dials
        forms.append(facts)
        terse = facts.replace(" port ", " ").replace("advertised ", "adv. ")
        if terse != facts:
            forms.append(terse)
    return forms


def fit_data_title(titles: Sequence[str], endpoints: str, fonts: tuple[QFont, QFont, QFont],
                   width: int) -> tuple[str, QFont]:
    """A data connection's title: the longest of ``titles`` that fits in the first
    (bold) font, else the ``endpoints`` alone ("a:p -> b:q") in bold, the regular, then
    the small font; at last with the second host left out when it is the first's
    ("a:p -> :q"), shortened in the middle if even that does not fit."""
    bold, regular, small = fonts
    metrics = QFontMetrics(bold)
    for title in (*titles, endpoints):
        if metrics.horizontalAdvance(title) <= width:
            return title, bold
    for font in (regular, small):
        if QFontMetrics(font).horizontalAdvance(endpoints) <= width:
            return endpoints, font
    one, _, other = endpoints.partition(" -> ")
    if other and one.rsplit(":", 1)[0] == other.rsplit(":", 1)[0]:
        endpoints = f"{one} -> :{other.rsplit(':', 1)[1]}"
    return QFontMetrics(small).elidedText(endpoints, Qt.TextElideMode.ElideMiddle, width), small
