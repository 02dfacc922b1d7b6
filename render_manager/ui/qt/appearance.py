"""Light or dark, as the operating system is: the style, the palette and their changes.

Qt 6.5+ reports the desktop's colour scheme (QStyleHints.colorScheme) and most platform
themes hand palette-driven styles such as Fusion a matching palette. Two gaps remain:
the classic Windows styles paint light whatever the palette, so they are swapped for
Fusion; and some platforms report a dark scheme without a dark palette, so a dark
palette of our own fills in. Everything the window paints itself (status glyphs and text,
the progress bars) takes its colours from the palette, so it follows along.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# Styles that draw light controls whatever the palette or the scheme says.
NON_FOLLOWING_STYLES = frozenset({"windowsvista", "windows"})

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup


def is_dark(palette: QPalette) -> bool:
    """True when the palette puts light text on dark windows and fields."""
    return (
        palette.color(_Role.Window).lightness() < 128
        and palette.color(_Role.Base).lightness() < 128
    )


def dark_palette() -> QPalette:
    """A dark palette in the shades of Qt's own dark Fusion palette."""
    window = QColor(50, 50, 50)
    text = QColor(240, 240, 240)
    base = QColor(36, 36, 36)
    highlight = QColor(48, 140, 198)
    disabled_text = QColor(130, 130, 130)
    palette = QPalette(
        text, window, window.lighter(150), window.darker(150), window.darker(130), text, base
    )
    palette.setColor(_Role.Midlight, window.darker(130).lighter(110))
    palette.setColor(_Role.Button, window)
    palette.setColor(_Role.ButtonText, text)
    palette.setColor(_Role.BrightText, QColor(255, 255, 255))
    palette.setColor(_Role.AlternateBase, QColor(44, 44, 44))
    palette.setColor(_Role.Shadow, window.darker(150).darker(135))
    palette.setColor(_Role.ToolTipBase, QColor(60, 60, 60))
    palette.setColor(_Role.ToolTipText, text)
    palette.setColor(_Role.Highlight, highlight)
    palette.setColor(_Role.HighlightedText, text)
    # Qt's default link blue is unreadable on dark fields.
    palette.setColor(_Role.Link, QColor(108, 180, 238))
    palette.setColor(_Role.LinkVisited, QColor(170, 140, 230))
    placeholder = QColor(text)
    placeholder.setAlpha(128)
    palette.setColor(_Role.PlaceholderText, placeholder)
    for role in (_Role.Text, _Role.WindowText, _Role.ButtonText):
        palette.setColor(_Group.Disabled, role, disabled_text)
    palette.setColor(_Group.Disabled, _Role.Base, window)
    palette.setColor(_Group.Disabled, _Role.Highlight, QColor(145, 145, 145))
    return palette


class Appearance(QObject):
    """Keeps the application's palette in step with the desktop's colour scheme."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._own_palette = False
        self.scheme = app.styleHints().colorScheme()
        app.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)

    @property
    def own_palette(self) -> bool:
        """True while our dark palette stands in for one the platform did not give."""
        return self._own_palette

    def settle(self) -> None:
        """Make the palette match the current scheme (run after every scheme change)."""
        if self._own_palette:
            # Back to the platform's palette first: it may have caught up on its own.
            self._own_palette = False
            self._app.setPalette(QPalette())
        if self.scheme == Qt.ColorScheme.Dark and not is_dark(self._app.palette()):
            self._app.setPalette(dark_palette())
            self._own_palette = True

    def release(self) -> None:
        """Stop following the scheme and give the platform its palette back."""
        self._app.styleHints().colorSchemeChanged.disconnect(self._on_scheme_changed)
        if self._own_palette:
            self._own_palette = False
            self._app.setPalette(QPalette())

    def _on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        self.scheme = scheme
        # The platform may deliver its new palette just after announcing the scheme:
        # decide once the events already queued have run.
        QTimer.singleShot(0, self, self.settle)


def apply_appearance(app: QApplication) -> Appearance:
    """Make the application follow the desktop's light or dark scheme, now and on change.

    Call once, after creating the QApplication and before showing windows. Keep the
    returned object (it is also parented to the app).
    """
    if app.style().name().lower() in NON_FOLLOWING_STYLES:
        app.setStyle("Fusion")
    appearance = Appearance(app)
    appearance.settle()
    return appearance
