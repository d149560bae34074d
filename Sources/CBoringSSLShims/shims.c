#include "CBoringSSLShims.h"

// Declarations under swift-nio-ssl's symbol prefix; the definitions come from its CNIOBoringSSL.
int CNIOBoringSSL_SSL_write(void *ssl, const void *buf, int num);
int CNIOBoringSSL_SSL_session_reused(const void *ssl);
void CNIOBoringSSL_SSL_set_shed_handshake_config(void *ssl, int enable);
void CNIOBoringSSL_ERR_clear_error(void);
long CNIOBoringSSL_SSL_get_verify_result(const void *ssl);
void *CNIOBoringSSL_d2i_X509(void **out, const unsigned char **inp, long len);
void CNIOBoringSSL_X509_free(void *x509);
void *CNIOBoringSSL_X509_get_subject_name(const void *x509);
void *CNIOBoringSSL_X509_get_issuer_name(const void *x509);
char *CNIOBoringSSL_X509_NAME_oneline(const void *name, char *buf, int size);

int palisade_tls_flush_handshake_data(void *ssl) {
    static const unsigned char nothing = 0;
    int result = CNIOBoringSSL_SSL_write(ssl, &nothing, 0);
    if (result < 0) CNIOBoringSSL_ERR_clear_error();
    return result;
}

int palisade_tls_session_reused(const void *ssl) {
    return CNIOBoringSSL_SSL_session_reused(ssl);
}

void palisade_tls_shed_handshake_config(void *ssl) {
    CNIOBoringSSL_SSL_set_shed_handshake_config(ssl, 1);
}

long palisade_tls_verify_result(const void *ssl) {
    return CNIOBoringSSL_SSL_get_verify_result(ssl);
}

long palisade_x509_name(const unsigned char *der, size_t der_length, int issuer, char *out, size_t out_length) {
    if (out_length == 0 || out_length > 1 << 20) return -1;
    const unsigned char *cursor = der;
    void *x509 = CNIOBoringSSL_d2i_X509(NULL, &cursor, (long)der_length);
    if (x509 == NULL) {
        CNIOBoringSSL_ERR_clear_error();
        return -1;
    }
    void *name = issuer ? CNIOBoringSSL_X509_get_issuer_name(x509) : CNIOBoringSSL_X509_get_subject_name(x509);
    long written = -1;
    if (name != NULL && CNIOBoringSSL_X509_NAME_oneline(name, out, (int)out_length) != NULL) {
        written = 0;
        while ((size_t)written < out_length && out[written] != 0) written++;
    }
    CNIOBoringSSL_X509_free(x509);
    return written;
}
