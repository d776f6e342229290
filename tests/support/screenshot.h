// Screenshots for docs/screenshots: with CAPSULE_SCREENSHOT_DIR set, GUI tests save what they
// drive as <dir>/<name>.png; otherwise this does nothing.
#pragma once

#include <QCoreApplication>
#include <QDir>
#include <QString>
#include <QTest>
#include <QWidget>

namespace capsule::test {

inline void snapshot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("CAPSULE_SCREENSHOT_DIR");
    if (dir.isEmpty() || !widget)
        return;
    QCoreApplication::processEvents();
    QTest::qWait(200);
    widget->grab().save(QDir(dir).filePath(name + QStringLiteral(".png")));
}

} // namespace capsule::test
