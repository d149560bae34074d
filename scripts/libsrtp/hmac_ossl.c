/*
 * HMAC-SHA1 for libsrtp2's OpenSSL build, written for Palisade; scripts/build-libsrtp puts it in
 * place of libsrtp's crypto/hash/hmac_ossl.c (same srtp_hmac auth type, same interface).
 *
 * Why: on OpenSSL 3, libsrtp's EVP_MAC_init() re-initialisation for every packet copies the
 * digest context through the provider (EVP_MD_CTX_copy_ex -> dupctx): one malloc and one free
 * per authenticated packet, four per relayed SRTP->SRTP packet. Here the inner and outer SHA-1
 * states of the key are computed once, at init, and restored by value per packet (RFC 2104 with
 * precomputed pads); SHA1_Update is OpenSSL's assembly block function. No allocation after
 * alloc/init.
 *
 * Memory: an SRTP context has four of these (RTP and RTCP, per stream), and an appliance holds
 * one or two contexts per call. A key's state is the two chaining values after its padded key
 * block (40 bytes, in the same allocation as the srtp_auth_t); the running hash of the packet
 * being authenticated is per thread (see `work`).
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

/* SHA-1's chaining value (h0..h4) after exactly one 64-byte block: with the block count, all
 * there is of a SHA_CTX at a block boundary. */
typedef struct {
    SHA_LONG h[5];
} srtp_hmac_palisade_chain_t;

typedef struct {
    srtp_hmac_palisade_chain_t inner; /* after (key ^ ipad): the start of every packet's hash */
    srtp_hmac_palisade_chain_t outer; /* after (key ^ opad) */
} srtp_hmac_palisade_ctx_t;

/* The inner hash of the packet being authenticated. libsrtp runs start, update and compute of one
 * auth within one srtp_protect/srtp_unprotect call (and its self-test), never interleaved with
 * another auth on the same thread, so one running state per thread is enough. */
static __thread SHA_CTX work;

static srtp_hmac_palisade_chain_t chain_of(const SHA_CTX *ctx)
{
    srtp_hmac_palisade_chain_t chain = { { ctx->h0, ctx->h1, ctx->h2, ctx->h3, ctx->h4 } };
    return chain;
}

/* A SHA_CTX that has hashed one block and ended at `chain`. */
static void restore(SHA_CTX *ctx, const srtp_hmac_palisade_chain_t *chain)
{
    ctx->h0 = chain->h[0];
    ctx->h1 = chain->h[1];
    ctx->h2 = chain->h[2];
    ctx->h3 = chain->h[3];
    ctx->h4 = chain->h[4];
    ctx->Nl = SHA1_BLOCK_SIZE * 8;
    ctx->Nh = 0;
    ctx->num = 0;
}

static srtp_err_status_t srtp_hmac_alloc(srtp_auth_t **a, int key_len, int out_len)
{
    extern const srtp_auth_type_t srtp_hmac;
    uint8_t *pointer;

    if (out_len > SHA1_DIGEST_SIZE) {
        return srtp_err_status_bad_param;
    }
    /* One allocation: the srtp_auth_t, then its state (as libsrtp's built-in hmac.c does). */
    pointer = (uint8_t *)srtp_crypto_alloc(sizeof(srtp_auth_t) + sizeof(srtp_hmac_palisade_ctx_t));
    if (pointer == NULL) {
        return srtp_err_status_alloc_fail;
    }
    *a = (srtp_auth_t *)pointer;
    (*a)->state = pointer + sizeof(srtp_auth_t);
    (*a)->type = &srtp_hmac;
    (*a)->out_len = out_len;
    (*a)->key_len = key_len;
    (*a)->prefix_len = 0;
    return srtp_err_status_ok;
}

static srtp_err_status_t srtp_hmac_dealloc(srtp_auth_t *a)
{
    octet_string_set_to_zero(a, sizeof(srtp_auth_t) + sizeof(srtp_hmac_palisade_ctx_t));
    srtp_crypto_free(a);
    return srtp_err_status_ok;
}

static srtp_err_status_t srtp_hmac_init(void *statev, const uint8_t *key, int key_len)
{
    srtp_hmac_palisade_ctx_t *state = (srtp_hmac_palisade_ctx_t *)statev;
    uint8_t block[SHA1_BLOCK_SIZE];
    uint8_t hashed_key[SHA1_DIGEST_SIZE];
    SHA_CTX ctx;
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
    if (SHA1_Init(&ctx) != 1 || SHA1_Update(&ctx, block, SHA1_BLOCK_SIZE) != 1) {
        return srtp_err_status_auth_fail;
    }
    state->inner = chain_of(&ctx);
    for (i = 0; i < SHA1_BLOCK_SIZE; i++) {
        block[i] ^= 0x36 ^ 0x5c;
    }
    if (SHA1_Init(&ctx) != 1 || SHA1_Update(&ctx, block, SHA1_BLOCK_SIZE) != 1) {
        return srtp_err_status_auth_fail;
    }
    state->outer = chain_of(&ctx);
    octet_string_set_to_zero(&ctx, sizeof(ctx));
    octet_string_set_to_zero(block, sizeof(block));
    octet_string_set_to_zero(hashed_key, sizeof(hashed_key));
    return srtp_err_status_ok;
}

static srtp_err_status_t srtp_hmac_start(void *statev)
{
    srtp_hmac_palisade_ctx_t *state = (srtp_hmac_palisade_ctx_t *)statev;
    restore(&work, &state->inner);
    return srtp_err_status_ok;
}

static srtp_err_status_t srtp_hmac_update(void *statev, const uint8_t *message, int msg_octets)
{
    (void)statev;
    if (msg_octets < 0 || SHA1_Update(&work, message, (size_t)msg_octets) != 1) {
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
    if (SHA1_Update(&work, message, (size_t)msg_octets) != 1 || SHA1_Final(inner_digest, &work) != 1) {
        return srtp_err_status_auth_fail;
    }
    restore(&outer, &state->outer);
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
