// Incremental SHA-256 for transfer verification: OpenSSL's libcrypto when the build found it
// (it uses the CPU's SHA instructions: about 1.6 GB/s here), else QCryptographicHash (~0.2 GB/s).
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <memory>

namespace capsule {

class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void addData(QByteArrayView data);
    // The digest as lower-case hex. Ends the computation: call once.
    QByteArray hexResult();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace capsule
