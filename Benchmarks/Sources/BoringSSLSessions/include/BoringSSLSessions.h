// Client-side TLS session resumption for the load client. swift-nio-ssl 2.37.6 keeps its SSL* and
// SSL_CTX* private and offers no client session cache, so this target declares the handful of
// BoringSSL calls needed, under swift-nio-ssl's symbol prefix (the symbols come from its BoringSSL).
// Pointers are opaque on purpose: SSL*, SSL_CTX* and SSL_SESSION*.
#ifndef PALISADE_BORINGSSL_SESSIONS_H
#define PALISADE_BORINGSSL_SESSIONS_H

/// Makes clients of `ctx` keep the sessions the server hands them (TLS 1.3 NewSessionTicket,
/// which BoringSSL otherwise drops): each connection keeps its newest one, see
/// `palisade_take_ticket_session`. Returns 0 on success.
int palisade_keep_client_sessions(void *ctx);
/// The newest resumable session `ssl` received, with its reference passed to the caller; NULL if none.
void *palisade_take_ticket_session(void *ssl);

/// Offers `session` in the next handshake of `ssl`; returns 1 on success. Call before the handshake starts.
int CNIOBoringSSL_SSL_set_session(void *ssl, void *session);
/// 1 when the completed handshake resumed a session rather than doing a full one.
int CNIOBoringSSL_SSL_session_reused(const void *ssl);
void CNIOBoringSSL_SSL_SESSION_free(void *session);
/// "TLSv1.3", "TLSv1.2", ...
const char *CNIOBoringSSL_SSL_get_version(const void *ssl);

#endif
