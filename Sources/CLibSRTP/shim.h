#ifndef PALISADE_CLIBSRTP_SHIM_H
#define PALISADE_CLIBSRTP_SHIM_H
#include <srtp2/srtp.h>
#include <srtp2/cipher.h>

/* Exported by every libsrtp2 build (Debian's libsrtp2.so.1 lists it), though no installed header
 * declares it. Its description names the crypto backend: "... using openssl" / "... using NSS". */
extern const srtp_cipher_type_t srtp_aes_icm_128;

static inline const char *palisade_srtp_aes_icm_128_description(void) {
    return srtp_aes_icm_128.description;
}

/* 1 when compiled against the libsrtp2.pc that scripts/build-libsrtp writes (static, OpenSSL). */
static inline int palisade_srtp_is_project_static_build(void) {
#ifdef PALISADE_LIBSRTP_STATIC_OPENSSL
    return 1;
#else
    return 0;
#endif
}
#endif
