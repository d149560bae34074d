// CBoringSSLShims: the few BoringSSL calls swift-nio-ssl 2.37.6 does not expose, on the BoringSSL
// that swift-nio-ssl links (its symbols carry the CNIOBoringSSL_ prefix). Pointers are opaque on
// purpose: `ssl` is an SSL*, owned by a live NIOSSLHandler and touched only on its event loop.
// SIPTransport/BoringSSLAccess.swift is the one caller.
#ifndef C_BORINGSSL_SHIMS_H
#define C_BORINGSSL_SHIMS_H

/// Encrypts the handshake messages BoringSSL holds back into the connection's BIO, where the
/// next flush of the NIOSSLHandler finds them. A TLS 1.3 server defers its NewSessionTicket
/// messages "until the server performs a write" (tls13_server.cc, do_send_new_session_ticket);
/// a SIP server may never write to an idle phone, so without this no ticket ever leaves.
/// A zero-length SSL_write is exactly that flush. Returns >= 0 on success, < 0 on error (the
/// error queue is cleared: the connection itself is not affected).
int palisade_tls_flush_handshake_data(void *ssl);

/// 1 when the completed handshake of `ssl` resumed a session (ticket or session ID).
int palisade_tls_session_reused(const void *ssl);

/// Frees the handshake configuration (certificate chain and key copies, cipher and group lists)
/// once the handshake is done; renegotiation, which would need it, is off in Palisade.
void palisade_tls_shed_handshake_config(void *ssl);

/// The X.509 verification result of the peer's chain in this handshake (X509_V_OK is 0), also
/// after the handshake failed on it: it tells an unknown CA from an otherwise bad certificate.
long palisade_tls_verify_result(const void *ssl);

/// The subject (`issuer` 0) or issuer (1) of the DER certificate `der` as one line
/// (`/CN=sbc.example.com/O=Example`) in `out`, NUL-terminated. Returns the length written, or -1
/// when `der` is not a certificate. For `palisadectl tls certificates`.
#include <stddef.h>
long palisade_x509_name(const unsigned char *der, size_t der_length, int issuer, char *out, size_t out_length);

#endif
