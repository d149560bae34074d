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

/* Exported by every libsrtp2 build (Debian's libsrtp2.so.1 too): the HMAC-SHA1 module, whose name
 * tells Palisade's allocation-free HMAC (scripts/libsrtp/hmac_ossl.c) from libsrtp's own. */
/* The layout of srtp_debug_module_t, declared only in the uninstalled err.h (libsrtp 2.x). */
typedef struct {
    int on;
    const char *name;
} palisade_srtp_debug_module;
extern palisade_srtp_debug_module srtp_mod_hmac;

static inline const char *palisade_srtp_hmac_module_name(void) {
    return srtp_mod_hmac.name;
}

static inline const char *palisade_srtp_aes_icm_128_description(void) {
    return srtp_aes_icm_128.description;
}

#endif
