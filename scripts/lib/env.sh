# Sourced by the scripts: the build environment every script shares.
# The OpenSSL-backed static libsrtp2 built by scripts/build-libsrtp wins over Debian's (NSS) build.
if [[ -f "$PWD/.deps/libsrtp2/lib/pkgconfig/libsrtp2.pc" ]]; then
    export PKG_CONFIG_PATH="$PWD/.deps/libsrtp2/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi
