import MediaControlProtocol
import SDP

/// What one m= line of an offer means for the media plane (RFC 3264 §5, §6): read once when
/// the offer arrives, used again to write the offer onward and the answer back.
struct StreamOffer: Sendable {
    enum Verdict: Sendable {
        case accepted
        /// Port 0 in the offer, or refused by policy; the m= line stays (RFC 3264 §8.2).
        case rejected(MediaRejection?)
    }

    var index: Int
    var verdict: Verdict
    /// The offerer's profile, e.g. `RTP/SAVPF`; the answer keeps it (RFC 3264 §6).
    var proto: String
    /// The offerer's a=crypto line that Palisade accepts (RFC 4568 §7.1.1), nil for RTP.
    var crypto: SDPCrypto?
    var peer: MediaPeer?

    var isAccepted: Bool {
        if case .accepted = verdict { true } else { false }
    }
}

/// The transport facts of one m= line as its writer stated them.
struct MediaPeer: Sendable, Equatable {
    /// nil while on hold with the RFC 2543 c=0.0.0.0 form (RFC 3264 §8.4).
    var remote: Endpoint?
    var remoteRTCP: Endpoint?
    var rtcpMux: Bool
    var direction: MediaDirection

    /// Reads c= (media level first, RFC 8866 §5.7), m= port, a=rtcp (RFC 3605 §2.1),
    /// a=rtcp-mux (RFC 5761 §5.1.1) and the direction (RFC 3264 §5.1, session level as default).
    static func read(_ section: MediaSection, in sdp: SessionDescription, stream: Int) -> Result<MediaPeer, MediaRejection> {
        guard let connection = section.connection ?? sdp.connection else {
            return .failure(MediaRejection(.badConnection, stream: stream, "no c= line for m= line \(stream)"))
        }
        let address = String(connection.address.prefix { $0 != "/" })
        guard SDPAddressScan.isIPLiteral(address) else {
            return .failure(MediaRejection(.badConnection, stream: stream, "c= is not an IP address"))
        }
        let port = section.media.port
        var rtcpMux = false
        var rtcp: Endpoint?
        var direction = sessionDirection(sdp)
        // Only the attributes read here are parsed (a WebRTC offer has dozens of candidates).
        for line in section.lines where line.isAttribute("rtcp") || line.isAttribute("rtcp-mux")
            || line.isAttribute("sendrecv") || line.isAttribute("sendonly") || line.isAttribute("recvonly")
            || line.isAttribute("inactive") {
            guard let attribute = try? SDPAttribute(line.value) else { continue }
            switch attribute {
            case .rtcpMux: rtcpMux = true
            case .rtcp(let rtcpPort, let c):
                let a = c.map { String($0.address.prefix { $0 != "/" }) } ?? address
                rtcp = Endpoint(address: SDPAddressScan.isIPLiteral(a) ? a : address, port: rtcpPort)
            case .direction(let d): direction = MediaDirection(d)
            default: break
            }
        }
        // RFC 3264 §8.4: c=0.0.0.0 is the RFC 2543 way to say "do not send to me"; express it as a
        // direction so the media plane stops sending and the next leg sees a modern hold.
        let held = address == "0.0.0.0" || address == "::"
        if held {
            switch direction {
            case .sendrecv: direction = .sendonly
            case .recvonly: direction = .inactive
            case .sendonly, .inactive: break
            }
        }
        let remote = held ? nil : Endpoint(address: address, port: port)
        var remoteRTCP: Endpoint?
        if !rtcpMux, !held {
            remoteRTCP = rtcp ?? Endpoint(address: address, port: port + 1)
        }
        return .success(MediaPeer(remote: remote, remoteRTCP: remoteRTCP, rtcpMux: rtcpMux, direction: direction))
    }

    static func sessionDirection(_ sdp: SessionDescription) -> MediaDirection {
        for line in sdp.sessionLines where line.type == UInt8(ascii: "a") {
            if let d = SDPDirection(rawValue: line.valueString) { return MediaDirection(d) }
        }
        return .sendrecv
    }
}

extension MediaDirection {
    init(_ d: SDPDirection) {
        switch d {
        case .sendrecv: self = .sendrecv
        case .sendonly: self = .sendonly
        case .recvonly: self = .recvonly
        case .inactive: self = .inactive
        }
    }

    var sdp: SDPDirection {
        switch self {
        case .sendrecv: .sendrecv
        case .sendonly: .sendonly
        case .recvonly: .recvonly
        case .inactive: .inactive
        }
    }

    /// The direction an answer to this offered direction takes when the answerer agrees
    /// (RFC 3264 §6.1).
    var mirrored: MediaDirection {
        switch self {
        case .sendrecv: .sendrecv
        case .sendonly: .recvonly
        case .recvonly: .sendonly
        case .inactive: .inactive
        }
    }
}

enum CryptoChoice {
    /// RFC 4568 §7.1.1: the answerer takes the first line it supports, in the offer's order.
    /// Palisade also skips lines the media plane cannot honour: several keys or an MKI (the
    /// control protocol carries one key without MKI) and session parameters such as
    /// UNENCRYPTED_SRTP or KDR (RFC 4568 §6.3), which it would have to apply and cannot.
    static func first(in section: MediaSection, allowed: [SDPCryptoSuite]) -> SDPCrypto? {
        cryptos(in: section).first { c in
            allowed.contains(c.suite) && c.suite.keySaltLength != nil && c.keys.count == 1
                && c.keys[0].mki == nil && c.sessionParameters.isEmpty
        }
    }

    /// Every a=crypto line that parses; a broken line does not spoil the others.
    static func cryptos(in section: MediaSection) -> [SDPCrypto] {
        section.lines.compactMap { line -> SDPCrypto? in
            guard line.isAttribute("crypto"), case .crypto(let c)? = try? SDPAttribute(line.value) else { return nil }
            return c
        }
    }

    /// The key as the media plane takes it: base64 with `=` padding (RFC 4648 §4), whatever the
    /// peer wrote — some phones drop the padding.
    static func canonical(_ key: SDPCryptoKey) -> String {
        SDPCryptoKey(keySalt: key.keySalt).encoded
    }
}
