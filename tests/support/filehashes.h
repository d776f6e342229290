// SHA-256 of local files and folder trees, for tests that compare what a transfer produced.
#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>

namespace capsule::test {

// The raw SHA-256 of a file's content (of nothing, if it cannot be read).
QByteArray fileSha256(const QString &path);
// Path relative to `dir` -> fileSha256 of every file below it, and "dir" for every folder.
QMap<QString, QByteArray> treeSha256(const QString &dir);

} // namespace capsule::test
