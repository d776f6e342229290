// onboard.yaml import (src/core/onboard.cpp + yaml11): any bytes are YAML text. Checks: no crash,
// a failure always says why, and a body that imports writes back (writeOnboard) to a file that
// imports to the same body.
#include "core/onboard.h"
#include "core/yaml11.h"
#include "fuzzcheck.h"

#include <QJsonDocument>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    capsule::yaml11::Document doc;
    capsule::yaml11::LoadError loadError;
    if (!capsule::yaml11::load(bytes, &doc, &loadError))
        FUZZ_CHECK(!loadError.message.isEmpty(), "yaml11::load failed without a message");

    // Text with a newline is always YAML, never a file name.
    if (!bytes.contains('\n'))
        bytes.append('\n');
    capsule::Error error;
    const QJsonObject body =
        capsule::parseOnboard(QString::fromUtf8(bytes), QStringLiteral("fuzz-name"), &error);
    if (body.isEmpty())
        return 0;
    const QByteArray written = capsule::writeOnboard(body);
    capsule::Error again;
    const QJsonObject reread = capsule::parseOnboard(QString::fromUtf8(written), {}, &again);
    FUZZ_CHECK(reread == body, qPrintable(QStringLiteral("round trip changed the body:\n%1\n-> %2")
                                              .arg(QString::fromUtf8(QJsonDocument(body).toJson()),
                                                   QString::fromUtf8(written))));
    return 0;
}
