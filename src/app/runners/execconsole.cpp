// See execconsole.h.
#include "app/runners/execconsole.h"

#include "app/terminals/terminaltabs.h"
#include "app/widgets/syntaxcolors.h"

#include "core/exec.h"
#include "core/runnersession.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QTabBar>
#include <QTextBlock>
#include <QTextCharFormat>
#include <QTextCursor>
#include <QVBoxLayout>

namespace capsule::app {

namespace {
// Splits like a POSIX shell does for words: blanks separate, '...' is literal, "..." keeps
// blanks (\ escapes " \ $ `), a backslash outside quotes escapes the next character.
QStringList splitWords(const QString &line, bool *unterminated)
{
    QStringList words;
    QString word;
    bool inWord = false;
    QChar quote;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (quote == QLatin1Char('\'')) {
            if (c == QLatin1Char('\''))
                quote = QChar();
            else
                word += c;
        } else if (quote == QLatin1Char('"')) {
            if (c == QLatin1Char('"'))
                quote = QChar();
            else if (c == QLatin1Char('\\') && i + 1 < line.size() &&
                     QStringLiteral("\"\\$`").contains(line.at(i + 1)))
                word += line.at(++i);
            else
                word += c;
        } else if (c == QLatin1Char('\'') || c == QLatin1Char('"')) {
            quote = c;
            inWord = true;
        } else if (c == QLatin1Char('\\') && i + 1 < line.size()) {
            word += line.at(++i);
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words << word;
    if (unterminated)
        *unterminated = !quote.isNull();
    return words;
}

const int kHistoryMax = 50;
const QString kHistoryKey = QStringLiteral("exec/history");
} // namespace

ExecConsole::ExecConsole(RunnerSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_runnerId(session ? session->runnerId() : QString())
    , m_command(new QComboBox(this))
    , m_shell(new QCheckBox(tr("Shell"), this))
    , m_cwd(new QLineEdit(this))
    , m_env(new QLineEdit(this))
    , m_timeout(new QSpinBox(this))
    , m_runButton(new QPushButton(tr("&Run"), this))
    , m_stopButton(new QPushButton(tr("S&top"), this))
    , m_copyButton(new QPushButton(tr("&Copy Output"), this))
    , m_saveButton(new QPushButton(tr("&Save Output..."), this))
    , m_status(new QLabel(this))
    , m_envError(new QLabel(this))
    , m_output(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("execConsole"));
    m_command->setObjectName(QStringLiteral("execCommand"));
    m_command->setEditable(true);
    m_command->setInsertPolicy(QComboBox::NoInsert);
    m_command->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_command->addItems(history());
    m_command->setCurrentText(QString());
    m_command->lineEdit()->setPlaceholderText(tr("Command, e.g. ls -la /workspace"));
    m_shell->setChecked(true);
    m_shell->setToolTip(tr("Run the line with sh -c (pipes, redirections, variables). Off: the "
                           "line is split into arguments and run without a shell."));
    m_cwd->setObjectName(QStringLiteral("execCwd"));
    m_cwd->setPlaceholderText(tr("/workspace (server default)"));
    m_env->setObjectName(QStringLiteral("execEnv"));
    m_env->setPlaceholderText(tr("KEY=VALUE KEY2=VALUE"));
    m_timeout->setObjectName(QStringLiteral("execTimeout"));
    m_timeout->setRange(0, 24 * 3600);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setSpecialValueText(tr("none"));
    m_envError->setObjectName(QStringLiteral("execEnvError"));
    m_envError->setStyleSheet(QStringLiteral("color: #c01c28;"));
    m_envError->setVisible(false);
    m_status->setObjectName(QStringLiteral("execStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_output->setObjectName(QStringLiteral("execOutput"));
    m_output->setReadOnly(true);
    m_output->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_output->setMaximumBlockCount(20000);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_runButton->setDefault(true);

    auto *commandRow = new QHBoxLayout;
    commandRow->addWidget(m_command, 1);
    commandRow->addWidget(m_shell);
    commandRow->addWidget(m_runButton);
    commandRow->addWidget(m_stopButton);
    auto *options = new QFormLayout;
    options->addRow(tr("Working directory:"), m_cwd);
    options->addRow(tr("Environment:"), m_env);
    options->addRow(QString(), m_envError);
    options->addRow(tr("Timeout:"), m_timeout);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_status, 1);
    bottom->addWidget(m_copyButton);
    bottom->addWidget(m_saveButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(commandRow);
    layout->addLayout(options);
    layout->addWidget(m_output, 1);
    layout->addLayout(bottom);

    connect(m_runButton, &QPushButton::clicked, this, &ExecConsole::run);
    connect(m_command->lineEdit(), &QLineEdit::returnPressed, this, &ExecConsole::run);
    connect(m_stopButton, &QPushButton::clicked, this, &ExecConsole::stop);
    connect(m_copyButton, &QPushButton::clicked, this, &ExecConsole::copyOutput);
    connect(m_saveButton, &QPushButton::clicked, this, &ExecConsole::saveOutput);
    m_statusText = tr("Runs in runner %1.").arg(m_runnerId);
    m_status->setText(m_statusText);
    updateButtons();
}

ExecConsole::~ExecConsole()
{
    if (m_job && !m_job->isFinished())
        m_job->cancel();
}

void ExecConsole::setCommand(const QString &line)
{
    m_command->setCurrentText(line);
}

void ExecConsole::setWorkingDir(const QString &dir)
{
    m_cwd->setText(dir);
}

void ExecConsole::setEnvironmentText(const QString &text)
{
    m_env->setText(text);
}

void ExecConsole::setTimeoutSeconds(int seconds)
{
    m_timeout->setValue(seconds);
}

void ExecConsole::setUseShell(bool shell)
{
    m_shell->setChecked(shell);
}

QStringList ExecConsole::argvFor(const QString &line, bool shell)
{
    if (line.trimmed().isEmpty())
        return {};
    if (shell)
        return {QStringLiteral("sh"), QStringLiteral("-c"), line};
    return splitWords(line, nullptr);
}

QMap<QString, QString> ExecConsole::parseEnvironment(const QString &text, QString *error)
{
    QMap<QString, QString> env;
    bool unterminated = false;
    const QStringList entries = splitWords(text, &unterminated);
    if (unterminated) {
        if (error)
            *error = tr("A quote is not closed.");
        return {};
    }
    for (const QString &entry : entries) {
        const qsizetype eq = entry.indexOf(QLatin1Char('='));
        const QString key = entry.left(eq);
        if (eq <= 0 || key.contains(QLatin1Char(' '))) {
            if (error)
                *error = tr("\"%1\" is not KEY=VALUE.").arg(entry);
            return {};
        }
        env.insert(key, entry.mid(eq + 1));
    }
    return env;
}

QStringList ExecConsole::history() const
{
    return QSettings().value(kHistoryKey).toStringList();
}

void ExecConsole::rememberCommand(const QString &line)
{
    QStringList list = history();
    list.removeAll(line);
    list.prepend(line);
    while (list.size() > kHistoryMax)
        list.removeLast();
    QSettings().setValue(kHistoryKey, list);
    const int at = m_command->findText(line);
    if (at >= 0)
        m_command->removeItem(at);
    m_command->insertItem(0, line);
    m_command->setCurrentIndex(0);
}

void ExecConsole::run()
{
    if (m_state == State::Running || m_detached || !m_session)
        return;
    const QString line = m_command->currentText();
    const QStringList argv = argvFor(line, m_shell->isChecked());
    if (argv.isEmpty()) {
        m_status->setText(tr("Type a command first."));
        return;
    }
    QString envError;
    const QMap<QString, QString> env = parseEnvironment(m_env->text(), &envError);
    m_envError->setText(envError);
    m_envError->setVisible(!envError.isEmpty());
    if (!envError.isEmpty())
        return; // the entry is kept as typed, the error is under the field
    rememberCommand(line);
    ExecRequest request;
    request.argv = argv;
    request.env = env;
    request.workingDir = m_cwd->text().trimmed();
    request.timeoutSeconds = m_timeout->value();
    m_lines.clear();
    m_output->clear();
    m_exitCode = -1;
    m_durationMs = 0;
    m_stopRequested = false;
    m_state = State::Running;
    m_statusText = tr("Running %1 ...").arg(line);
    m_status->setText(m_statusText);
    m_clock.start();
    ExecJob *job = m_session->exec(request);
    m_job = job;
    connect(job, &ExecJob::stdoutData, this, [this](const QString &text) { append(false, text); });
    connect(job, &ExecJob::stderrData, this, [this](const QString &text) { append(true, text); });
    connect(job, &ExecJob::errorMessage, this,
            [this](const QString &text) { append(true, tr("[exec error] %1\n").arg(text)); });
    job->then(
        this,
        [this](int code) {
            m_exitCode = code;
            if (code < 0)
                finish(State::Failed, tr("Ended without an exit code"));
            else
                finish(State::Finished, tr("Exit code %1").arg(code));
        },
        [this](const Error &error) {
            if (error.kind == ErrorKind::Cancelled)
                finish(State::Stopped, m_detached ? m_statusText : tr("Stopped"));
            else
                finish(State::Failed,
                       tr("Failed: %1 (request id %2)")
                           .arg(error.toString(),
                                error.requestId.isEmpty() ? tr("none") : error.requestId));
        });
    updateButtons();
    emit stateChanged(m_state);
}

void ExecConsole::append(bool isStderr, const QString &text)
{
    m_lines.append({isStderr, text});
    QTextCursor cursor(m_output->document());
    cursor.movePosition(QTextCursor::End);
    QTextCharFormat format;
    if (isStderr) {
        // Readable on light and dark palettes.
        const bool dark = SyntaxColors::darkPalette(palette());
        format.setForeground(dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc0, 0x1c, 0x28));
    }
    QString chunk = text;
    if (chunk.endsWith(QLatin1Char('\n')))
        chunk.chop(1);
    if (!m_output->document()->isEmpty())
        cursor.insertBlock();
    cursor.insertText(chunk, format);
    m_output->ensureCursorVisible();
}

void ExecConsole::finish(State state, const QString &status)
{
    m_durationMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    m_state = state;
    m_statusText = tr("%1 · %2 s").arg(status, QLocale().toString(m_durationMs / 1000.0, 'f', 2));
    m_status->setText(m_statusText);
    updateButtons();
    emit stateChanged(state);
}

void ExecConsole::stop()
{
    if (m_state != State::Running || !m_job)
        return;
    m_stopRequested = true;
    m_job->cancel(); // aborts the stream; the host ends the process with the request
}

void ExecConsole::detach(const QString &why)
{
    m_detached = true;
    m_statusText = tr("Runner %1").arg(why);
    if (m_state == State::Running)
        stop();
    else
        m_status->setText(m_statusText);
    updateButtons();
}

QString ExecConsole::outputText() const
{
    QString text;
    for (const Line &line : m_lines)
        text += line.text;
    return text;
}

QString ExecConsole::statusText() const
{
    return m_statusText;
}

void ExecConsole::copyOutput()
{
    QGuiApplication::clipboard()->setText(outputText());
    emit message(tr("Copied %n line(s) of output.", nullptr, int(m_lines.size())));
}

void ExecConsole::saveOutput()
{
    auto *dialog = new QFileDialog(this, tr("Save Output"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->selectFile(QStringLiteral("output.txt"));
    const QString text = outputText();
    connect(dialog, &QFileDialog::fileSelected, this, [this, text](const QString &path) {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit())
            emit message(tr("Could not save %1: %2").arg(path, file.errorString()));
        else
            emit message(tr("Saved the output to %1").arg(path));
    });
    dialog->open();
}

void ExecConsole::updateButtons()
{
    const bool running = m_state == State::Running;
    m_runButton->setEnabled(!running && !m_detached && m_session);
    m_stopButton->setEnabled(running);
    m_command->setEnabled(!m_detached);
}

ExecConsoles::ExecConsoles(QWidget *parent)
    : QTabWidget(parent)
{
    setObjectName(QStringLiteral("execConsoles"));
    setTabsClosable(true);
    setDocumentMode(true);
    connect(this, &QTabWidget::tabCloseRequested, this, [this](int index) {
        QWidget *page = widget(index);
        removeTab(index);
        page->deleteLater(); // cancels its exec
    });
}

ExecConsole *ExecConsoles::open(RunnerSession *session, const QString &workload)
{
    auto *console = new ExecConsole(session, this);
    int n = 1;
    for (ExecConsole *other : consoles())
        n += other->runnerId() == console->runnerId();
    const QString shortId = TerminalTabs::shortId(console->runnerId());
    const QString title = workload.isEmpty()
                              ? tr("Run · %1 · %2").arg(shortId).arg(n)
                              : tr("Run · %1 · %2 · %3").arg(workload, shortId).arg(n);
    const int index = addTab(console, title);
    setTabToolTip(index, console->runnerId());
    setCurrentIndex(index);
    connect(console, &ExecConsole::message, this, &ExecConsoles::message);
    return console;
}

QList<ExecConsole *> ExecConsoles::consoles() const
{
    QList<ExecConsole *> list;
    for (int i = 0; i < count(); ++i)
        if (auto *console = qobject_cast<ExecConsole *>(widget(i)))
            list.append(console);
    return list;
}

void ExecConsoles::detachRunner(const QString &runnerId, const QString &why)
{
    for (ExecConsole *console : consoles())
        if (console->runnerId() == runnerId)
            console->detach(why);
}

void ExecConsoles::detachAll(const QString &why)
{
    for (ExecConsole *console : consoles())
        console->detach(why);
}

int ExecConsoles::runningCount() const
{
    int n = 0;
    for (ExecConsole *console : consoles())
        n += console->state() == ExecConsole::State::Running;
    return n;
}

} // namespace capsule::app
