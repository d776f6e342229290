// The terminal widget: paints a TerminalSurface and turns keyboard, mouse and IME input into bytes.
#include "terminal/terminalview.h"

#include "terminal/terminalscreen.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QFontDatabase>
#include <QFontMetricsF>
#include <QInputMethodEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QTimer>
#include <QUrl>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace capsule::terminal {

namespace {

constexpr qreal MinFontSize = 5;
constexpr qreal MaxFontSize = 72;
constexpr int WheelLines = 3;

} // namespace

TerminalView::TerminalView(QWidget *parent)
    : QAbstractScrollArea(parent)
    , m_surface(new TerminalSurface(80, 24, this))
{
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_InputMethodEnabled);
    setAttribute(Qt::WA_KeyCompression, false);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setMouseTracking(true);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setFrameShape(QFrame::NoFrame);
    m_frameTimer.setSingleShot(true);
    m_frameTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_frameTimer, &QTimer::timeout, this, &TerminalView::flushFrame);

    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setStyleHint(QFont::TypeWriter);
    font.setFixedPitch(true);
    m_baseFontSize = font.pointSizeF() > 0 ? font.pointSizeF() : 10;
    setTerminalFont(font);

    connect(m_surface, &TerminalSurface::invalidated, this, &TerminalView::onInvalidated);
    connect(m_surface, &TerminalSurface::cursorChanged, this, &TerminalView::onCursorChanged);
    connect(m_surface, &TerminalSurface::scrollbackChanged, this,
            &TerminalView::onScrollbackChanged);
    connect(m_surface, &TerminalSurface::clipboardRequested, this,
            &TerminalView::onClipboardRequested);
    connect(m_surface, &TerminalSurface::altScreenChanged, this, [this] {
        clearSelection();
        viewport()->update();
    });
    connect(m_surface, &TerminalSurface::bell, this, [] { QApplication::beep(); });
}

TerminalView::~TerminalView() = default;

void TerminalView::setTerminalFont(const QFont &font)
{
    m_font = font;
    m_font.setFixedPitch(true);
    // Ligatures and kerning would pull glyphs off the cell grid.
    m_font.setKerning(false);
    m_font.setStyleStrategy(QFont::PreferAntialias);
    updateCellSize();
}

void TerminalView::zoomIn()
{
    QFont f = m_font;
    f.setPointSizeF(std::min(MaxFontSize, m_font.pointSizeF() + 1));
    setTerminalFont(f);
}

void TerminalView::zoomOut()
{
    QFont f = m_font;
    f.setPointSizeF(std::max(MinFontSize, m_font.pointSizeF() - 1));
    setTerminalFont(f);
}

void TerminalView::resetZoom()
{
    QFont f = m_font;
    f.setPointSizeF(m_baseFontSize);
    setTerminalFont(f);
}

void TerminalView::updateCellSize()
{
    const QFontMetricsF fm(m_font);
    m_cellWidth = std::max(1, int(std::ceil(fm.horizontalAdvance(QLatin1Char('M')))));
    m_cellHeight = std::max(1, int(std::ceil(fm.height())));
    m_ascent = int(std::ceil(fm.ascent()));
    m_fontCache.clear();
    updateTerminalSize();
    viewport()->update();
}

void TerminalView::updateTerminalSize()
{
    const int cols = std::max(1, viewport()->width() / m_cellWidth);
    const int rows = std::max(1, viewport()->height() / m_cellHeight);
    if (cols != m_surface->cols() || rows != m_surface->rows()) {
        m_surface->resize(cols, rows);
        updateScrollBar();
        // The surface clamps silly sizes; report what it really uses.
        emit terminalSizeChanged(m_surface->cols(), m_surface->rows());
    }
}

void TerminalView::updateScrollBar()
{
    QScrollBar *bar = verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum();
    bar->setRange(0, m_surface->scrollbackLines());
    bar->setPageStep(m_surface->rows());
    bar->setSingleStep(1);
    if (atBottom)
        bar->setValue(bar->maximum());
}

