#ifndef PALISADE_CLIBSRTP_SHIM_H
#define PALISADE_CLIBSRTP_SHIM_H
#include <srtp2/srtp.h>
#include <srtp2/cipher.h>

/* Exported by every libsrtp2 build (Debian's libsrtp2.so.1 lists it), though no installed header
 * declares it. Its description names the crypto backend: "... using openssl" / "... using NSS". */
extern const srtp_cipher_type_t srtp_aes_icm_128;

/* Exported by every libsrtp2 build; declared only in the uninstalled crypto_kernel.h. srtp_init()
 * is this plus registering srtp's own debug module, which fails with srtp_err_status_bad_param on
 * every call after the first: the kernel alone can be initialised again harmlessly. */
srtp_err_status_t srtp_crypto_kernel_init(void);

static inline const char *palisade_srtp_aes_icm_128_description(void) {
    return srtp_aes_icm_128.description;
}

#endif
