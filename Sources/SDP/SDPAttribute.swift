/// An `a=` attribute, typed where the SBC needs it (RFC 8866 §6); others kept as written.
public enum SDPAttribute: Sendable, Equatable, CustomStringConvertible {
    /// RFC 8866 §6.6: `rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]`.
    case rtpmap(payloadType: Int, encoding: String, clockRate: Int, channels: Int?)
    /// RFC 8866 §6.15: `fmtp:<format> <format specific parameters>`.
    case fmtp(format: String, parameters: String)
    /// RFC 8866 §6.4, in milliseconds.
    case ptime(Int)
    case direction(SDPDirection)
    /// RFC 3605: `rtcp:<port> [IN IP4 <address>]`.
    case rtcp(port: Int, connection: SDPConnection?)
    /// RFC 5761 §5.1.1.
    case rtcpMux
    /// RFC 4568 §9.1.
    case crypto(SDPCrypto)
    /// RFC 8839 §5.4.
    case iceUfrag(String)
    case icePwd(String)
    /// RFC 8839 §5.1.
    case candidate(SDPCandidate)
    /// RFC 8122 §5: `fingerprint:<hash-func> <fingerprint>`.
    case fingerprint(hashFunction: String, value: String)
    /// RFC 4145 §4: active, passive, actpass, holdconn.
    case setup(String)
    /// Any other attribute, as written.
    case other(name: String, value: String?)

    public init(_ bytes: ArraySlice<UInt8>) throws(SDPError) {
        let text = String(decoding: bytes, as: UTF8.self)
        let name: Substring
        let value: Substring?
        if let colon = text.firstIndex(of: ":") {
            name = text[..<colon]
            value = text[text.index(after: colon)...]
        } else {
            name = text[...]
            value = nil
        }
        switch (name, value) {
        case ("rtpmap", let v?):
            let parts = v.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let pt = Int(parts[0]), (0...127).contains(pt) else { throw SDPError(.badAttribute) }
            let enc = parts[1].split(separator: "/", omittingEmptySubsequences: false)
            guard enc.count == 2 || enc.count == 3, !enc[0].isEmpty, let rate = Int(enc[1]), rate > 0 else { throw SDPError(.badAttribute) }
            var channels: Int?
            if enc.count == 3 {
                guard let c = Int(enc[2]), c > 0 else { throw SDPError(.badAttribute) }
                channels = c
            }
            self = .rtpmap(payloadType: pt, encoding: String(enc[0]), clockRate: rate, channels: channels)
        case ("fmtp", let v?):
            let parts = v.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count >= 1, !parts[0].isEmpty else { throw SDPError(.badAttribute) }
            self = .fmtp(format: String(parts[0]), parameters: parts.count == 2 ? String(parts[1]) : "")
        case ("ptime", let v?):
            guard let ms = Int(v), ms > 0 else { throw SDPError(.badAttribute) }
            self = .ptime(ms)
        case ("sendrecv", nil), ("sendonly", nil), ("recvonly", nil), ("inactive", nil):
            self = .direction(SDPDirection(rawValue: String(name)) ?? .sendrecv)
        case ("rtcp", let v?):
            let parts = v.split(separator: " ", maxSplits: 1)
            guard let first = parts.first, let port = Int(first), (0...65535).contains(port) else { throw SDPError(.badAttribute) }
            var connection: SDPConnection?
            if parts.count == 2 {
                do { connection = try SDPConnection(ArraySlice(parts[1].utf8)) } catch { throw SDPError(.badAttribute) }
            }
            self = .rtcp(port: port, connection: connection)
        case ("rtcp-mux", nil):
            self = .rtcpMux
        case ("crypto", let v?):
            self = .crypto(try SDPCrypto(String(v)))
        case ("ice-ufrag", let v?):
            guard !v.isEmpty else { throw SDPError(.badAttribute) }
            self = .iceUfrag(String(v))
        case ("ice-pwd", let v?):
            guard !v.isEmpty else { throw SDPError(.badAttribute) }
            self = .icePwd(String(v))
        case ("candidate", let v?):
            self = .candidate(try SDPCandidate(String(v)))
        case ("fingerprint", let v?):
            let parts = v.split(separator: " ")
            guard parts.count == 2 else { throw SDPError(.badAttribute) }
            self = .fingerprint(hashFunction: String(parts[0]), value: String(parts[1]))
        case ("setup", let v?):
            guard ["active", "passive", "actpass", "holdconn"].contains(v) else { throw SDPError(.badAttribute) }
            self = .setup(String(v))
        default:
            self = .other(name: String(name), value: value.map(String.init))
        }
    }

    /// The line value after `a=`.
    public var description: String {
        switch self {
        case .rtpmap(let pt, let enc, let rate, let channels):
            "rtpmap:\(pt) \(enc)/\(rate)" + (channels.map { "/\($0)" } ?? "")
        case .fmtp(let format, let parameters): "fmtp:\(format) \(parameters)"
        case .ptime(let ms): "ptime:\(ms)"
        case .direction(let d): d.rawValue
        case .rtcp(let port, let c): "rtcp:\(port)" + (c.map { " \($0)" } ?? "")
        case .rtcpMux: "rtcp-mux"
        case .crypto(let c): "crypto:\(c)"
        case .iceUfrag(let u): "ice-ufrag:\(u)"
        case .icePwd(let p): "ice-pwd:\(p)"
        case .candidate(let c): "candidate:\(c)"
        case .fingerprint(let h, let v): "fingerprint:\(h) \(v)"
        case .setup(let s): "setup:\(s)"
        case .other(let name, let value): value.map { "\(name):\($0)" } ?? name
        }
    }

    static func parseAll(_ lines: [SDPLine]) throws(SDPError) -> [SDPAttribute] {
        var out: [SDPAttribute] = []
        for line in lines where line.type == UInt8(ascii: "a") {
            do { out.append(try SDPAttribute(line.value)) } catch { throw SDPError(error.code, offset: line.offset) }
        }
        return out
    }
}

/// Media direction attributes (RFC 8866 §6.7, RFC 3264 §5.1).
public enum SDPDirection: String, Sendable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive
}
