// TerminalView features around the core widget: search in the scrollback, URLs in plain text,
// colour schemes, multi-line paste confirmation and the context menu.
#include "terminal/terminalsearchbar.h"
#include "terminal/terminalview.h"

#include <QAction>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QRegularExpression>
#include <QScrollBar>
#include <QUrl>

#include <csignal>

namespace capsule::terminal {

namespace {

QList<QColor> colors(std::initializer_list<QRgb> rgb)
{
    QList<QColor> out;
    for (QRgb c : rgb)
        out << QColor(c);
    return out;
}

bool isOpenableUrl(const QUrl &url)
{
    static const QStringList schemes = {QStringLiteral("http"), QStringLiteral("https"),
                                        QStringLiteral("ftp"), QStringLiteral("mailto")};
    return url.isValid() && schemes.contains(url.scheme().toLower());
}

} // namespace

QList<TerminalColorScheme> TerminalColorScheme::all()
{
    const QList<QColor> solarized =
        colors({0x073642, 0xdc322f, 0x859900, 0xb58900, 0x268bd2, 0xd33682, 0x2aa198, 0xeee8d5,
                0x002b36, 0xcb4b16, 0x586e75, 0x657b83, 0x839496, 0x6c71c4, 0x93a1a1, 0xfdf6e3});
    return {
        {QStringLiteral("Dark"), QColor(0xdc, 0xdc, 0xdc), QColor(0x1e, 0x1e, 0x1e),
         colors({0x000000, 0xcd3131, 0x0dbc79, 0xe5e510, 0x2472c8, 0xbc3fbc, 0x11a8cd, 0xe5e5e5,
                 0x666666, 0xf14c4c, 0x23d18b, 0xf5f543, 0x3b8eea, 0xd670d6, 0x29b8db, 0xffffff})},
        {QStringLiteral("Light"), QColor(0x33, 0x33, 0x33), QColor(0xff, 0xff, 0xff),
         colors({0x000000, 0xcd3131, 0x00bc00, 0x949800, 0x0451a5, 0xbc05bc, 0x0598bc, 0x555555,
                 0x666666, 0xcd3131, 0x14ce14, 0xb5ba00, 0x0451a5, 0xbc05bc, 0x0598bc, 0xa5a5a5})},
        {QStringLiteral("Solarized Dark"), QColor(0x83, 0x94, 0x96), QColor(0x00, 0x2b, 0x36),
         solarized},
        {QStringLiteral("Solarized Light"), QColor(0x65, 0x7b, 0x83), QColor(0xfd, 0xf6, 0xe3),
         solarized},
    };
}

void TerminalView::setColorScheme(const QString &name)
{
    for (const TerminalColorScheme &scheme : TerminalColorScheme::all()) {
        if (scheme.name.compare(name, Qt::CaseInsensitive) != 0)
            continue;
        m_scheme = scheme.name;
        m_surface->setPalette(scheme.palette);
        m_surface->setDefaultColors(scheme.foreground, scheme.background);
        viewport()->update();
        return;
    }
}

// --- search ---------------------------------------------------------------------------------

int TerminalView::search(const QString &text, Qt::CaseSensitivity cs)
{
    m_matches.clear();
    m_currentMatch = -1;
    if (!text.isEmpty()) {
        const qint64 first = m_surface->firstAbsoluteLine();
        std::vector<int> columns;
        for (int line = 0; line < m_surface->lineCount(); ++line) {
            columns.clear();
            const QString lineText = m_surface->lineText(line, &columns);
            for (qsizetype at = lineText.indexOf(text, 0, cs); at >= 0;
                 at = lineText.indexOf(text, at + text.size(), cs)) {
                const qsizetype last = at + text.size() - 1;
                m_matches.push_back(
                    {first + line, columns[size_t(at)],
                     columns[size_t(last)] + 1 +
                         (m_surface->lineCell(line, columns[size_t(last)]).width == 2 ? 1 : 0)});
            }
        }
        if (!m_matches.empty())
            m_currentMatch = int(m_matches.size()) - 1;
    }
    updateSearchHighlights();
    showMatch();
    return int(m_matches.size());
}

bool TerminalView::findNext()
{
    if (m_matches.empty())
        return false;
    m_currentMatch = (m_currentMatch + 1) % int(m_matches.size());
    updateSearchHighlights();
    showMatch();
    return true;
}

bool TerminalView::findPrevious()
{
    if (m_matches.empty())
        return false;
    m_currentMatch = (m_currentMatch - 1 + int(m_matches.size())) % int(m_matches.size());
    updateSearchHighlights();
    showMatch();
    return true;
}

void TerminalView::clearSearch()
{
    m_matches.clear();
    m_currentMatch = -1;
    updateSearchHighlights();
}

QPoint TerminalView::currentMatch() const
{
    if (m_currentMatch < 0 || m_currentMatch >= int(m_matches.size()))
        return QPoint(-1, -1);
    const Match &m = m_matches[size_t(m_currentMatch)];
    return QPoint(m.from, int(m.line - m_surface->firstAbsoluteLine()));
}

void TerminalView::updateSearchHighlights()
{
    m_searchHighlights.clear();
    for (size_t i = 0; i < m_matches.size(); ++i) {
        const Match &m = m_matches[i];
        m_searchHighlights[m.line].append({m.from, m.to, int(i) == m_currentMatch});
    }
    viewport()->update();
}

void TerminalView::showMatch()
{
    const QPoint match = currentMatch();
    if (match.y() < 0)
        return;
    const int top = verticalScrollBar()->value();
    if (match.y() < top || match.y() >= top + m_surface->rows())
        verticalScrollBar()->setValue(match.y() - m_surface->rows() / 2);
}

void TerminalView::showSearchBar()
{
    if (!m_searchBar)
        m_searchBar = new TerminalSearchBar(this);
    m_searchBar->setParent(viewport());
    m_searchBar->activate();
}

// --- URLs -----------------------------------------------------------------------------------

QString TerminalView::urlAt(int line, int col) const
{
    const QString link = m_surface->hyperlinkAt(line, col);
    if (!link.isEmpty())
        return link;
    static const QRegularExpression url(
        QStringLiteral(R"((?:https?|ftp|file)://[^\s<>"'`]+|mailto:[^\s<>"'`]+@[^\s<>"'`]+)"),
        QRegularExpression::CaseInsensitiveOption);
    std::vector<int> columns;
    const QString text = m_surface->lineText(line, &columns);
    for (auto it = url.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        QString found = m.captured();
        // Sentence punctuation and closing brackets after a URL are not part of it.
        while (!found.isEmpty() && QStringLiteral(".,;:!?)]}").contains(found.back()))
            found.chop(1);
        const qsizetype start = m.capturedStart();
        const qsizetype end = start + found.size(); // exclusive, in QChars
        if (found.isEmpty() || size_t(end) > columns.size())
            continue;
        if (col >= columns[size_t(start)] && col <= columns[size_t(end - 1)])
            return found;
    }
    return {};
}

