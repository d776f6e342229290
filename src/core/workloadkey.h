// Leaf workload keys (contract 6.1): layer materialisation, Go-compatible JSON and the key hashes.
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace capsule {

// Go encoding/json compact output: no spaces, object keys sorted (as Go sorts map keys), HTML
// escaping of < > & and U+2028/U+2029, integral numbers without a fraction.
QByteArray goCompactJson(const QJsonValue &v);

// One layer as the control plane materialises it. `commands` keeps the declared order (builds run
// them in that order) with every command spelt out as {type, args, run_as_root}; `drives` holds the
// implicit workspace drive when the layer declared none. The hash sorts both; see layerHashInput().
struct MaterializedLayer
{
    QString name;
    QString hash; // 64 hex
    int depth = 0;
    QJsonArray commands;
    QJsonArray drives;
};

// Layers of a create body (4.1), root first, including `_platform` when base_image is set.
QList<MaterializedLayer> materializeLayers(const QJsonObject &createBody);
// First 16 hex of sha256("leaf:" + last layer hash).
QString leafWorkloadKey(const QJsonObject &createBody);
// Legacy key of a command list: first 16 hex of sha256(J(sorted commands)).
QString legacyWorkloadKey(const QJsonArray &commands);

// The text hashed for one layer after its parent's hash: J(sorted commands) + J(sorted drives) +
// tier. Exposed for tests and diagnostics.
QByteArray layerHashInput(const QJsonArray &commands, const QJsonArray &drives,
                          const QString &tier);

} // namespace capsule
