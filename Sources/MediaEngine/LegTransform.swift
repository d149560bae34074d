/// What a leg does to the packets it receives (unprotect) and sends (protect): the SRTP seam.
///
/// A relayed packet is unprotected with the receiving leg's transform, then protected with the
/// sending leg's — so no key crosses from one leg to the other. The SRTP wrapper adds a case such
/// as `.srtp(SRTPSessionHandle)` here and its arms in the three switches below. Keep every payload
/// a trivial value (an index or an opaque pointer, not a class reference or a closure): the packet
/// loop copies `LegState` by field, and a reference would cost a retain/release per packet.
public enum LegTransform: Equatable, Sendable {
    /// Plain RTP/RTCP, relayed byte-exact.
    case passthrough
}

/// The outcome of a transform on one packet. Failures map to drop reasons one to one.
enum TransformResult: Equatable {
    case ok
    case authenticationFailed
    case replayed
    /// Protecting would not fit the slot's tailroom.
    case noRoom
}

extension LegTransform {
    /// True when a packet that passes `unprotect` proves who sent it (SRTP). Latching then waits
    /// for `unprotect`, and an authenticated packet from a new source re-latches (issue 5 item 5);
    /// plain RTP latches on the header alone.
    @inline(__always)
    var authenticatesSource: Bool {
        switch self {
        case .passthrough: false
        }
    }

    /// Verifies and decrypts in place; may shorten `length` (tag, MKI).
    @inline(__always)
    func unprotect(_ packet: UnsafeMutableRawPointer, length: inout Int, isRTCP: Bool) -> TransformResult {
        switch self {
        case .passthrough: .ok
        }
    }

    /// Encrypts and authenticates in place; may lengthen `length` up to `capacity` (the slot's
    /// tailroom is there for the tag).
    @inline(__always)
    func protect(_ packet: UnsafeMutableRawPointer, length: inout Int, capacity: Int, isRTCP: Bool)
        -> TransformResult
    {
        switch self {
        case .passthrough: .ok
        }
    }
}
