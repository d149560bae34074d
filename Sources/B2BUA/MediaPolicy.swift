import MediaControlProtocol
import SDP

/// How a realm's media is protected (issue 6, item 1).
public enum SRTPPolicy: String, Sendable, CaseIterable {
    /// Only RTP/SAVP(F) with an acceptable a=crypto is accepted; offers carry only SRTP.
    case required = "srtp-required"
    /// Either is accepted; offers are RTP/AVP carrying a=crypto (opportunistic SRTP, RFC 8643 §3.1).
    case optional = "srtp-optional"
    /// Only RTP/AVP(F); a=crypto on an RTP/AVP offer is ignored, RTP/SAVP(F) is refused.
    case rtpOnly = "rtp-only"
}

/// One realm's media policy: the media interface the media plane allocates on, the address
/// Palisade advertises there, and which SRTP suites it accepts and offers, in preference order.
public struct RealmMediaPolicy: Sendable, Equatable {
    /// The media-plane interface name (`LegSpec.interface`).
    public var interface: String
    /// Palisade's own address on this realm, written in o= (RFC 8866 §5.2) and in c= when a
    /// description has no allocated stream.
    public var advertisedAddress: String
    public var srtp: SRTPPolicy
    /// Suites in preference order. Unknown suites are never chosen.
    public var suites: [SDPCryptoSuite]
    /// Accept media only from the SDP address (`LegSpec.strictSource`); off means latching.
    public var strictSource: Bool

    public init(interface: String, advertisedAddress: String, srtp: SRTPPolicy,
                suites: [SDPCryptoSuite] = [.aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32], strictSource: Bool = false) {
        self.interface = interface
        self.advertisedAddress = advertisedAddress
        self.srtp = srtp
        self.suites = suites
        self.strictSource = strictSource
    }
}

/// Palisade's own o= identity toward one leg (RFC 8866 §5.2): the username and session id never
/// come from the other leg, so they cannot carry its identifiers across (topology hiding).
public struct SDPOriginIdentity: Sendable, Equatable {
    public var username: String
    /// Numeric; the caller draws it (this layer has no randomness).
    public var sessionID: String
    /// The version of the first description sent on this leg.
    public var initialVersion: UInt64

    public init(username: String = "palisade", sessionID: String, initialVersion: UInt64 = 1) {
        self.username = username
        self.sessionID = sessionID
        self.initialVersion = initialVersion
    }
}

/// Why an SDP could not be accepted: a 488 Not Acceptable Here with a Warning (RFC 3261 §21.4.26,
/// §20.43; RFC 3264 §6), or 491 for glare. Equal on its code.
public struct MediaRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// No audio or video m= line Palisade can anchor (RFC 3261 §20.43 warn-code 304).
        case noMediaStream
        /// RTP offered where the realm requires SRTP (warn-code 302, incompatible transport).
        case srtpRequired
        /// SRTP offered to a realm that is RTP only (warn-code 302).
        case srtpNotAllowed
        /// RTP/SAVP with no a=crypto line whose suite the policy allows (RFC 4568 §7.1.2; 305).
        case noAcceptableCrypto
        /// A transport other than RTP/AVP, AVPF, SAVP, SAVPF (e.g. DTLS-SRTP, udptl; 302).
        case unsupportedTransport
        /// c= is not an IP literal (an FQDN, RFC 8866 §5.7) or is missing (RFC 8866 §5.7; 301).
        case badConnection
        /// The answer does not fit the offer (RFC 3264 §6: one m= per offered m=).
        case answerMismatch
        /// An answer arrived with no offer outstanding.
        case noOfferPending
        /// An offer arrived while Palisade's own offer on that exchange is unanswered
        /// (glare): 491 Request Pending, RFC 3261 §14.2, RFC 3311 §5.2.
        case offerPending
    }

    public let code: Code
    /// Which m= line, when the fault is in one.
    public let stream: Int?
    public let text: String

    public init(_ code: Code, stream: Int? = nil, _ text: String) {
        self.code = code
        self.stream = stream
        self.text = text
    }

    /// The SIP status to answer an offer with (RFC 3261 §21.4.26).
    public var status: Int {
        switch code {
        case .offerPending: 491
        case .noMediaStream, .srtpRequired, .srtpNotAllowed, .noAcceptableCrypto, .unsupportedTransport,
             .badConnection, .answerMismatch, .noOfferPending: 488
        }
    }

    /// The RFC 3261 §20.43 warn-code.
    public var warnCode: Int {
        switch code {
        case .noMediaStream: 304
        case .srtpRequired, .srtpNotAllowed, .unsupportedTransport: 302
        case .noAcceptableCrypto: 305
        case .badConnection: 301
        case .answerMismatch, .noOfferPending, .offerPending: 399
        }
    }

    /// A Warning header value, `<code> <agent> "<text>"` (RFC 3261 §20.43).
    public func warning(agent: String) -> String {
        "\(warnCode) \(agent) \"\(text.replacingQuotes())\""
    }

    public static func == (lhs: MediaRejection, rhs: MediaRejection) -> Bool { lhs.code == rhs.code }

    public var description: String { "\(status) \(code.rawValue)" + (stream.map { " (m= \($0))" } ?? "") + ": \(text)" }
}

extension String {
    func replacingQuotes() -> String { String(map { $0 == "\"" ? "'" : $0 }) }
}
