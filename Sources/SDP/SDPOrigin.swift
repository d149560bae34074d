/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (RFC 8866 §5.2).
public struct SDPOrigin: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var sessionID: String
    public var sessionVersion: UInt64
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(username: String, sessionID: String, sessionVersion: UInt64, networkType: String = "IN", addressType: String, address: String) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    public init(_ value: ArraySlice<UInt8>) throws(SDPError) {
        let f = fieldsOf(value)
        guard f.count == 6, let version = UInt64(f[2]), f[1].allSatisfy(\.isNumber) else { throw SDPError(.badOrigin) }
        self.init(username: f[0], sessionID: f[1], sessionVersion: version, networkType: f[3], addressType: f[4], address: f[5])
    }

    public var description: String {
        "\(username) \(sessionID) \(sessionVersion) \(networkType) \(addressType) \(address)"
    }
}

/// `c=<nettype> <addrtype> <connection-address>` (RFC 8866 §5.7).
public struct SDPConnection: Sendable, Equatable, CustomStringConvertible {
    public var networkType: String
    public var addressType: String
    /// The address, with any `/ttl/count` suffix as written.
    public var address: String

    public init(networkType: String = "IN", addressType: String, address: String) {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    public init(_ value: ArraySlice<UInt8>) throws(SDPError) {
        let f = fieldsOf(value)
        guard f.count == 3, f[1] == "IP4" || f[1] == "IP6" || !f[1].isEmpty else { throw SDPError(.badConnection) }
        self.init(networkType: f[0], addressType: f[1], address: f[2])
    }

    public var description: String { "\(networkType) \(addressType) \(address)" }
}

/// `m=<media> <port>[/<number of ports>] <proto> <fmt> ...` (RFC 8866 §5.14).
public struct SDPMedia: Sendable, Equatable, CustomStringConvertible {
    public var type: String
    public var port: Int
    public var portCount: Int?
    public var proto: String
    public var formats: [String]

    public init(type: String, port: Int, portCount: Int?, proto: String, formats: [String]) {
        self.type = type
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
    }

    public init(_ value: ArraySlice<UInt8>) throws(SDPError) {
        let f = fieldsOf(value)
        guard f.count >= 3 else { throw SDPError(.badMedia) }
        let portParts = f[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portParts.count <= 2, let port = Int(portParts[0]), (0...65535).contains(port) else { throw SDPError(.badMedia) }
        var count: Int?
        if portParts.count == 2 {
            guard let c = Int(portParts[1]), c > 0 else { throw SDPError(.badMedia) }
            count = c
        }
        self.init(type: f[0], port: port, portCount: count, proto: f[2], formats: Array(f.dropFirst(3)))
    }

    /// Whether the profile is secure RTP (RFC 3711 §12, RFC 5124): RTP/SAVP, RTP/SAVPF and their
    /// UDP/TLS/ forms. A suffix test: `String.contains(String)` is _StringProcessing's substring
    /// search, which allocates (with two address checks alike, 0.6 % of palisade-signal's CPU).
    public var isSRTP: Bool { proto.hasSuffix("/SAVP") || proto.hasSuffix("/SAVPF") }

    public var description: String {
        var s = "\(type) \(port)"
        if let portCount { s += "/\(portCount)" }
        s += " \(proto)"
        for f in formats { s += " \(f)" }
        return s
    }
}

/// Space-separated fields of a line value.
func fieldsOf(_ value: ArraySlice<UInt8>) -> [String] {
    // One array, sized for an o= line, rather than split's array of slices and then map's.
    var fields: [String] = []
    fields.reserveCapacity(6)
    var start = value.startIndex
    for i in value.indices where value[i] == UInt8(ascii: " ") {
        if i > start { fields.append(String(decoding: value[start..<i], as: UTF8.self)) }
        start = i + 1
    }
    if start < value.endIndex { fields.append(String(decoding: value[start...], as: UTF8.self)) }
    return fields
}
