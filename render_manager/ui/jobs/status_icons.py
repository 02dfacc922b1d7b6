"""Status glyphs drawn with QPainter, and status text colours readable on any palette.

No image files: each glyph is a coloured disc (or ring) with a white mark, drawn once per
size and cached, so a 100,000-row table shares seven icons.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap

from render_manager.domain.status import JobStatus

# Sizes the icon is drawn at: the table's 16 px, and larger for HiDPI screens and lists.
ICON_SIZES = (16, 20, 24, 32, 48)

# The glyph colours: mid tones that read on light and dark row backgrounds alike.
STATUS_COLOURS: dict[JobStatus, str] = {
    JobStatus.QUEUED: "#8a9099",
    JobStatus.PENDING: "#b07400",  # 3.9:1 on white, 3.6:1 on a dark row
    JobStatus.PAUSED: "#8e5bd0",
    JobStatus.RENDERING: "#2f80ed",
    JobStatus.FINISHED: "#2e9e4f",
    JobStatus.FAILED: "#d93a3a",
    JobStatus.CANCELLED: "#7b8088",
}

# Status text colours as (on a light background, on a dark background); both meet WCAG's
# 4.5:1 contrast on the row colours of Qt's light and dark palettes.
_TEXT_COLOURS: dict[JobStatus, tuple[str, str]] = {
    JobStatus.FAILED: ("#b42318", "#ff8f85"),
    JobStatus.FINISHED: ("#1e7b34", "#6fd38a"),
}


def status_icon(status: JobStatus) -> QIcon:
    """The small glyph shown before a status: cached, one QIcon per status."""
    return _icon(status)


def status_colour(status: JobStatus) -> QColor:
    """The colour of a status's glyph."""
    return QColor(STATUS_COLOURS[status])


def status_text_colour(status: JobStatus, palette: QPalette) -> QColor | None:
    """The colour for a status's text on this palette, or None to keep the palette's own.

    Failed reads red and finished green; the shade follows the palette's base colour so
    the text stays readable in a light or a dark theme.
    """
    colours = _TEXT_COLOURS.get(status)
    if colours is None:
        return None
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    return QColor(colours[1] if dark else colours[0])


@cache
def _icon(status: JobStatus) -> QIcon:
    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = _draw(status, size)
        icon.addPixmap(pixmap)
        # The same drawing on a selected row: the style's generated "selected" pixmap tints
        # it with the highlight colour, and the blue rendering disc vanished into the row.
        icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon


def _draw(status: JobStatus, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    colour = status_colour(status)
    s = float(size)
    disc = QRectF(s * 0.125, s * 0.125, s * 0.75, s * 0.75)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        mark = QPen(QColor("white"), max(1.5, s * 0.11))
        mark.setCapStyle(Qt.PenCapStyle.RoundCap)
        mark.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        match status:
            case JobStatus.QUEUED:
                # Not started: an empty ring.
                painter.setPen(QPen(colour, max(1.5, s * 0.12)))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(disc.adjusted(s * 0.04, s * 0.04, -s * 0.04, -s * 0.04))
            case JobStatus.PENDING:
                # Waiting on something else: a ring with a dot.
                painter.setPen(QPen(colour, max(1.5, s * 0.12)))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(disc.adjusted(s * 0.04, s * 0.04, -s * 0.04, -s * 0.04))
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawEllipse(QPointF(s / 2, s / 2), s * 0.13, s * 0.13)
            case JobStatus.PAUSED:
                # Held: a disc with the two bars of a media player's pause.
                _disc(painter, disc, colour)
                _pause_bars(painter, s)
            case JobStatus.RENDERING:
                _disc(painter, disc, colour)
                play = QPainterPath(QPointF(s * 0.41, s * 0.32))
                play.lineTo(QPointF(s * 0.68, s * 0.5))
                play.lineTo(QPointF(s * 0.41, s * 0.68))
                play.closeSubpath()
                painter.fillPath(play, QColor("white"))
            case JobStatus.FINISHED:
                _disc(painter, disc, colour)
                painter.setPen(mark)
                tick = [(0.33, 0.52), (0.45, 0.64), (0.67, 0.38)]
                painter.drawPolyline([QPointF(s * x, s * y) for x, y in tick])
            case JobStatus.FAILED:
                _disc(painter, disc, colour)
                painter.setPen(mark)
                painter.drawLine(QPointF(s * 0.37, s * 0.37), QPointF(s * 0.63, s * 0.63))
                painter.drawLine(QPointF(s * 0.63, s * 0.37), QPointF(s * 0.37, s * 0.63))
            case JobStatus.CANCELLED:
                _disc(painter, disc, colour)
                painter.setPen(mark)
                painter.drawLine(QPointF(s * 0.34, s * 0.5), QPointF(s * 0.66, s * 0.5))
    finally:
        painter.end()
    return pixmap


def _disc(painter: QPainter, rect: QRectF, colour: QColor) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(rect)


def _pause_bars(painter: QPainter, s: float) -> None:
    for x in (0.37, 0.53):
        painter.fillRect(QRectF(s * x, s * 0.32, s * 0.1, s * 0.36), QColor("white"))
