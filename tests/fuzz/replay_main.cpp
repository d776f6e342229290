// Corpus replay (make test): runs one fuzz target's LLVMFuzzerTestOneInput, built with gcc into a
// normal executable, over every file of its corpus (seeds and regressions/), so a crash fuzzing
// found once stays fixed. Arguments: corpus folders or files. Fails on an empty corpus; a check
// that fails inside the target aborts (the test fails and names the input).
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <cstdint>
#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    QStringList files;
    for (int i = 1; i < argc; ++i) {
        const QString arg = QFile::decodeName(argv[i]);
        if (QFileInfo(arg).isDir()) {
            QDirIterator it(arg, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext())
                files << it.next();
        } else {
            files << arg;
        }
    }
    files.sort();
    if (files.isEmpty()) {
        std::fprintf(stderr, "replay: no corpus files in the arguments\n");
        return 1;
    }
    for (const QString &path : std::as_const(files)) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "replay: cannot read %s\n", qPrintable(path));
            return 1;
        }
        const QByteArray data = f.readAll();
        std::fprintf(stderr, "replay: %s (%lld bytes)\n", qPrintable(path), qlonglong(data.size()));
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(data.constData()),
                               size_t(data.size()));
    }
    std::fprintf(stderr, "replay: %lld inputs, all passed\n", qlonglong(files.size()));
    return 0;
}