int TerminalView::topLine() const
{
    return verticalScrollBar()->value();
}

int TerminalView::scrollOffset() const
{
    return m_surface->scrollbackLines() - topLine();
}

void TerminalView::scrollToBottom()
{
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

void TerminalView::scrollLines(int delta)
{
    verticalScrollBar()->setValue(verticalScrollBar()->value() + delta);
}

void TerminalView::scrollContentsBy(int, int)
{
    scheduleUpdate(viewport()->rect());
}

void TerminalView::scheduleUpdate(const QRect &pixels)
{
    m_pendingUpdate |= pixels;
    if (m_frameTimer.isActive())
        return;
    // At most one paint per frame; right away when the last paint is a frame old, so that a
    // keystroke's echo is not delayed.
    const qint64 since = m_sinceLastPaint.isValid() ? m_sinceLastPaint.elapsed() : FrameMs;
    m_frameTimer.start(int(std::clamp<qint64>(FrameMs - since, 0, FrameMs)));
}

void TerminalView::flushFrame()
{
    QScrollBar *bar = verticalScrollBar();
    if (!bar->updatesEnabled())
        bar->setUpdatesEnabled(true); // repaints it once for all the changes of the frame
    if (!m_pendingUpdate.isEmpty())
        viewport()->update(m_pendingUpdate);
    m_pendingUpdate = QRect();
}

void TerminalView::onScrollbackChanged(int lines, int pushed)
{
    QScrollBar *bar = verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum();
    const int value = bar->value();
    // The scroll bar follows at once but repaints with the next frame, not once per PTY read.
    if (bar->updatesEnabled() && isVisible())
        bar->setUpdatesEnabled(false);
    bar->setRange(0, lines);
    if (atBottom) {
        bar->setValue(lines);
    } else if (lines >= m_surface->scrollbackLimit() && pushed > 0) {
        // The scrollback is full: the oldest lines went away, keep the reader on their text.
        bar->setValue(value - pushed);
    }
    scheduleUpdate(viewport()->rect());
}

QRect TerminalView::lineRect(int line, int col, int count) const
{
    return QRect(col * m_cellWidth, (line - topLine()) * m_cellHeight, count * m_cellWidth,
                 m_cellHeight);
}

void TerminalView::onInvalidated(const QRect &cells)
{
    const int line = m_surface->scrollbackLines() + cells.top();
    QRect r = lineRect(line, cells.left(), cells.width());
    r.setHeight(cells.height() * m_cellHeight);
    // Whole lines: runs of text are drawn per line, and a glyph may overhang its neighbours.
    scheduleUpdate(QRect(0, r.top(), viewport()->width(), r.height()));
}

void TerminalView::onCursorChanged(const QPoint &oldPos, const QPoint &newPos)
{
    const int base = m_surface->scrollbackLines();
    const QRect oldRect = lineRect(base + oldPos.y(), 0, m_surface->cols());
    const QRect newRect = lineRect(base + newPos.y(), 0, m_surface->cols());
    scheduleUpdate(oldRect | newRect);
}

void TerminalView::onClipboardRequested(const QString &text)
{
    if (m_clipboardWriteAllowed)
        QGuiApplication::clipboard()->setText(text);
}

QPoint TerminalView::cellAt(const QPoint &pixel, bool rounded) const
{
    const qreal x = qreal(pixel.x()) / m_cellWidth;
    int col = rounded ? int(std::lround(x)) : int(std::floor(x));
    col = std::clamp(col, 0, m_surface->cols() - (rounded ? 0 : 1));
    int row = int(std::floor(qreal(pixel.y()) / m_cellHeight));
    const int line = std::clamp(topLine() + row, 0, m_surface->lineCount() - 1);
    return QPoint(col, line);
}

bool TerminalView::hasSelection() const
{
    return m_hasSelection && (m_selAnchorLine != m_selEndLine || m_selAnchorCol != m_selEndCol);
}

bool TerminalView::isSelected(int line, int col) const
{
    if (!hasSelection())
        return false;
    const qint64 abs = m_surface->firstAbsoluteLine() + line;
    qint64 sl = m_selAnchorLine, el = m_selEndLine;
    int sc = m_selAnchorCol, ec = m_selEndCol;
    if (el < sl || (el == sl && ec < sc)) {
        std::swap(sl, el);
        std::swap(sc, ec);
    }
    const bool afterStart = abs > sl || (abs == sl && col >= sc);
    const bool beforeEnd = abs < el || (abs == el && col < ec);
    return afterStart && beforeEnd;
}

QString TerminalView::selectedText() const
{
    if (!hasSelection())
        return {};
    const qint64 first = m_surface->firstAbsoluteLine();
    return m_surface->text(QPoint(m_selAnchorCol, int(m_selAnchorLine - first)),
                           QPoint(m_selEndCol, int(m_selEndLine - first)));
}

void TerminalView::setSelection(QPoint start, QPoint end)
{
    const qint64 first = m_surface->firstAbsoluteLine();
    m_selAnchorLine = first + start.y();
    m_selAnchorCol = start.x();
    m_selEndLine = first + end.y();
    m_selEndCol = end.x();
    m_hasSelection = true;
    viewport()->update();
}

void TerminalView::clearSelection()
{
    if (!m_hasSelection)
        return;
    m_hasSelection = false;
    viewport()->update();
}

void TerminalView::selectAll()
{
    setSelection(QPoint(0, 0), QPoint(m_surface->cols(), m_surface->lineCount() - 1));
}

void TerminalView::copySelection()
{
    const QString text = selectedText();
    if (!text.isEmpty())
        QGuiApplication::clipboard()->setText(text);
}

void TerminalView::pasteClipboard()
{
    if (m_readOnly)
        return;
    paste(QGuiApplication::clipboard()->text());
}

void TerminalView::paintEvent(QPaintEvent *event)
{
    m_sinceLastPaint.start();
    QPainter p(viewport());
    const QRect area = event->rect();
    const bool screenReverse = m_surface->reverseVideo();
    const QColor defaultBg = m_surface->defaultBackground();
    const QColor defaultFg = m_surface->defaultForeground();
    const QRgb baseBg = (screenReverse ? defaultFg : defaultBg).rgb();
    p.fillRect(area, QColor(baseBg));

    const int top = topLine();
    const int cols = m_surface->cols();
    const int lineCount = m_surface->lineCount();
    const int firstRow = std::max(0, area.top() / m_cellHeight);
    const int lastRow = std::min(lineCount - 1 - top, area.bottom() / m_cellHeight);
    const int cursorLine = m_surface->scrollbackLines() + m_surface->cursor().y();
    const bool drawCursor = m_surface->cursorVisible() && !m_readOnly;
    const bool blockCursor = drawCursor && hasFocus() && m_surface->cursorShape() == 1;
    const int cursorCol = m_surface->cursor().x();

    // Effective colours of one cell (reverse video, selection, block cursor, search match).
    auto colours = [&](const Cell &c, int line, int col, int selFrom, int selTo, QRgb &fg,
                       QRgb &bg) {
        fg = m_surface->resolveColor(c.fg, true);
        bg = m_surface->resolveColor(c.bg, false);
        bool reverse = bool(c.fg & Cell::Reverse) != screenReverse;
        if (col >= selFrom && col < selTo)
            reverse = !reverse;
        if (blockCursor && line == cursorLine && col == cursorCol)
            reverse = !reverse;
        if (reverse)
            std::swap(fg, bg);
    };
    auto selectionSpan = [&](int line, int &from, int &to) {
        from = to = 0;
        if (!hasSelection())
            return;
        const qint64 abs = m_surface->firstAbsoluteLine() + line;
        qint64 sl = m_selAnchorLine, el = m_selEndLine;
        int sc = m_selAnchorCol, ec = m_selEndCol;
        if (el < sl || (el == sl && ec < sc)) {
            std::swap(sl, el);
            std::swap(sc, ec);
        }
        if (abs < sl || abs > el)
            return;
        from = abs == sl ? sc : 0;
        to = abs == el ? ec : cols;
    };

    // Pass 1: every background of the area, so that no background covers a glyph that reaches
    // into a neighbouring line (the underline row of "_", descenders, accents).
    for (int row = firstRow; row <= lastRow; ++row) {
        const int line = top + row;
        int count = 0;
        const Cell *cells = m_surface->lineCells(line, &count);
        count = std::min(count, cols);
        int selFrom, selTo;
        selectionSpan(line, selFrom, selTo);
        const int y = row * m_cellHeight;
        int runStart = 0;
        QRgb runBg = baseBg;
        auto flush = [&](int end) {
            if (runBg != baseBg && end > runStart)
                p.fillRect(
                    QRect(runStart * m_cellWidth, y, (end - runStart) * m_cellWidth, m_cellHeight),
                    QColor(runBg));
        };
        const int rowEnd = std::max(count, std::min(cols, selTo));
        for (int col = 0; col < rowEnd; ++col) {
            QRgb fg, bg;
            if (col < count) {
                colours(cells[col], line, col, selFrom, selTo, fg, bg);
            } else {
                fg = m_surface->resolveColor(0, true);
                bg = m_surface->resolveColor(0, false);
                if ((col >= selFrom && col < selTo) != screenReverse)
                    std::swap(fg, bg);
            }
            if (bg != runBg) {
                flush(col);
                runStart = col;
                runBg = bg;
            }
        }
        flush(rowEnd);
        // Search matches: a frame, so the text and its colours stay readable.
        for (const auto &[from, to, current] :
             m_searchHighlights.value(m_surface->firstAbsoluteLine() + line)) {
            const QRect r(from * m_cellWidth, y, (to - from) * m_cellWidth, m_cellHeight);
            p.fillRect(r, current ? QColor(255, 165, 0, 150) : QColor(255, 255, 0, 90));
        }
    }

    // Pass 2: text, as runs of cells with the same look. One line above and below the area is
    // drawn too (clipped to the area) for glyph parts that reach into it.
    QString run;
    for (int row = std::max(0, firstRow - 1); row <= std::min(lineCount - 1 - top, lastRow + 1);
         ++row) {
        const int line = top + row;
        int count = 0;
        const Cell *cells = m_surface->lineCells(line, &count);
        count = std::min(count, cols);
        int selFrom, selTo;
        selectionSpan(line, selFrom, selTo);
        const int baseline = row * m_cellHeight + m_ascent;
        int runStart = -1;
        QRgb runFg = 0;
        uint32_t runAttrs = 0;
        auto flush = [&] {
            if (runStart >= 0 && !run.isEmpty()) {
                p.setFont(fontFor(runAttrs));
                p.setPen(QColor(runFg));
                p.drawText(QPoint(runStart * m_cellWidth, baseline), run);
            }
            run.resize(0);
            runStart = -1;
        };
        for (int col = 0; col < count; ++col) {
            const Cell &c = cells[col];
            if (c.ch == 0 || c.ch == Cell::Continuation || c.ch == U' ') {
                flush();
                continue;
            }
            QRgb fg, bg;
            colours(c, line, col, selFrom, selTo, fg, bg);
            const uint32_t attrs =
                c.fg & (Cell::Bold | Cell::Italic | Cell::UnderlineMask | Cell::Strike);
            // Wide characters and graphemes get an item of their own at their cell; the rest
            // keep to the grid through the font's letter spacing.
            const bool alone = c.isWide() || (c.ch & Cell::GraphemeBit) || c.ch >= 0x2e80;
            if (alone || fg != runFg || attrs != runAttrs || runStart < 0)
                flush();
            if (runStart < 0) {
                runStart = col;
                runFg = fg;
                runAttrs = attrs;
            }
            if (alone) {
                run = m_surface->cellText(c);
                flush();
                continue;
            }
            if (QChar::requiresSurrogates(c.ch)) {
                run += QChar(QChar::highSurrogate(c.ch));
                run += QChar(QChar::lowSurrogate(c.ch));
            } else {
                run += QChar(char16_t(c.ch));
            }
        }
        flush();
        // OSC 8 links get a dotted underline so they can be found before Ctrl+click.
        if (m_surface->hasHyperlinks()) {
            const int y = row * m_cellHeight;
            for (const auto &[from, to] : m_surface->hyperlinkSpans(line)) {
                p.setPen(QPen(defaultFg, 1, Qt::DotLine));
                p.drawLine(from * m_cellWidth, y + m_cellHeight - 1, to * m_cellWidth - 1,
                           y + m_cellHeight - 1);
            }
        }
    }

    // Unfocused or non-block cursors are outlines / bars so the text under them stays readable.
    if (drawCursor && cursorLine >= top && cursorLine - top <= lastRow) {
        const QRect r = lineRect(cursorLine, m_surface->cursor().x(), 1);
        p.setPen(defaultFg);
        if (!hasFocus())
            p.drawRect(r.adjusted(0, 0, -1, -1));
        else if (m_surface->cursorShape() == 2)
            p.fillRect(QRect(r.left(), r.bottom() - 1, r.width(), 2), defaultFg);
        else if (m_surface->cursorShape() == 3)
            p.fillRect(QRect(r.left(), r.top(), 2, r.height()), defaultFg);
    }
    if (!m_preedit.isEmpty() && cursorLine >= top) {
        const QRect r = lineRect(cursorLine, m_surface->cursor().x(), m_preedit.size());
        p.fillRect(r, defaultBg);
        QFont f = m_font;
        f.setUnderline(true);
        p.setFont(f);
        p.setPen(defaultFg);
        p.drawText(QPoint(r.left(), r.top() + m_ascent), m_preedit);
    }
}

const QFont &TerminalView::fontFor(uint32_t attrs)
{
    const uint32_t key = attrs >> 26; // bold, italic, underline (2 bits), reverse, strike
    auto it = m_fontCache.find(key);
    if (it != m_fontCache.end())
        return it.value();
    QFont f = m_font;
    f.setBold(attrs & Cell::Bold);
    f.setItalic(attrs & Cell::Italic);
    f.setUnderline(attrs & Cell::UnderlineMask);
    f.setStrikeOut(attrs & Cell::Strike);
    // Glyph advances exactly one cell: runs of text stay on the grid.
    const qreal advance = QFontMetricsF(f).horizontalAdvance(QLatin1Char('M'));
    f.setLetterSpacing(QFont::AbsoluteSpacing, m_cellWidth - advance);
    return m_fontCache.insert(key, f).value();
}

void TerminalView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateTerminalSize();
}

