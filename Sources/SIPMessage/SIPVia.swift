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
    /// The branch starts with the RFC 3261 magic cookie (§8.1.1.7), compared on the bytes.
    public var hasMagicCookie: Bool {
        guard case .some(.some(let value)) = parameters.lookup("branch") else { return false }
        return value.starts(with: "z9hG4bK".utf8)
    }

    @inline(__always)
    public static func parse(_ value: Bytes) -> Result<SIPViaView, SIPFault> {
        switch value.withGrammarBuffer({ SIPGrammar.via($0, 0, $0.count) }) {
        case .success(let v):
            return .success(SIPViaView(protocolName: value.view(v.protocolName), protocolVersion: value.view(v.protocolVersion),
                                       transport: value.view(v.transport),
                                       host: SIPHostView(kind: v.host.kind, raw: value.view(v.host.host)), port: v.host.port < 0 ? nil : v.host.port,
                                       parameters: SIPParametersView(raw: value.view(v.parameters))))
        case .failure(let f):
            return .failure(SIPFault(f.code, at: value.startIndex + f.index))
        }
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
        switch value.withGrammarBuffer({ SIPGrammar.cseq($0, 0, $0.count) }) {
        case .success(let c):
            return .success(SIPCSeq(sequence: c.sequence, method: SIPMethod(value.view(c.method))))
        case .failure(let f):
            return .failure(SIPFault(f.code, at: value.startIndex + f.index))
        }
    }
}
