// See sha256.h. CAPSULE_HAVE_OPENSSL is set by src/core/CMakeLists.txt when libcrypto is found.
#include "core/sha256.h"

#ifdef CAPSULE_HAVE_OPENSSL
#include <openssl/evp.h>
#else
#include <QCryptographicHash>
#endif

namespace capsule {

#ifdef CAPSULE_HAVE_OPENSSL

struct Sha256::Impl
{
    Impl()
        : ctx(EVP_MD_CTX_new())
    {
        ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1;
    }
    ~Impl() { EVP_MD_CTX_free(ctx); }
    EVP_MD_CTX *ctx;
    bool ok = false;
};

Sha256::Sha256()
    : d(std::make_unique<Impl>())
{}

void Sha256::addData(QByteArrayView data)
{
    if (d->ok && !data.isEmpty())
        d->ok = EVP_DigestUpdate(d->ctx, data.data(), size_t(data.size())) == 1;
}

QByteArray Sha256::hexResult()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!d->ok || EVP_DigestFinal_ex(d->ctx, digest, &length) != 1)
        return {}; // never equal to a real digest: the comparison fails loudly
    d->ok = false;
    return QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex();
}

#else

struct Sha256::Impl
{
    QCryptographicHash hash{QCryptographicHash::Sha256};
};

Sha256::Sha256()
    : d(std::make_unique<Impl>())
{}

void Sha256::addData(QByteArrayView data)
{
    d->hash.addData(data);
}

QByteArray Sha256::hexResult()
{
    return d->hash.result().toHex();
}

#endif

Sha256::~Sha256() = default;

} // namespace capsule