bool TerminalView::event(QEvent *event)
{
    if (event->type() == QEvent::ShortcutOverride) {
        auto *key = static_cast<QKeyEvent *>(event);
        const Qt::KeyboardModifiers mods = key->modifiers() & ~Qt::KeypadModifier;
        const bool ctrlShift = (mods & Qt::ControlModifier) && (mods & Qt::ShiftModifier);
        const bool tabSwitch = (mods & Qt::ControlModifier) &&
                               (key->key() == Qt::Key_Tab || key->key() == Qt::Key_Backtab ||
                                key->key() == Qt::Key_PageUp || key->key() == Qt::Key_PageDown);
        // A terminal owns the keyboard (Ctrl+W, Ctrl+R... belong to the shell); application
        // shortcuts stay reachable with Ctrl+Shift and Ctrl+Tab/PgUp/PgDn, as in Konsole.
        if ((!ctrlShift && !tabSwitch) || (ctrlShift && key->key() == Qt::Key_F)) {
            event->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

bool TerminalView::focusNextPrevChild(bool)
{
    return false; // Tab belongs to the shell's completion
}

void TerminalView::keyPressEvent(QKeyEvent *event)
{
    const Qt::KeyboardModifiers mods = event->modifiers() & ~Qt::KeypadModifier;
    const int key = event->key();
    if (mods == (Qt::ControlModifier | Qt::ShiftModifier)) {
        if (key == Qt::Key_C) {
            copySelection();
            return;
        }
        if (key == Qt::Key_V) {
            pasteClipboard();
            return;
        }
        if (key == Qt::Key_F) {
            showSearchBar();
            return;
        }
    }
    if (mods == Qt::ShiftModifier) {
        switch (key) {
        case Qt::Key_PageUp:
            scrollLines(-std::max(1, m_surface->rows() - 1));
            return;
        case Qt::Key_PageDown:
            scrollLines(std::max(1, m_surface->rows() - 1));
            return;
        case Qt::Key_Insert:
            pasteClipboard();
            return;
        default:
            break;
        }
    }
    if (mods == Qt::ControlModifier) {
        switch (key) {
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            zoomIn();
            return;
        case Qt::Key_Minus:
            zoomOut();
            return;
        case Qt::Key_0:
            resetZoom();
            return;
        default:
            break;
        }
    }
    if (m_readOnly) {
        // Let the session see Enter (reconnect offer) through the surface, nothing else.
        if (key != Qt::Key_Return && key != Qt::Key_Enter)
            return;
    }
    if (m_surface->sendKey(key, event->modifiers(), event->text())) {
        scrollToBottom();
        event->accept();
        return;
    }
    QAbstractScrollArea::keyPressEvent(event);
}

bool TerminalView::forwardMouse(QMouseEvent *event, bool pressed)
{
    if (m_surface->mouseMode() == 0 || (event->modifiers() & Qt::ShiftModifier) ||
        scrollOffset() != 0)
        return false;
    const QPoint cell = cellAt(event->position().toPoint(), false);
    const int row = cell.y() - m_surface->scrollbackLines();
    m_surface->mouseMove(row, cell.x(), event->modifiers());
    int button = 0;
    switch (event->button()) {
    case Qt::LeftButton:
        button = 1;
        break;
    case Qt::MiddleButton:
        button = 2;
        break;
    case Qt::RightButton:
        button = 3;
        break;
    default:
        break;
    }
    if (button != 0)
        m_surface->mouseButton(button, pressed, event->modifiers());
    return true;
}

void TerminalView::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    const QPoint pos = event->position().toPoint();
    if (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ControlModifier)) {
        const QPoint cell = cellAt(pos, false);
        const QString url = urlAt(cell.y(), cell.x());
        if (!url.isEmpty()) {
            activateUrl(url);
            return;
        }
    }
    if (forwardMouse(event, true))
        return;
    if (event->button() == Qt::LeftButton) {
        const QPoint cell = cellAt(pos, true);
        m_selecting = true;
        m_hasSelection = true;
        m_selAnchorLine = m_selEndLine = m_surface->firstAbsoluteLine() + cell.y();
        m_selAnchorCol = m_selEndCol = cell.x();
        viewport()->update();
    } else if (event->button() == Qt::MiddleButton) {
        QClipboard *clipboard = QGuiApplication::clipboard();
        paste(clipboard->supportsSelection() ? clipboard->text(QClipboard::Selection)
                                             : clipboard->text());
    }
}

void TerminalView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_selecting) {
        if (pos.y() < 0)
            scrollLines(-1);
        else if (pos.y() > viewport()->height())
            scrollLines(1);
        const QPoint cell = cellAt(pos, true);
        m_selEndLine = m_surface->firstAbsoluteLine() + cell.y();
        m_selEndCol = cell.x();
        viewport()->update();
        return;
    }
    if (event->buttons() != Qt::NoButton && m_surface->mouseMode() >= 2 &&
        forwardMouse(event, true))
        return;
    const QPoint cell = cellAt(pos, false);
    const QString url = (event->modifiers() & Qt::ControlModifier)
                            ? urlAt(cell.y(), cell.x())
                            : m_surface->hyperlinkAt(cell.y(), cell.x());
    viewport()->setCursor(!url.isEmpty() && (event->modifiers() & Qt::ControlModifier)
                              ? Qt::PointingHandCursor
                              : Qt::IBeamCursor);
    viewport()->setToolTip(url);
}

