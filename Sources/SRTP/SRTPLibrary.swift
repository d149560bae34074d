import CLibSRTP

/// The libsrtp2 in this process: initialised once, and able to say which build it is, so that
/// benchmark output shows whether a figure came from the OpenSSL-backed static build or Debian's
/// NSS one (PLATFORM-NOTES.md: ~1 µs against ~6 µs per packet pair).
public enum SRTPLibrary {
    /// srtp_init() once per process, the first time anything needs the library. A global `let`
    /// is initialised exactly once, thread-safely (swift_once).
    private static let initStatus: UInt32 = UInt32(srtp_init().rawValue)

    /// Initialise libsrtp2 if nothing has yet. Contexts call this themselves.
    public static func initialize() throws(SRTPError) {
        let status = initStatus
        guard status == UInt32(srtp_err_status_ok.rawValue) else {
            throw SRTPError(status: srtp_err_status_t(rawValue: numericCast(status)))
        }
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

    /// Whether this binary was compiled against the static OpenSSL build that scripts/build-libsrtp
    /// installs in .deps/libsrtp2 (its libsrtp2.pc defines PALISADE_LIBSRTP_STATIC_OPENSSL).
    public static var isProjectStaticBuild: Bool { palisade_srtp_is_project_static_build() != 0 }

    /// One line for benchmark output, e.g.
    /// "libsrtp2 2.5.0, openssl backend, static (.deps/libsrtp2)" or
    /// "libsrtp2 2.5.0, nss backend, shared (system libsrtp2)".
    public static var buildDescription: String {
        let linkage = isProjectStaticBuild ? "static (.deps/libsrtp2)" : "shared (system libsrtp2)"
        return "\(version), \(cryptoBackend) backend, \(linkage)"
    }
}
