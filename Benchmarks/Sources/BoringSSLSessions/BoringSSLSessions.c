// Keeps each client connection's newest session ticket in the SSL's ex_data, the way BoringSSL
// wants a client cache done: SSL_SESS_CACHE_CLIENT plus a new-session callback (ssl.h).
#include <stddef.h>
#include "BoringSSLSessions.h"

#define SSL_SESS_CACHE_CLIENT 0x0001
#define SSL_SESS_CACHE_NO_INTERNAL 0x0300

int CNIOBoringSSL_SSL_CTX_set_session_cache_mode(void *ctx, int mode);
void CNIOBoringSSL_SSL_CTX_sess_set_new_cb(void *ctx, int (*cb)(void *ssl, void *session));
int CNIOBoringSSL_SSL_get_ex_new_index(long argl, void *argp, void *unused, void *dup_unused,
                                       void (*free_func)(void *, void *, void *, int, long, void *));
int CNIOBoringSSL_SSL_set_ex_data(void *ssl, int index, void *data);
void *CNIOBoringSSL_SSL_get_ex_data(const void *ssl, int index);
int CNIOBoringSSL_SSL_SESSION_is_resumable(const void *session);

// Set once, before any connection exists (palisade_keep_client_sessions runs at start-up).
static int ticket_index = -1;

// A connection freed with a session nobody took: drop our reference.
static void free_kept_session(void *parent, void *ptr, void *ad, int index, long argl, void *argp) {
    (void)parent; (void)ad; (void)index; (void)argl; (void)argp;
    if (ptr != NULL) CNIOBoringSSL_SSL_SESSION_free(ptr);
}

// Runs on the connection's event loop while it reads the ticket; returning 1 keeps the reference.
static int on_new_session(void *ssl, void *session) {
    if (!CNIOBoringSSL_SSL_SESSION_is_resumable(session)) return 0;
    void *old = CNIOBoringSSL_SSL_get_ex_data(ssl, ticket_index);
    if (old != NULL) CNIOBoringSSL_SSL_SESSION_free(old);
    CNIOBoringSSL_SSL_set_ex_data(ssl, ticket_index, session);
    return 1;
}

int palisade_keep_client_sessions(void *ctx) {
    if (ticket_index < 0) ticket_index = CNIOBoringSSL_SSL_get_ex_new_index(0, NULL, NULL, NULL, free_kept_session);
    if (ticket_index < 0) return -1;
    CNIOBoringSSL_SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    CNIOBoringSSL_SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    return 0;
}

void *palisade_take_ticket_session(void *ssl) {
    if (ticket_index < 0) return NULL;
    void *session = CNIOBoringSSL_SSL_get_ex_data(ssl, ticket_index);
    CNIOBoringSSL_SSL_set_ex_data(ssl, ticket_index, NULL);
    return session;
}