void TerminalView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_selecting && event->button() == Qt::LeftButton) {
        m_selecting = false;
        QClipboard *clipboard = QGuiApplication::clipboard();
        if (hasSelection() && clipboard->supportsSelection())
            clipboard->setText(selectedText(), QClipboard::Selection);
        return;
    }
    forwardMouse(event, false);
}

void TerminalView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || forwardMouse(event, true))
        return;
    const QPoint cell = cellAt(event->position().toPoint(), false);
    const auto [start, end] = m_surface->wordAt(cell.y(), cell.x());
    setSelection(QPoint(start, cell.y()), QPoint(end, cell.y()));
    QClipboard *clipboard = QGuiApplication::clipboard();
    if (clipboard->supportsSelection())
        clipboard->setText(selectedText(), QClipboard::Selection);
}

void TerminalView::wheelEvent(QWheelEvent *event)
{
    const int steps = event->angleDelta().y() / 120;
    if (steps == 0) {
        event->accept();
        return;
    }
    if (m_surface->altScreen()) {
        if (m_readOnly)
            return;
        // Full-screen programs scroll themselves: wheel buttons if they asked, arrows otherwise.
        for (int i = 0; i < std::abs(steps) * (m_surface->mouseMode() ? 1 : WheelLines); ++i) {
            if (m_surface->mouseMode()) {
                m_surface->mouseButton(steps > 0 ? 4 : 5, true, event->modifiers());
            } else {
                m_surface->sendKey(steps > 0 ? Qt::Key_Up : Qt::Key_Down, Qt::NoModifier);
            }
        }
        event->accept();
        return;
    }
    scrollLines(-steps * WheelLines);
    event->accept();
}

void TerminalView::focusInEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusInEvent(event);
    m_surface->focusChanged(true);
    viewport()->update();
}

void TerminalView::focusOutEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusOutEvent(event);
    m_surface->focusChanged(false);
    viewport()->update();
}

void TerminalView::inputMethodEvent(QInputMethodEvent *event)
{
    if (!event->commitString().isEmpty() && !m_readOnly) {
        m_surface->sendText(event->commitString());
        scrollToBottom();
    }
    m_preedit = event->preeditString();
    viewport()->update();
    event->accept();
}

QVariant TerminalView::inputMethodQuery(Qt::InputMethodQuery query) const
{
    const QRect cursor = lineRect(m_surface->scrollbackLines() + m_surface->cursor().y(),
                                  m_surface->cursor().x(), 1);
    switch (query) {
    case Qt::ImEnabled:
        return !m_readOnly;
    case Qt::ImCursorRectangle:
        return cursor;
    case Qt::ImFont:
        return m_font;
    case Qt::ImCursorPosition:
        return m_preedit.size();
    case Qt::ImSurroundingText:
        return m_surface->rowText(m_surface->cursor().y());
    default:
        return QAbstractScrollArea::inputMethodQuery(query);
    }
}

} // namespace capsule::terminal
