import SRTP

/// What a leg does to the packets it receives (unprotect) and sends (protect), as the control
/// side specifies it: keys, not contexts. The engine builds the libsrtp2 contexts from it on the
/// control thread and hands the worker a `LegCrypto`.
///
/// A relayed packet is unprotected with the receiving leg's transform, then protected with the
/// sending leg's — so no key crosses from one leg to the other, and no packet from an SRTP leg
/// goes anywhere before it authenticated.
public enum LegTransform: Equatable, Sendable {
    /// Plain RTP/RTCP, relayed byte-exact.
    case passthrough
    /// SRTP/SRTCP (RFC 3711) with this leg's keys.
    case srtp(SRTPLegKeys)
}

/// The two keys of an SRTP leg. `local` protects what Palisade sends to the leg's peer (the key
/// in Palisade's SDP towards it); `remote` unprotects what the peer sends (the key in the peer's
/// SDP). Until `remote` is known every packet from the peer is dropped as an authentication
/// failure: nothing unauthenticated is relayed.
public struct SRTPLegKeys: Equatable, Sendable {
    public var local: SRTPMasterKey
    public var remote: SRTPMasterKey?

    public init(local: SRTPMasterKey, remote: SRTPMasterKey?) {
        self.local = local
        self.remote = remote
    }
}

/// The outcome of a transform on one packet. Failures map to drop reasons one to one.
enum TransformResult: Equatable {
    case ok
    case authenticationFailed
    case replayed
    /// Not parseable as SRTP/SRTCP (too short, bad lengths), or protecting would not fit.
    case malformed
}

/// A leg's transform as its worker holds it: a trivial value. The contexts are owned by the
/// engine (control thread), which keeps them alive until the worker has provably stopped using
/// them (see `MediaEngine` on retiring contexts); the worker reaches them unretained, so the
/// packet path costs no retain/release, no lock and no allocation of Palisade's.
struct LegCrypto {
    var isSRTP = false
    /// Nil on an SRTP leg whose peer's key is not known yet.
    var inbound: Unmanaged<SRTPContext>?
    var outbound: Unmanaged<SRTPContext>?

    static let passthrough = LegCrypto()

    /// True when a packet that passes `unprotect` proves who sent it (SRTP). Latching then waits
    /// for `unprotect`, and an authenticated packet from a new source re-latches (RFC 4961);
    /// plain RTP latches on the header alone.
    @inline(__always)
    var authenticatesSource: Bool { isSRTP }

    /// Verifies and decrypts in place; shortens `length` by the tag (and SRTCP index).
    @inline(__always)
    func unprotect(_ packet: UnsafeMutableRawPointer, length: inout Int, isRTCP: Bool) -> TransformResult {
        guard isSRTP else { return .ok }
        guard let inbound else { return .authenticationFailed }
        var size = Int32(truncatingIfNeeded: length)
        let result = inbound._withUnsafeGuaranteedRef { context -> TransformResult in
            do throws(SRTPError) {
                if isRTCP {
                    try context.unprotectRTCP(packet, length: &size)
                } else {
                    try context.unprotectRTP(packet, length: &size)
                }
                return .ok
            } catch {
                return Self.result(of: error)
            }
        }
        if result == .ok { length = Int(size) }
        return result
    }

    /// Encrypts and authenticates in place; lengthens `length` up to `capacity` (the slot's
    /// tailroom is there for the tag).
    @inline(__always)
    func protect(_ packet: UnsafeMutableRawPointer, length: inout Int, capacity: Int, isRTCP: Bool) -> TransformResult {
        guard isSRTP else { return .ok }
        guard let outbound else { return .malformed }
        var size = Int32(truncatingIfNeeded: length)
        let result = outbound._withUnsafeGuaranteedRef { context -> TransformResult in
            do throws(SRTPError) {
                if isRTCP {
                    try context.protectRTCP(packet, length: &size, capacity: capacity)
                } else {
                    try context.protectRTP(packet, length: &size, capacity: capacity)
                }
                return .ok
            } catch {
                return Self.result(of: error)
            }
        }
        if result == .ok { length = Int(size) }
        return result
    }

    @inline(__always)
    static func result(of error: SRTPError) -> TransformResult {
        switch error {
        case .authFail: .authenticationFailed
        case .replayFail, .replayOld: .replayed
        case .badParam, .malformed, .cipherFail, .bufferTooSmall, .keyExpired, .noContext, .library: .malformed
        }
    }
}
