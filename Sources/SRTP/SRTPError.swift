import CLibSRTP

/// Why libsrtp2 refused a packet or a key, as a small value: the relay counts drops by it, so it
/// must cost nothing to make (no payload that allocates) and compare on its code.
public enum SRTPError: Error, Hashable, Sendable {
    /// The authentication tag did not verify (forged, corrupted, truncated, or the wrong key).
    case authFail
    /// A packet index already seen inside the replay window (RFC 3711 §3.3.2).
    case replayFail
    /// A packet index older than the replay window.
    case replayOld
    /// libsrtp2 refused an argument (a bad key or length, an SRTCP packet shorter than its header).
    case badParam
    /// The packet cannot be parsed: shorter than a header and tag, or a header whose CSRC count or
    /// extension length runs past the end (libsrtp2's `srtp_err_status_parse_err`).
    case malformed
    /// The cipher refused the input (libsrtp2's GCM on a packet shorter than its tag).
    case cipherFail
    /// The caller's buffer has no room for the tag and trailer protect appends.
    case bufferTooSmall(needed: Int32, capacity: Int32)
    /// The master key reached its lifetime (2^48 SRTP / 2^31 SRTCP packets): re-key.
    case keyExpired
    /// No stream for this SSRC and no template to create one (a specific-SSRC policy).
    case noContext
    /// The library failed in a way Palisade does not name; `code` is its `srtp_err_status_t`.
    case library(code: UInt32)

    init(status: srtp_err_status_t) {
        switch status {
        case srtp_err_status_auth_fail: self = .authFail
        case srtp_err_status_replay_fail: self = .replayFail
        case srtp_err_status_replay_old: self = .replayOld
        case srtp_err_status_bad_param: self = .badParam
        case srtp_err_status_parse_err: self = .malformed
        case srtp_err_status_cipher_fail: self = .cipherFail
        case srtp_err_status_key_expired: self = .keyExpired
        case srtp_err_status_no_ctx: self = .noContext
        default: self = .library(code: UInt32(status.rawValue))
        }
    }

    /// A short stable name, for counters and logs.
    public var name: String {
        switch self {
        case .authFail: "auth_fail"
        case .replayFail: "replay_fail"
        case .replayOld: "replay_old"
        case .badParam: "bad_param"
        case .malformed: "malformed"
        case .cipherFail: "cipher_fail"
        case .bufferTooSmall: "buffer_too_small"
        case .keyExpired: "key_expired"
        case .noContext: "no_context"
        case .library: "library_error"
        }
    }
}

extension SRTPError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .bufferTooSmall(let needed, let capacity): "buffer_too_small (needs \(needed) bytes, has \(capacity))"
        case .library(let code): "library_error (srtp_err_status_t \(code))"
        default: name
        }
    }
}