void TerminalView::activateUrl(const QString &url)
{
    emit linkActivated(url);
    if (isOpenableUrl(QUrl(url)))
        QDesktopServices::openUrl(QUrl(url));
}

// --- paste ----------------------------------------------------------------------------------

void TerminalView::paste(const QString &text)
{
    if (m_readOnly || text.isEmpty())
        return;
    QString trimmed = text;
    while (trimmed.endsWith(QLatin1Char('\n')) || trimmed.endsWith(QLatin1Char('\r')))
        trimmed.chop(1);
    const bool severalLines = trimmed.contains(QLatin1Char('\n')) || trimmed.contains(u'\r');
    QPointer<TerminalView> self(this);
    auto doPaste = [self, text](bool yes) {
        if (!yes || !self || self->m_readOnly)
            return;
        self->m_surface->paste(text);
        self->scrollToBottom();
    };
    // A program that enabled bracketed paste sees the paste as one block; a shell without it
    // would run every line as it arrives.
    if (!severalLines || m_surface->bracketedPaste()) {
        doPaste(true);
        return;
    }
    if (m_pasteConfirmer) {
        m_pasteConfirmer(text, doPaste);
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Question, tr("Paste several lines?"),
                                tr("The clipboard holds %n line(s). Pasted into a shell, each "
                                   "line runs as a command.",
                                   nullptr, int(trimmed.count(QLatin1Char('\n')) + 1)),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setDetailedText(text.left(4000));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this,
            [doPaste](int result) { doPaste(result == QMessageBox::Yes); });
    box->open();
}

void TerminalView::clearScrollback()
{
    m_surface->clearScrollback();
    viewport()->update();
}

// --- context menu ---------------------------------------------------------------------------

QMenu *TerminalView::createContextMenu(const QPoint &pos)
{
    auto *menu = new QMenu(this);
    const QPoint cell = cellAt(pos, false);
    const QString url = urlAt(cell.y(), cell.x());
    if (!url.isEmpty()) {
        QAction *open = menu->addAction(tr("Open Link"), this, [this, url] { activateUrl(url); });
        open->setObjectName(QStringLiteral("openLink"));
        QAction *copyLink = menu->addAction(tr("Copy Link Address"), this,
                                            [url] { QGuiApplication::clipboard()->setText(url); });
        copyLink->setObjectName(QStringLiteral("copyLink"));
        menu->addSeparator();
    }
    QAction *copy = menu->addAction(tr("Copy"), this, &TerminalView::copySelection);
    copy->setObjectName(QStringLiteral("copy"));
    copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    copy->setEnabled(hasSelection());
    QAction *pasteAction = menu->addAction(tr("Paste"), this, &TerminalView::pasteClipboard);
    pasteAction->setObjectName(QStringLiteral("paste"));
    pasteAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    pasteAction->setEnabled(!m_readOnly);
    QAction *all = menu->addAction(tr("Select All"), this, &TerminalView::selectAll);
    all->setObjectName(QStringLiteral("selectAll"));
    menu->addSeparator();
    QAction *find = menu->addAction(tr("Find..."), this, &TerminalView::showSearchBar);
    find->setObjectName(QStringLiteral("find"));
    find->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    QAction *clear = menu->addAction(tr("Clear Scrollback"), this, &TerminalView::clearScrollback);
    clear->setObjectName(QStringLiteral("clearScrollback"));
    menu->addSeparator();
    QMenu *signalMenu = menu->addMenu(tr("Send Signal"));
    signalMenu->setEnabled(!m_readOnly);
    const QList<QPair<QString, int>> signalList = {{tr("Interrupt (SIGINT)"), SIGINT},
                                                   {tr("Terminate (SIGTERM)"), SIGTERM},
                                                   {tr("Kill (SIGKILL)"), SIGKILL}};
    for (const auto &[label, number] : signalList) {
        QAction *a =
            signalMenu->addAction(label, this, [this, n = number] { emit signalRequested(n); });
        a->setObjectName(QStringLiteral("signal%1").arg(number));
    }
    return menu;
}

void TerminalView::contextMenuEvent(QContextMenuEvent *event)
{
    // Programs with mouse reporting get the right button unless Shift is held (mousePressEvent).
    if (m_surface->mouseMode() != 0 && !(event->modifiers() & Qt::ShiftModifier))
        return;
    QMenu *menu = createContextMenu(viewport()->mapFromGlobal(event->globalPos()));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(event->globalPos()); // not exec(): no nested event loop
}

} // namespace capsule::terminal
