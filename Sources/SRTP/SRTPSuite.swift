/// The SRTP crypto suites Palisade speaks: the one catalogue that SDES names, key lengths, tag
/// lengths and per-packet overhead all derive from.
///
/// Names: RFC 4568 §6.2 (AES_CM_128_HMAC_SHA1_80/_32), RFC 6188 §3 (AES_256_CM_HMAC_SHA1_80),
/// RFC 7714 §14.2 (AEAD_AES_128_GCM, AEAD_AES_256_GCM).
public enum SRTPSuite: CaseIterable, Hashable, Sendable {
    case aesCM128HmacSHA1_80
    case aesCM128HmacSHA1_32
    case aeadAES128GCM
    case aeadAES256GCM
    case aesCM256HmacSHA1_80

    /// The crypto-suite token of an SDES `a=crypto:` line.
    public var sdesName: String {
        switch self {
        case .aesCM128HmacSHA1_80: "AES_CM_128_HMAC_SHA1_80"
        case .aesCM128HmacSHA1_32: "AES_CM_128_HMAC_SHA1_32"
        case .aeadAES128GCM: "AEAD_AES_128_GCM"
        case .aeadAES256GCM: "AEAD_AES_256_GCM"
        case .aesCM256HmacSHA1_80: "AES_256_CM_HMAC_SHA1_80"
        }
    }

    /// The suite an SDES crypto-suite token names, or nil for one Palisade does not speak.
    /// RFC 4568 §9.2: the token is case-sensitive.
    public init?(sdesName: some StringProtocol) {
        guard let suite = Self.allCases.first(where: { $0.sdesName == sdesName }) else { return nil }
        self = suite
    }

    /// The DTLS-SRTP protection profile (RFC 5764 §4.1.2, RFC 7714 §14.2); nil where none is
    /// registered.
    public var dtlsProfileID: UInt16? {
        switch self {
        case .aesCM128HmacSHA1_80: 0x0001
        case .aesCM128HmacSHA1_32: 0x0002
        case .aeadAES128GCM: 0x0007
        case .aeadAES256GCM: 0x0008
        case .aesCM256HmacSHA1_80: nil
        }
    }

    /// Master key length in bytes.
    public var keyLength: Int {
        switch self {
        case .aesCM128HmacSHA1_80, .aesCM128HmacSHA1_32, .aeadAES128GCM: 16
        case .aeadAES256GCM, .aesCM256HmacSHA1_80: 32
        }
    }

    /// Master salt length in bytes: 112 bits for AES-CM (RFC 3711 §8.2), 96 bits for GCM
    /// (RFC 7714 §12).
    public var saltLength: Int {
        switch self {
        case .aesCM128HmacSHA1_80, .aesCM128HmacSHA1_32, .aesCM256HmacSHA1_80: 14
        case .aeadAES128GCM, .aeadAES256GCM: 12
        }
    }

    /// Length of key||salt, the bytes an SDES inline key carries.
    public var masterKeySaltLength: Int { keyLength + saltLength }

    /// Whether the suite is an AEAD (the tag is GCM's, not a truncated HMAC).
    public var isAEAD: Bool {
        switch self {
        case .aeadAES128GCM, .aeadAES256GCM: true
        case .aesCM128HmacSHA1_80, .aesCM128HmacSHA1_32, .aesCM256HmacSHA1_80: false
        }
    }

    /// Authentication tag length on SRTP packets, in bytes.
    public var rtpTagLength: Int {
        switch self {
        case .aesCM128HmacSHA1_80, .aesCM256HmacSHA1_80: 10
        case .aesCM128HmacSHA1_32: 4
        case .aeadAES128GCM, .aeadAES256GCM: 16
        }
    }

    /// Authentication tag length on SRTCP packets. RFC 4568 §6.2.2: AES_CM_128_HMAC_SHA1_32 keeps
    /// an 80-bit tag for SRTCP.
    public var rtcpTagLength: Int {
        switch self {
        case .aesCM128HmacSHA1_80, .aesCM128HmacSHA1_32, .aesCM256HmacSHA1_80: 10
        case .aeadAES128GCM, .aeadAES256GCM: 16
        }
    }

    /// Bytes protect adds to an RTP packet (no MKI): the tag.
    public var rtpOverhead: Int { rtpTagLength }

    /// Bytes protect adds to an RTCP packet: the E flag and SRTCP index (RFC 3711 §3.4) and the tag.
    public var rtcpOverhead: Int { 4 + rtcpTagLength }

    /// The most any suite adds to an RTP packet: the tailroom a packet buffer needs.
    public static let maximumRTPOverhead = allCases.map(\.rtpOverhead).max() ?? 16

    /// The most any suite adds to an RTCP packet.
    public static let maximumRTCPOverhead = allCases.map(\.rtcpOverhead).max() ?? 20
}

extension SRTPSuite: CustomStringConvertible {
    public var description: String { sdesName }
}
