#include "ConstantTime.h"

#include <openssl/crypto.h>

namespace billing {

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    // The length is not secret (tokens and signatures have fixed lengths).
    if (a.size() != b.size())
        return false;
    return CRYPTO_memcmp(a.data(), b.data(), size_t(a.size())) == 0;
}

} // namespace billing
