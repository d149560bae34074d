/// One Via value (RFC 3261 §20.42, §25.1 via-parm; rport from RFC 3581).
public typealias SIPVia = SIPViaView<ArraySlice<UInt8>>

public struct SIPViaView<Bytes: SIPByteView> {
    /// protocol-name "/" protocol-version, e.g. "SIP/2.0".
    public let protocolName: Bytes
    public let protocolVersion: Bytes
    /// UDP, TCP, TLS, SCTP, WS, WSS or another token.
    public let transport: Bytes
    public let host: SIPHostView<Bytes>
    public let port: Int?
    public let parameters: SIPParametersView<Bytes>

    public typealias RPort = SIPRPort
}

extension SIPViaView: Sendable where Bytes: Sendable {}

public enum SIPRPort: Sendable, Equatable {
        case absent
        /// `;rport` without a value: the client asks for it (RFC 3581 §3).
        case requested
        /// `;rport=5060` filled in by a server (RFC 3581 §4).
        case value(Int)
}

extension SIPViaView {
    public var transportString: String { ASCII.string(transport) }
    public var branch: String? { parameters.string("branch") }
    public var received: String? { parameters.string("received") }
    public var maddr: String? { parameters.string("maddr") }
    public var ttl: Int? {
        guard case .some(.some(let v)) = parameters.lookup("ttl"), let n = ASCII.decimal(v, maxValue: 255) else { return nil }
        return Int(n)
    }
    public var rport: RPort {
        switch parameters.lookup("rport") {
        case .none: .absent
        case .some(.none): .requested
        case .some(.some(let v)): ASCII.decimal(v, maxValue: 65535).map { .value(Int($0)) } ?? .requested
        }
    }
    /// RFC 3261 §8.1.1.7: a branch starting with the magic cookie marks an RFC 3261 client.
    public var hasMagicCookie: Bool { branch?.hasPrefix("z9hG4bK") ?? false }

    @inline(__always)
    public static func parse(_ value: Bytes) -> Result<SIPViaView, SIPFault> {
        let bytes = ASCII.trimmed(value)
        var i = bytes.startIndex
        let end = bytes.endIndex
        func token() -> Bytes {
            while i < end, ASCII.isLWS(bytes[i]) { i += 1 }
            let s = i
            while i < end, ASCII.isTokenChar(bytes[i]) { i += 1 }
            return bytes[s..<i]
        }
        func slash() -> Bool {
            while i < end, ASCII.isLWS(bytes[i]) { i += 1 }
            guard i < end, bytes[i] == ASCII.slash else { return false }
            i += 1
            return true
        }
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport; SLASH = SWS "/" SWS.
        let name = token()
        guard !name.isEmpty, slash() else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        let version = token()
        guard !version.isEmpty, slash() else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        let transport = token()
        guard !transport.isEmpty, i < end, ASCII.isLWS(bytes[i]) else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        while i < end, ASCII.isLWS(bytes[i]) { i += 1 }
        guard let hp = SIPHostView<Bytes>.parseHostPort(bytes[i...]) else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        i = hp.end
        while i < end, ASCII.isLWS(bytes[i]) { i += 1 }
        guard i == end || bytes[i] == ASCII.semicolon else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        let parameters = SIPParametersView(raw: bytes[i...])
        // One pass: the generic-param grammar, and via-ttl = 1*3DIGIT in 0-255 (RFC 3261 §25.1).
        var it = parameters.makeIterator()
        while let p = it.next() {
            if let code = SIPParametersView<Bytes>.check(p) { return .failure(SIPFault(code, at: i)) }
            if p.name.count == 3, ASCII.equalsLowercase(p.name, "ttl") {
                guard let v = p.value, ASCII.decimal(v, maxValue: 255) != nil else { return .failure(SIPFault(.badScalar, at: i)) }
            }
        }
        return .success(SIPViaView(protocolName: name, protocolVersion: version, transport: transport, host: hp.host, port: hp.port, parameters: parameters))
    }
}

/// CSeq (RFC 3261 §20.16): a sequence number below 2**31 and a method.
public struct SIPCSeq: Sendable, Equatable {
    public let sequence: UInt32
    public let method: SIPMethod

    public init(sequence: UInt32, method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    public static func parse<Bytes: SIPByteView>(_ value: Bytes) -> Result<SIPCSeq, SIPFault> {
        let bytes = ASCII.trimmed(value)
        var i = bytes.startIndex
        while i < bytes.endIndex, ASCII.isDigit(bytes[i]) { i += 1 }
        guard let n = ASCII.decimal(bytes[bytes.startIndex..<i], maxValue: 0x7FFF_FFFF) else {
            return .failure(SIPFault(.badScalar, at: bytes.startIndex))
        }
        guard i < bytes.endIndex, ASCII.isLWS(bytes[i]) else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        while i < bytes.endIndex, ASCII.isLWS(bytes[i]) { i += 1 }
        let m = bytes[i...]
        guard !m.isEmpty, m.allSatisfy(ASCII.isTokenChar) else { return .failure(SIPFault(.badHeaderValue, at: i)) }
        return .success(SIPCSeq(sequence: UInt32(n), method: SIPMethod(m)))
    }
}
