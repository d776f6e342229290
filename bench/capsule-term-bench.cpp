// capsule-term-bench: throughput of TerminalView as a real window, fed through a real PTY, in the
// format of the term-peer harness (../shared/term-peer/README.md), for a side-by-side table with
// QTermWidget5 and raw libvterm.
//
//   capsule-term-bench --runs N --size COLSxROWS [--screenshot PNG] [--no-show] [--no-pin]
//                      [--scrollback LINES] [--font FAMILY] [--font-size PT] [--chunk BYTES]
//                      [--parse-only] STREAM_FILE
//
// --parse-only (diagnostic, not comparable with the harness): no window, no PTY; the file is fed
// to a TerminalSurface in CHUNK-byte pieces and the thread's CPU time is reported, which stays
// meaningful on a loaded machine.
//
// Each run makes a fresh TerminalView (DejaVu Sans Mono 10 pt, scroll bar, 1000 lines of
// scrollback), sizes the window to exactly COLSxROWS cells and opens a PTY pair with output
// post-processing off. A writer thread (CPU 1) write()s the file into the slave in CHUNK-byte
// writes; the GUI thread (CPU 0) reads the master in 4096-byte read()s (LocalPty) and feeds the
// surface. The clock runs from the first write to the end of the first paint of the view after
// the last byte was parsed. MB = 1,000,000 bytes. The last line is the RESULT line.
#include "terminal/localpty.h"
#include "terminal/terminalsurface.h"
#include "terminal/terminalview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <functional>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

using capsule::terminal::LocalPty;
using capsule::terminal::TerminalView;

