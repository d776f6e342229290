// The terminal widget: paints a TerminalSurface and turns keyboard, mouse and IME input into bytes.
#pragma once

#include "terminal/terminalsurface.h"

#include <QAbstractScrollArea>
#include <QElapsedTimer>
#include <QFont>
#include <QHash>
#include <QPoint>
#include <QTimer>

namespace capsule::terminal {

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

public slots:
    void copySelection();
    void pasteClipboard();

signals:
    void terminalSizeChanged(int cols, int rows);
    void linkActivated(const QString &url);

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
};

} // namespace capsule::terminal
