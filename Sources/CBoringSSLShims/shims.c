#include "CBoringSSLShims.h"

// Declarations under swift-nio-ssl's symbol prefix; the definitions come from its CNIOBoringSSL.
int CNIOBoringSSL_SSL_write(void *ssl, const void *buf, int num);
int CNIOBoringSSL_SSL_session_reused(const void *ssl);
void CNIOBoringSSL_SSL_set_shed_handshake_config(void *ssl, int enable);
void CNIOBoringSSL_ERR_clear_error(void);
long CNIOBoringSSL_SSL_get_verify_result(const void *ssl);

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
