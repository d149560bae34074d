import CLibSRTP
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The libsrtp2 in this process: initialised on first use, and able to say which build it is, so that
/// benchmark output shows whether a figure came from the OpenSSL-backed static build or Debian's
/// NSS one (PLATFORM-NOTES.md: ~1 µs against ~6 µs per packet pair).
public enum SRTPLibrary {
    /// Serialises Palisade's own initialisations of libsrtp2's crypto kernel, which is global and
    /// not thread-safe while it initialises (it builds linked lists and runs self-tests: 8 ms on
    /// OpenSSL, 37 ms on NSS).
    private static let kernelLock = Mutex(())

    /// Initialises libsrtp2's crypto kernel. Contexts do this themselves on first use; a daemon
    /// calls it at start-up to pay the self-tests (8 ms on OpenSSL, 37 ms on NSS) before the first
    /// call arrives. Calling it again re-runs the self-tests (and libsrtp2 exit()s the process if
    /// one fails).
    ///
    /// Not srtp_init(): a second srtp_init() in one process fails with srtp_err_status_bad_param
    /// (it re-registers its debug module), so a library that calls it would break every other user
    /// of libsrtp2 in the process (Tests/CBridgeTests is one). The kernel alone is what sessions
    /// need, and initialising it again only re-runs its self-tests.
    public static func initialize() throws(SRTPError) {
        let status = kernelLock.withLock { _ in srtp_crypto_kernel_init() }
        guard status == srtp_err_status_ok else { throw SRTPError(status: status) }
    }

    /// Runs `body` (srtp_create, srtp_update); while the kernel refuses because it is not
    /// initialised — first use in this process, someone called srtp_shutdown(), or someone else is
    /// midway through srtp_init() — initialises it and runs `body` again. Sessions that exist keep
    /// working across srtp_shutdown(); only allocating ciphers needs the kernel. Control path only.
    static func withKernel(_ body: () -> srtp_err_status_t) -> srtp_err_status_t {
        var status = body()
        var attempts = 0
        while status == srtp_err_status_init_fail, attempts < 400 {
            attempts += 1
            do {
                try initialize()
            } catch {
                // Another initialiser in this process (ours are serialised) holds the kernel half
                // built: our attempt stops at its first duplicate. Its self-tests take tens of
                // milliseconds; wait for them rather than fail the caller.
                var pause = timespec(tv_sec: 0, tv_nsec: 2_000_000)
                nanosleep(&pause, nil)
            }
            status = body()
        }
        return status
    }

    /// libsrtp2's own version string, e.g. "libsrtp2 2.5.0".
    public static var version: String { String(cString: srtp_get_version_string()) }

    /// The crypto backend libsrtp2 was built on, read at run time from its AES-CM cipher's
    /// description: "openssl", "nss", "wolfssl", "mbedtls" or "builtin".
    public static var cryptoBackend: String {
        let description = String(cString: palisade_srtp_aes_icm_128_description()).lowercased()
        for backend in ["openssl", "nss", "wolfssl", "mbedtls"] where description.hasSuffix("using " + backend) {
            return backend
        }
        return "builtin"
    }

    /// Whether libsrtp2 is linked into the binary rather than loaded as a shared object: true for
    /// the build scripts/build-libsrtp installs (libsrtp2.a), false for Debian's libsrtp2.so.1.
    /// Read at run time — RTLD_NOLOAD only finds a library that is already loaded.
    public static var isStaticallyLinked: Bool {
        guard let handle = dlopen("libsrtp2.so.1", RTLD_LAZY | RTLD_NOLOAD) else { return true }
        dlclose(handle)
        return false
    }

    /// Whether HMAC-SHA1 is Palisade's own (scripts/libsrtp/hmac_ossl.c: precomputed pad states,
    /// no allocation per packet) rather than libsrtp's, which allocates per packet on OpenSSL 3.
    public static var hasPrecomputedHMAC: Bool {
        String(cString: palisade_srtp_hmac_module_name()).hasSuffix("(precomputed)")
    }

    /// One line for benchmark output, e.g.
    /// "libsrtp2 2.5.0, openssl backend, precomputed HMAC, static" (scripts/build-libsrtp) or
    /// "libsrtp2 2.5.0, nss backend, shared libsrtp2.so.1" (Debian's libsrtp2-dev).
    public static var buildDescription: String {
        let linkage = isStaticallyLinked ? "static" : "shared libsrtp2.so.1"
        return "\(version), \(cryptoBackend) backend, \(hasPrecomputedHMAC ? "precomputed HMAC, " : "")\(linkage)"
    }
}