namespace {

struct Options
{
    QString path;
    int cols = 80, rows = 24, runs = 3, scrollback = 1000;
    size_t chunk = 4096;
    QString font = QStringLiteral("DejaVu Sans Mono");
    int fontSize = 10;
    QString screenshot;
    bool show = true;
    bool pin = true;
    bool parseOnly = false;
};

struct RunResult
{
    qint64 bytes = 0;
    double parsedS = 0, paintedS = 0, guiCpuS = 0, longestStallMs = 0;
    double longestFeedMs = 0, longestPaintMs = 0;
    int paints = 0, blocks = 0, gridCols = 0, gridRows = 0;
    bool markerSeen = false;
};

// Sees every paint of the view; once armed, runs the paint itself to note when it has finished.
class PaintProbe : public QObject
{
public:
    QElapsedTimer *clock = nullptr;
    bool armed = false;
    int paints = 0;
    double finishedAt = -1;
    double longestMs = 0;
    bool inPaint = false;
    std::function<void()> onFinalPaint;

protected:
    bool eventFilter(QObject *obj, QEvent *ev) override
    {
        if (ev->type() != QEvent::Paint || inPaint)
            return false;
        ++paints;
        const qint64 start = clock->nsecsElapsed();
        // Deliver it now through the remaining filters (the scroll area's viewport filter
        // calls TerminalView::paintEvent), so that the end of the paint is seen.
        inPaint = true;
        QCoreApplication::sendEvent(obj, ev);
        inPaint = false;
        longestMs = std::max(longestMs, double(clock->nsecsElapsed() - start) / 1e6);
        if (!armed)
            return true;
        finishedAt = double(clock->nsecsElapsed()) / 1e9;
        armed = false;
        onFinalPaint();
        return true;
    }
};

void pinTo(int cpu)
{
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

void waitMs(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

void fitToGrid(TerminalView *w, const Options &o)
{
    const QSize cell = w->cellSize();
    w->resize(o.cols * cell.width() + 40, o.rows * cell.height() + 4);
    for (int i = 0; i < 40; ++i) {
        waitMs(20);
        const int dc = o.cols - w->surface()->cols();
        const int dr = o.rows - w->surface()->rows();
        if (dc == 0 && dr == 0)
            return;
        const int sx = i < 10 ? dc * cell.width() : (dc > 0) - (dc < 0);
        const int sy = i < 10 ? dr * cell.height() : (dr > 0) - (dr < 0);
        w->resize(w->width() + sx, w->height() + sy);
    }
}

int writeAll(int fd, const QString &path, size_t chunk)
{
    const int in = ::open(path.toLocal8Bit().constData(), O_RDONLY);
    if (in < 0)
        return errno;
    std::vector<char> buf(1 << 20);
    int err = 0;
    for (;;) {
        const ssize_t n = ::read(in, buf.data(), buf.size());
        if (n <= 0) {
            err = n < 0 ? errno : 0;
            break;
        }
        for (ssize_t off = 0; off < n && !err;) {
            const ssize_t w = ::write(fd, buf.data() + off, std::min(chunk, size_t(n - off)));
            if (w > 0)
                off += w;
            else if (errno != EINTR)
                err = w < 0 ? errno : EIO;
        }
        if (err)
            break;
    }
    ::close(in);
    return err;
}

bool markerOnScreen(const TerminalView *w)
{
    const auto *s = w->surface();
    for (int line = s->lineCount() - 1; line >= std::max(0, s->lineCount() - 200); --line) {
        if (s->lineText(line).contains(QLatin1String("TERM-PEER-END")))
            return true;
    }
    return false;
}

RunResult runOnce(const Options &o, qint64 total, TerminalView **keep)
{
    RunResult r;
    auto *w = new TerminalView;
    w->setWindowTitle(QStringLiteral("capsule-term-bench"));
    w->surface()->setScrollbackLimit(o.scrollback);
    w->setTerminalFont(QFont(o.font, o.fontSize));
    w->move(0, 0);
    w->show();
    fitToGrid(w, o);
    if (!o.show)
        w->hide();
    r.gridCols = w->surface()->cols();
    r.gridRows = w->surface()->rows();

    LocalPty pty;
    if (!pty.open(r.gridCols, r.gridRows)) {
        std::fprintf(stderr, "%s\n", qPrintable(pty.errorString()));
        delete w;
        return r;
    }
    waitMs(300);

    QElapsedTimer clock;
    QEventLoop loop;
    PaintProbe probe;
    probe.clock = &clock;
    probe.onFinalPaint = [&] {
        loop.quit();
    };
    if (o.show)
        w->viewport()->installEventFilter(&probe);
    QTimer guard;
    guard.setSingleShot(true);
    QObject::connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(&pty, &LocalPty::dataReceived, w, [&](const QByteArray &data) {
        const qint64 start = clock.nsecsElapsed();
        w->surface()->feed(data);
        r.longestFeedMs = std::max(r.longestFeedMs, double(clock.nsecsElapsed() - start) / 1e6);
        r.bytes += data.size();
        ++r.blocks;
        if (r.bytes >= total && r.parsedS == 0) {
            r.parsedS = double(clock.nsecsElapsed()) / 1e9;
            if (o.show) {
                probe.armed = true;
                guard.start(2000);
            } else {
                loop.quit();
            }
        }
    });
    // The longest time the event loop went without running a 1 ms timer: what a user would feel.
    QTimer heartbeat;
    QElapsedTimer sinceBeat;
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        if (sinceBeat.isValid())
            r.longestStallMs = std::max(r.longestStallMs, double(sinceBeat.nsecsElapsed()) / 1e6);
        sinceBeat.start();
    });
    heartbeat.start(1);
    QTimer stall;
    qint64 seen = -1;
    QObject::connect(&stall, &QTimer::timeout, [&] {
        if (r.bytes == seen)
            loop.quit();
        seen = r.bytes;
    });
    stall.start(10000);

    if (o.pin)
        pinTo(0);
    int writeErr = 0;
    const double cpu0 = threadCpuSeconds();
    clock.start();
    const int slave = pty.slaveFd();
    std::thread writer([&] {
        if (o.pin)
            pinTo(1);
        writeErr = writeAll(slave, o.path, o.chunk);
    });
    loop.exec();
    r.guiCpuS = threadCpuSeconds() - cpu0;
    heartbeat.stop();
    w->viewport()->removeEventFilter(&probe);
    if (r.bytes < total)
        pty.close(); // frees the writer
    writer.join();
    r.paintedS = probe.finishedAt > 0 ? probe.finishedAt : r.parsedS;
    if (r.paintedS <= 0)
        r.paintedS = double(clock.nsecsElapsed()) / 1e9;
    r.paints = probe.paints;
    r.longestPaintMs = probe.longestMs;
    if (writeErr)
        std::fprintf(stderr, "writer failed: %s\n", std::strerror(writeErr));
    r.markerSeen = markerOnScreen(w);
    if (keep)
        *keep = w;
    else
        delete w;
    return r;
}

// Feeds the whole file to a bare TerminalSurface; returns MB/s of thread CPU time.
int parseOnly(const Options &o)
{
    QFile file(o.path);
    if (!file.open(QIODevice::ReadOnly))
        return 1;
    const QByteArray data = file.readAll();
    std::vector<double> mbps;
    bool ok = true;
    for (int i = 0; i < o.runs; ++i) {
        capsule::terminal::TerminalSurface surface(o.cols, o.rows);
        surface.setScrollbackLimit(o.scrollback);
        QElapsedTimer wall;
        wall.start();
        const double cpu0 = threadCpuSeconds();
        for (qsizetype off = 0; off < data.size(); off += qsizetype(o.chunk))
            surface.feed(QByteArray::fromRawData(data.constData() + off,
                                                 std::min(qsizetype(o.chunk), data.size() - off)));
        const double cpu = threadCpuSeconds() - cpu0;
        const double wallS = double(wall.nsecsElapsed()) / 1e9;
        bool marker = false;
        for (int line = surface.lineCount() - 1; line >= 0 && !marker; --line)
            marker = surface.lineText(line).contains(QLatin1String("TERM-PEER-END"));
        ok = ok && marker;
        mbps.push_back(double(data.size()) / 1e6 / cpu);
        std::printf("parse-only run %d: %.3f s CPU = %.1f MB/s (wall %.3f s = %.1f MB/s); end "
                    "marker %s\n",
                    i + 1, cpu, mbps.back(), wallS, double(data.size()) / 1e6 / wallS,
                    marker ? "on screen" : "MISSING");
        std::fflush(stdout);
    }
    std::sort(mbps.begin(), mbps.end());
    std::printf("RESULT impl=capsule-term-parse size=%dx%d bytes=%lld runs=%d best_mbps=%.1f "
                "median_mbps=%.1f ok=%d\n",
                o.cols, o.rows, static_cast<long long>(data.size()), o.runs, mbps.back(),
                mbps[mbps.size() / 2], ok ? 1 : 0);
    return ok ? 0 : 1;
}

int usage()
{
    std::fprintf(stderr, "usage: capsule-term-bench --runs N --size COLSxROWS [--screenshot PNG] "
                         "[--no-show] [--no-pin]\n"
                         "         [--scrollback LINES] [--font FAMILY] [--font-size PT] "
                         "[--chunk BYTES] [--parse-only] STREAM_FILE\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    Options o;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == QLatin1String("--size") && hasValue) {
            const QStringList p = args[++i].split(QLatin1Char('x'));
            if (p.size() != 2)
                return usage();
            o.cols = p[0].toInt();
            o.rows = p[1].toInt();
        } else if (a == QLatin1String("--runs") && hasValue) {
            o.runs = args[++i].toInt();
        } else if (a == QLatin1String("--chunk") && hasValue) {
            o.chunk = args[++i].toULong();
        } else if (a == QLatin1String("--scrollback") && hasValue) {
            o.scrollback = args[++i].toInt();
        } else if (a == QLatin1String("--font") && hasValue) {
            o.font = args[++i];
        } else if (a == QLatin1String("--font-size") && hasValue) {
            o.fontSize = args[++i].toInt();
        } else if (a == QLatin1String("--screenshot") && hasValue) {
            o.screenshot = args[++i];
        } else if (a == QLatin1String("--no-show")) {
            o.show = false;
        } else if (a == QLatin1String("--parse-only")) {
            o.parseOnly = true;
        } else if (a == QLatin1String("--no-pin")) {
            o.pin = false;
        } else if (a.startsWith(QLatin1Char('-'))) {
            return usage();
        } else {
            o.path = a;
        }
    }
    if (o.path.isEmpty() || o.runs < 1 || o.cols < 2 || o.rows < 2 || o.chunk < 1)
        return usage();
    const qint64 total = QFile(o.path).size();
    if (total <= 0) {
        std::fprintf(stderr, "cannot read %s\n", qPrintable(o.path));
        return 1;
    }
    if (o.parseOnly)
        return parseOnly(o);
    std::printf("capsule-term-bench: TerminalView (Qt %s, %s), %dx%d, chunk %zu, scrollback %d, "
                "font %s %dpt, %s, %s, PTY read by the GUI thread in 4096-byte reads, %s\n",
                qVersion(), qPrintable(QGuiApplication::platformName()), o.cols, o.rows, o.chunk,
                o.scrollback, qPrintable(o.font), o.fontSize,
                o.show ? "window shown" : "window hidden while timed (diagnostic)",
                o.pin ? "GUI thread on CPU 0, writer on CPU 1" : "not pinned", qPrintable(o.path));
    std::fflush(stdout);

    std::vector<double> mbps;
    bool ok = true;
    TerminalView *last = nullptr;
    for (int i = 0; i < o.runs; ++i) {
        const bool isLast = i == o.runs - 1;
        const RunResult r = runOnce(o, total, isLast ? &last : nullptr);
        const double rate = double(r.bytes) / 1e6 / r.paintedS;
        mbps.push_back(rate);
        const bool runOk =
            r.bytes == total && r.markerSeen && r.gridCols == o.cols && r.gridRows == o.rows;
        ok = ok && runOk;
        std::printf("run %d: %lld bytes, parsed at %.3f s, final paint done at %.3f s = %.1f MB/s "
                    "(%.1f MB/s to last byte parsed); GUI thread busy %.0f%%; %d reads batches "
                    "of %.0f B avg; %d paints (%.0f/s); longest event-loop stall %.1f ms (longest "
                    "feed %.1f ms, paint %.1f ms); grid %dx%d; end marker %s%s\n",
                    i + 1, static_cast<long long>(r.bytes), r.parsedS, r.paintedS, rate,
                    double(r.bytes) / 1e6 / std::max(1e-9, r.parsedS), 100 * r.guiCpuS / r.paintedS,
                    r.blocks, double(r.bytes) / std::max(1, r.blocks), r.paints,
                    r.paints / r.paintedS, r.longestStallMs, r.longestFeedMs, r.longestPaintMs,
                    r.gridCols, r.gridRows, r.markerSeen ? "in screen text" : "MISSING",
                    runOk ? "" : "  <-- NOT OK");
        std::fflush(stdout);
    }
    if (last && !o.screenshot.isEmpty()) {
        waitMs(300);
        const bool saved = last->grab().save(o.screenshot);
        std::printf("screenshot: %s (%s)\n", qPrintable(o.screenshot), saved ? "ok" : "failed");
    }
    delete last;

    std::sort(mbps.begin(), mbps.end());
    const size_t n = mbps.size();
    const double median = n % 2 ? mbps[n / 2] : (mbps[n / 2 - 1] + mbps[n / 2]) / 2;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("peak RSS (getrusage): %ld KiB\n", ru.ru_maxrss);
    std::printf("RESULT impl=capsule-term%s size=%dx%d bytes=%lld runs=%d best_mbps=%.1f "
                "median_mbps=%.1f ok=%d\n",
                o.show ? "" : "-noshow", o.cols, o.rows, static_cast<long long>(total), o.runs,
                mbps.back(), median, ok ? 1 : 0);
    return ok ? 0 : 1;
}
