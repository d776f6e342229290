// Stores the API token of a remote server: the system keychain when there is one, else a 0600 file.
#include "app/connections/tokenstore.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>

#ifdef CAPSULE_HAVE_KEYCHAIN
#include <qt6keychain/keychain.h>
#endif

namespace capsule::app {

namespace {
const QString kService = QStringLiteral("Capsule Desktop");
// A keychain daemon that never answers must not stall the connection forever.
constexpr int kKeychainTimeoutMs = 3000;
} // namespace

TokenStore::TokenStore(QObject *parent)
    : QObject(parent)
{
#ifndef CAPSULE_HAVE_KEYCHAIN
    m_usingFallback = true;
#else
    m_usingFallback = !keychainEnabled();
#endif
}

bool TokenStore::keychainEnabled()
{
#ifdef CAPSULE_HAVE_KEYCHAIN
    return qEnvironmentVariable("CAPSULE_DESKTOP_NO_KEYCHAIN") != QLatin1String("1");
#else
    return false;
#endif
}

QString TokenStore::fallbackFile() const
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) +
           QStringLiteral("/tokens.json");
}

void TokenStore::setFallback(bool on)
{
    if (m_usingFallback == on)
        return;
    m_usingFallback = on;
    emit fallbackChanged(on);
}

QString TokenStore::readFile(const QString &key) const
{
    QFile file(fallbackFile());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object().value(key).toString();
}

bool TokenStore::writeFile(const QString &key, const QString &token)
{
    QJsonObject all;
    {
        QFile file(fallbackFile());
        if (file.open(QIODevice::ReadOnly))
            all = QJsonDocument::fromJson(file.readAll()).object();
    }
    if (token.isEmpty())
        all.remove(key);
    else
        all.insert(key, token);
    QDir().mkpath(QFileInfo(fallbackFile()).absolutePath());
    QSaveFile file(fallbackFile());
    if (!file.open(QIODevice::WriteOnly))
        return false;
    // Restrict before any byte of the token is written.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(all).toJson());
    if (!file.commit())
        return false;
    return QFile::setPermissions(fallbackFile(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

void TokenStore::read(const QString &key, std::function<void(const QString &)> done)
{
#ifdef CAPSULE_HAVE_KEYCHAIN
    if (keychainEnabled()) {
        auto *job = new QKeychain::ReadPasswordJob(kService, this);
        job->setAutoDelete(true);
        job->setKey(key);
        auto answered = std::make_shared<bool>(false);
        auto *timer = new QTimer(job);
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, this, [this, key, done, answered] {
            if (std::exchange(*answered, true))
                return;
            setFallback(true);
            done(readFile(key));
        });
        connect(job, &QKeychain::Job::finished, this, [this, job, key, done, answered] {
            if (std::exchange(*answered, true))
                return;
            if (job->error() == QKeychain::NoError) {
                done(job->textData());
            } else if (job->error() == QKeychain::EntryNotFound) {
                // The keychain works but has nothing; an older fallback file may.
                done(readFile(key));
            } else {
                setFallback(true);
                done(readFile(key));
            }
        });
        timer->start(kKeychainTimeoutMs);
        job->start();
        return;
    }
#endif
    QTimer::singleShot(0, this, [this, key, done] { done(readFile(key)); });
}

void TokenStore::write(const QString &key, const QString &token, std::function<void(bool)> done)
{
#ifdef CAPSULE_HAVE_KEYCHAIN
    if (keychainEnabled() && !m_usingFallback) {
        QKeychain::Job *job = nullptr;
        if (token.isEmpty()) {
            job = new QKeychain::DeletePasswordJob(kService, this);
        } else {
            auto *writeJob = new QKeychain::WritePasswordJob(kService, this);
            writeJob->setTextData(token);
            job = writeJob;
        }
        job->setAutoDelete(true);
        job->setKey(key);
        auto answered = std::make_shared<bool>(false);
        auto *timer = new QTimer(job);
        timer->setSingleShot(true);
        auto toFile = [this, key, token, done, answered] {
            if (std::exchange(*answered, true))
                return;
            setFallback(true);
            const bool ok = writeFile(key, token);
            if (done)
                done(ok);
        };
        connect(timer, &QTimer::timeout, this, toFile);
        connect(job, &QKeychain::Job::finished, this, [job, toFile, done, answered, token] {
            const bool ok = job->error() == QKeychain::NoError ||
                            (token.isEmpty() && job->error() == QKeychain::EntryNotFound);
            if (!ok) {
                toFile();
                return;
            }
            if (std::exchange(*answered, true))
                return;
            if (done)
                done(true);
        });
        timer->start(kKeychainTimeoutMs);
        job->start();
        return;
    }
#endif
    setFallback(true);
    const bool ok = writeFile(key, token);
    QTimer::singleShot(0, this, [done, ok] {
        if (done)
            done(ok);
    });
}

} // namespace capsule::app
