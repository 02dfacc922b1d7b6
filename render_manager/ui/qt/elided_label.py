"""Text that shortens itself to the width it is given, never the reverse.

A plain QLabel asks its layout for the width of its whole text: a long job name, path or
message then widens the dock or the status bar holding it, and the window with them. This
label asks for a few characters only, draws as much of the text as fits (cut at a word
boundary, or in the middle for paths) and puts the whole text in its tooltip when cut.
The tool button does the same for a button among others (a filter chip).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QSizePolicy,
    QStyle,
    QStyleOptionToolButton,
    QStylePainter,
    QToolButton,
    QWidget,
)
from typing_extensions import override

ELLIPSIS = "…"
# Punctuation that reads badly just before an ellipsis ("Submitted 5 jobs,…").
_TRAILING = " ,;:·-\u2013\u2014/"
# What the label asks its layout for at least, in average characters.
MIN_CHARS = 6


def elide_at_words(text: str, metrics: QFontMetrics, width: int) -> str:
    """`text` if it fits `width`, else its longest run of whole words that fits, plus "…".

    Only a first word too long on its own is cut inside it (the tooltip has it whole).
    """
    if metrics.horizontalAdvance(text) <= width:
        return text
    words = text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        candidate = " ".join(words[:count]).rstrip(_TRAILING) + ELLIPSIS
        if metrics.horizontalAdvance(candidate) <= width:
            return candidate
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)


class ElidedLabel(QLabel):
    """Plain text on one line, shortened to fit; the full text is in the tooltip when cut.

    `mode` is where text is cut: `ElideRight` cuts at a word boundary (messages, names),
    `ElideMiddle` keeps both ends (paths, whose file name matters most).
    """

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
    ) -> None:
        super().__init__(parent)
        self._mode = mode
        self._full = ""
        self._shown = ""
        self._own_tooltip = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    @override
    def setText(self, text: str) -> None:
        # One line always: a newline in a message would otherwise be drawn as a box.
        self._full = " ".join(text.split("\n"))
        super().setText(self._full)
        self._elide()

    @override
    def text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        """What the label draws at its current width (the text, or its shortened form)."""
        return self._shown

    def is_elided(self) -> bool:
        """Whether the text is shortened at the current width."""
        return self._shown != self._full

    def set_own_tooltip(self, tip: str) -> None:
        """A tooltip shown while the text is whole (the full text replaces it when cut)."""
        self._own_tooltip = tip
        self._elide()

    @override
    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().averageCharWidth() * MIN_CHARS, hint.height())

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
            self.palette(),
            self.isEnabled(),
            self._shown,
            self.foregroundRole(),
        )

    def _elide(self) -> None:
        width = self.contentsRect().width()
        metrics = self.fontMetrics()
        if self._mode == Qt.TextElideMode.ElideRight:
            shown = elide_at_words(self._full, metrics, width)
        else:
            shown = metrics.elidedText(self._full, self._mode, width)
        if shown != self._shown:
            self._shown = shown
            self.update()
        self.setToolTip(self._full if self.is_elided() else self._own_tooltip)


class ElidingToolButton(QToolButton):
    """A text tool button that gives up width before its neighbours do, shortening its text.

    Its layout may squeeze it down to a few characters, and its minimum width does not
    depend on its text. `set_parts` names a label that gives way first and a suffix kept
    whole: "Batch: spring_promo.csv ✕", then "spring_promo.csv ✕", then "spring…mo.csv ✕".
    The full text goes to the tooltip while it is shortened.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
    ) -> None:
        super().__init__(parent)
        self._mode = mode
        self._parts = ("", "", "")
        self._own_tooltip = ""
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def set_parts(self, prefix: str, core: str, suffix: str = "") -> None:
        """Show `prefix + core + suffix`; short of room, `prefix` goes, then `core` shortens."""
        self._parts = (prefix, core, suffix)
        self.setText(prefix + core + suffix)
        self._update_tooltip()

    def set_own_tooltip(self, tip: str) -> None:
        """The tooltip; the full text is put before it while the text is shortened."""
        self._own_tooltip = tip
        self._update_tooltip()

    def shown_text(self) -> str:
        """The text as drawn at the current width."""
        return self._elided(self.width())

    @override
    def minimumSizeHint(self) -> QSize:
        # The same whatever the shortened part holds: a longer name never asks for more.
        _prefix, _core, suffix = self._parts
        metrics = self.fontMetrics()
        kept = metrics.horizontalAdvance(suffix + ELLIPSIS)
        text = QSize(kept + metrics.averageCharWidth() * MIN_CHARS, metrics.height())
        option = QStyleOptionToolButton()
        self.initStyleOption(option)
        size = self.style().sizeFromContents(QStyle.ContentsType.CT_ToolButton, option, text, self)
        return QSize(size.width(), self.sizeHint().height())

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tooltip()

    @override
    def paintEvent(self, event: QPaintEvent) -> None:
        option = QStyleOptionToolButton()
        self.initStyleOption(option)
        option.text = self._elided(self.width())
        QStylePainter(self).drawComplexControl(QStyle.ComplexControl.CC_ToolButton, option)

    def _elided(self, width: int) -> str:
        prefix, core, suffix = self._parts
        if self.text() != prefix + core + suffix:
            prefix, core, suffix = "", self.text(), ""  # set with setText: all of it shortens
        metrics = self.fontMetrics()
        room = width - (self.sizeHint().width() - metrics.horizontalAdvance(prefix + core))
        if metrics.horizontalAdvance(prefix + core) <= room:
            return prefix + core + suffix
        # The label gives way first: the name, not the word before it, is what tells.
        return metrics.elidedText(core, self._mode, max(room, 0)) + suffix

    def _update_tooltip(self) -> None:
        full = self.text()
        tip = self._own_tooltip
        if self.shown_text() != full:
            tip = f"{full}\n{tip}" if tip else full
        self.setToolTip(tip)
