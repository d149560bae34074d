/// Why bytes are not an RTP or RTCP packet. Errors are values: the engine counts them as
/// "malformed" drops, tests compare them exactly.
public enum RTPParseError: Error, Equatable, Sendable {
    /// Fewer bytes than the fixed header (12 for RTP, 8 for RTCP) or than the header announces.
    case tooShort(needed: Int, have: Int)
    /// RFC 3550 §5.1: the version field must be 2.
    case wrongVersion(UInt8)
    /// RFC 3550 §5.1: the last octet of padding counts itself, so it can be neither 0 nor reach
    /// into the header.
    case badPadding(UInt8)
}
