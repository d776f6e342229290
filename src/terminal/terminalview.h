// The terminal widget: paints a TerminalSurface and turns keyboard, mouse and IME input into bytes.
#pragma once

#include "terminal/terminalsurface.h"

#include <QAbstractScrollArea>
#include <QElapsedTimer>
#include <QFont>
#include <QHash>
#include <QPoint>
#include <QTimer>
#include <functional>

class QMenu;

namespace capsule::terminal {

class TerminalSearchBar;

// A colour scheme: default foreground/background and the 16 ANSI colours.
struct TerminalColorScheme
{
    QString name;
    QColor foreground;
    QColor background;
    QList<QColor> palette;                   // 16 entries
    static QList<TerminalColorScheme> all(); // Dark (default), Light, Solarized Dark/Light
};

// Only paints and translates input; all emulation lives in TerminalSurface (see surface()).
// Lines are addressed like the surface's combined coordinates; the selection is kept in absolute
// lines so that it stays on its text while output scrolls.
class TerminalView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    // Painting is coalesced to at most one frame per FrameMs while output floods.
    static constexpr int FrameMs = 16;

    explicit TerminalView(QWidget *parent = nullptr);
    ~TerminalView() override;

    TerminalSurface *surface() const { return m_surface; }

    QFont terminalFont() const { return m_font; }
    void setTerminalFont(const QFont &font);
    QSize cellSize() const { return QSize(m_cellWidth, m_cellHeight); }
    void zoomIn();
    void zoomOut();
    void resetZoom();

    // While read-only, keys and pastes are not sent (the session shows a disconnected state).
    void setReadOnly(bool readOnly) { m_readOnly = readOnly; }
    bool isReadOnly() const { return m_readOnly; }
    // Whether programs may set the clipboard through OSC 52 (write only; queries never answered).
    void setClipboardWriteAllowed(bool allowed) { m_clipboardWriteAllowed = allowed; }

    // Lines scrolled back from the live screen (0 = following output).
    int scrollOffset() const;
    void scrollToBottom();
    void scrollLines(int delta);

    bool hasSelection() const;
    QString selectedText() const;
    // Combined line coordinates, QPoint(col, line), end exclusive.
    void setSelection(QPoint start, QPoint end);
    void clearSelection();
    void selectAll();

    // Search in screen + scrollback. search() highlights every match and makes the one nearest
    // the bottom current (scrolled into view); returns the number of matches.
    int search(const QString &text, Qt::CaseSensitivity cs = Qt::CaseInsensitive);
    bool findNext();     // towards the bottom, wrapping
    bool findPrevious(); // towards the top, wrapping
    void clearSearch();
    int searchMatchCount() const { return int(m_matches.size()); }
    // The current match as QPoint(col, combined line), or (-1, -1).
    QPoint currentMatch() const;
    void showSearchBar();
    TerminalSearchBar *searchBar() const { return m_searchBar; }

    // OSC 8 link or a URL written as plain text (http, https, ftp, mailto, file) at a position.
    QString urlAt(int line, int col) const;

    // Colours: a scheme by name (see TerminalColorScheme::all()), applied to the text on screen.
    void setColorScheme(const QString &name);
    QString colorScheme() const { return m_scheme; }

    // Asked before pasting several lines into a program that did not enable bracketed paste.
    // The confirmer gets the text and calls answer(true) to paste; the default shows a
    // non-modal question (no nested event loop).
    using PasteConfirmer =
        std::function<void(const QString &text, std::function<void(bool)> answer)>;
    void setPasteConfirmer(PasteConfirmer confirmer) { m_pasteConfirmer = std::move(confirmer); }
    void paste(const QString &text);

    // The context menu for a viewport position (owned by the caller).
    QMenu *createContextMenu(const QPoint &pos);

public slots:
    void copySelection();
    void pasteClipboard();
    void clearScrollback();

signals:
    void terminalSizeChanged(int cols, int rows);
    void linkActivated(const QString &url);
    // The user asked to send a signal (SIGINT, SIGTERM, SIGKILL) to the PTY's program.
    void signalRequested(int signal);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void inputMethodEvent(QInputMethodEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    QVariant inputMethodQuery(Qt::InputMethodQuery query) const override;
    bool focusNextPrevChild(bool next) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    void updateCellSize();
    void updateTerminalSize();
    void updateScrollBar();
    void onInvalidated(const QRect &cells);
    void onCursorChanged(const QPoint &oldPos, const QPoint &newPos);
    void onScrollbackChanged(int lines, int pushed);
    void onClipboardRequested(const QString &text);
    int topLine() const; // combined line shown in the first viewport row
    QPoint cellAt(const QPoint &pixel, bool rounded) const; // QPoint(col, combined line)
    QRect lineRect(int line, int col, int count) const;     // viewport pixels
    bool isSelected(int line, int col) const;
    bool forwardMouse(QMouseEvent *event, bool pressed);
    void scheduleUpdate(const QRect &pixels);
    void updateSearchHighlights();
    void showMatch();
    void activateUrl(const QString &url);
    void flushFrame();
    const QFont &fontFor(uint32_t attrs);

    TerminalSurface *m_surface;
    QFont m_font;
    qreal m_baseFontSize = 10;
    int m_cellWidth = 8;
    int m_cellHeight = 16;
    int m_ascent = 12;
    bool m_readOnly = false;
    bool m_clipboardWriteAllowed = true;

    bool m_selecting = false;
    bool m_hasSelection = false;
    qint64 m_selAnchorLine = 0; // absolute lines
    int m_selAnchorCol = 0;
    qint64 m_selEndLine = 0;
    int m_selEndCol = 0;

    QString m_preedit;

    QTimer m_frameTimer;
    QElapsedTimer m_sinceLastPaint;
    QRect m_pendingUpdate;
    QHash<uint32_t, QFont> m_fontCache; // by attribute bits, with the grid's letter spacing

    struct SearchSpan
    {
        int from;
        int to;
        bool current;
    };
    QHash<qint64, QList<SearchSpan>> m_searchHighlights; // by absolute line
    struct Match
    {
        qint64 line; // absolute
        int from;
        int to;
    };
    std::vector<Match> m_matches;
    int m_currentMatch = -1;
    TerminalSearchBar *m_searchBar = nullptr;
    QString m_scheme = QStringLiteral("Dark");
    PasteConfirmer m_pasteConfirmer;
};

} // namespace capsule::terminal
