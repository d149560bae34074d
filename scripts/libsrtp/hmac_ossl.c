/*
 * HMAC-SHA1 for libsrtp2's OpenSSL build, written for Palisade; scripts/build-libsrtp puts it in
 * place of libsrtp's crypto/hash/hmac_ossl.c (same srtp_hmac auth type, same interface).
 *
 * Why: on OpenSSL 3, libsrtp's EVP_MAC_init() re-initialisation for every packet copies the
 * digest context through the provider (EVP_MD_CTX_copy_ex -> dupctx): one malloc and one free
 * per authenticated packet, four per relayed SRTP->SRTP packet. Here the inner and outer SHA-1
 * states of the key are computed once, at init, and copied by value per packet (RFC 2104 with
 * precomputed pads); SHA1_Update is OpenSSL's assembly block function. No allocation after
 * alloc/init.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

/* The low-level SHA1_* functions are deprecated in OpenSSL 3 but kept; they are the only way to
 * hold a SHA-1 state by value. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "auth.h"
#include "alloc.h"
#include "err.h"
#include "auth_test_cases.h"
#include <openssl/sha.h>
#include <string.h>

#define SHA1_DIGEST_SIZE 20
#define SHA1_BLOCK_SIZE 64

srtp_debug_module_t srtp_mod_hmac = {
    0,                                 /* debugging is off by default */
    "hmac sha-1 openssl (precomputed)" /* printable name for module   */
};

typedef struct {
    SHA_CTX inner; /* SHA-1 after (key ^ ipad): the start of every packet's hash */
    SHA_CTX outer; /* SHA-1 after (key ^ opad) */
    SHA_CTX work;  /* this packet's inner hash */
} srtp_hmac_palisade_ctx_t;

static srtp_err_status_t srtp_hmac_alloc(srtp_auth_t **a, int key_len, int out_len)
{
    extern const srtp_auth_type_t srtp_hmac;
    srtp_hmac_palisade_ctx_t *state;

    if (out_len > SHA1_DIGEST_SIZE) {
        return srtp_err_status_bad_param;
    }
    *a = (srtp_auth_t *)srtp_crypto_alloc(sizeof(srtp_auth_t));
    if (*a == NULL) {
        return srtp_err_status_alloc_fail;
    }
    state = (srtp_hmac_palisade_ctx_t *)srtp_crypto_alloc(sizeof(srtp_hmac_palisade_ctx_t));
    if (state == NULL) {
        srtp_crypto_free(*a);
        *a = NULL;
        return srtp_err_status_alloc_fail;
    }
    (*a)->state = state;
    (*a)->type = &srtp_hmac;
    (*a)->out_len = out_len;
    (*a)->key_len = key_len;
    (*a)->prefix_len = 0;
    return srtp_err_status_ok;
}

static srtp_err_status_t srtp_hmac_dealloc(srtp_auth_t *a)
{
    srtp_hmac_palisade_ctx_t *state = (srtp_hmac_palisade_ctx_t *)a->state;
    if (state) {
        octet_string_set_to_zero(state, sizeof(*state));
        srtp_crypto_free(state);
    }
    octet_string_set_to_zero(a, sizeof(srtp_auth_t));
    srtp_crypto_free(a);
    return srtp_err_status_ok;
}

static srtp_err_status_t srtp_hmac_init(void *statev, const uint8_t *key, int key_len)
{
    srtp_hmac_palisade_ctx_t *state = (srtp_hmac_palisade_ctx_t *)statev;
    uint8_t block[SHA1_BLOCK_SIZE];
    uint8_t hashed_key[SHA1_DIGEST_SIZE];
    int i;

    if (key_len < 0) {
        return srtp_err_status_bad_param;
    }
    /* RFC 2104 section 2: a key longer than the block is hashed first. */
    if (key_len > SHA1_BLOCK_SIZE) {
        SHA1(key, (size_t)key_len, hashed_key);
        key = hashed_key;
        key_len = SHA1_DIGEST_SIZE;
    }
    memset(block, 0, sizeof(block));
    memcpy(block, key, (size_t)key_len);

    for (i = 0; i < SHA1_BLOCK_SIZE; i++) {
        block[i] ^= 0x36;
    }
    if (SHA1_Init(&state->inner) != 1 || SHA1_Update(&state->inner, block, SHA1_BLOCK_SIZE) != 1) {
        return srtp_err_status_auth_fail;
    }
    for (i = 0; i < SHA1_BLOCK_SIZE; i++) {
        block[i] ^= 0x36 ^ 0x5c;
    }
    if (SHA1_Init(&state->outer) != 1 || SHA1_Update(&state->outer, block, SHA1_BLOCK_SIZE) != 1) {
        return srtp_err_status_auth_fail;
    }
    state->work = state->inner;
    octet_string_set_to_zero(block, sizeof(block));
    octet_string_set_to_zero(hashed_key, sizeof(hashed_key));
    return srtp_err_status_ok;
}

static srtp_err_status_t srtp_hmac_start(void *statev)
{
    srtp_hmac_palisade_ctx_t *state = (srtp_hmac_palisade_ctx_t *)statev;
    state->work = state->inner;
    return srtp_err_status_ok;
}

static srtp_err_status_t srtp_hmac_update(void *statev, const uint8_t *message, int msg_octets)
{
    srtp_hmac_palisade_ctx_t *state = (srtp_hmac_palisade_ctx_t *)statev;
    if (msg_octets < 0 || SHA1_Update(&state->work, message, (size_t)msg_octets) != 1) {
        return srtp_err_status_auth_fail;
    }
    return srtp_err_status_ok;
}

static srtp_err_status_t srtp_hmac_compute(void *statev, const uint8_t *message, int msg_octets,
                                           int tag_len, uint8_t *result)
{
    srtp_hmac_palisade_ctx_t *state = (srtp_hmac_palisade_ctx_t *)statev;
    uint8_t inner_digest[SHA1_DIGEST_SIZE];
    uint8_t hash_value[SHA1_DIGEST_SIZE];
    SHA_CTX outer;

    if (tag_len < 0 || tag_len > SHA1_DIGEST_SIZE || msg_octets < 0) {
        return srtp_err_status_bad_param;
    }
    if (SHA1_Update(&state->work, message, (size_t)msg_octets) != 1 ||
        SHA1_Final(inner_digest, &state->work) != 1) {
        return srtp_err_status_auth_fail;
    }
    outer = state->outer;
    if (SHA1_Update(&outer, inner_digest, SHA1_DIGEST_SIZE) != 1 || SHA1_Final(hash_value, &outer) != 1) {
        return srtp_err_status_auth_fail;
    }
    memcpy(result, hash_value, (size_t)tag_len);
    octet_string_set_to_zero(inner_digest, sizeof(inner_digest));
    octet_string_set_to_zero(&outer, sizeof(outer));
    return srtp_err_status_ok;
}

static const char srtp_hmac_description[] = "hmac sha-1 authentication function";

const srtp_auth_type_t srtp_hmac = {
    srtp_hmac_alloc,        /* */
    srtp_hmac_dealloc,      /* */
    srtp_hmac_init,         /* */
    srtp_hmac_compute,      /* */
    srtp_hmac_update,       /* */
    srtp_hmac_start,        /* */
    srtp_hmac_description,  /* */
    &srtp_hmac_test_case_0, /* */
    SRTP_HMAC_SHA1          /* */
};
