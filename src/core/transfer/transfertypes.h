// What a transfer is asked to do and what it reports: options, progress, stage and result.
#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>

namespace capsule {

struct TransferOptions
{
    // Bytes per upload request / per download Range request. The host buffers whole request
    // bodies, so this bounds its memory and ours (one chunk per file in flight).
    qint64 chunkSize = 32LL * 1024 * 1024;
    int parallelFiles = 8;     // folders: files in flight at once
    bool verifyContent = true; // sha256 in the runner (exec) vs here, if the runner can hash
    bool resume = true;        // continue from a partial left by an earlier failed attempt
    bool overwrite = true;     // replace an existing destination (folders: removed first)
    // Uploads: what the transfer creates belongs to the runner's user, not root (the host writes
    // as root, contract 3.3: host file routes act as root). One exec as that user
    // (RunnerSession::createOwned) makes the folders and empty files first; the host's writes
    // into existing files keep their owner.
    bool ownedByRunner = true;
};

// Relay: from one runner to another, through this process (RelayJob).
enum class TransferDirection { Upload, Download, Relay };

struct TransferProgress
{
    Q_GADGET
public:
    // Where a transfer is. Views say it with tr() words (TransfersPanel::stageText); the stable
    // lower-case names of transferStageName() are for the CLI's progress line and logs.
    enum class Stage { Preparing, Transferring, Verifying, Comparing, Finishing, Done };
    Q_ENUM(Stage)

    qint64 bytesDone = 0;
    qint64 bytesTotal = -1; // -1 while unknown
    int filesDone = 0;
    int filesTotal = 0;
    double bytesPerSecond = 0; // smoothed
    double filesPerSecond = 0; // since the transfer started
    double etaSeconds = -1;    // -1 while unknown
    qint64 elapsedMs = 0;
    Stage stage = Stage::Preparing;
};

using TransferStage = TransferProgress::Stage;

// "preparing", "transferring", "verifying", "comparing", "finishing", "done".
QString transferStageName(TransferStage stage);

struct TransferResult
{
    QString localPath;
    QString remotePath;
    qint64 bytes = 0;            // total size of the content
    qint64 bytesTransferred = 0; // bytes actually sent/received (less when resumed)
    int files = 0;
    qint64 durationMs = 0;
    bool contentVerified = false; // sha256 compared (false: sizes only, no sha256sum in the runner)
    bool resumed = false;
    QString ownershipProblem; // uploads: why the runner's user could not own the new paths
};

} // namespace capsule

Q_DECLARE_METATYPE(capsule::TransferProgress)
Q_DECLARE_METATYPE(capsule::TransferResult)
