import SIPAuth

/// Where a REGISTER came from, as the transport saw it: the part of the flow a pure layer can
/// read. The flow itself (a connection, a socket address) stays opaque to the registrar and is
/// kept beside this in the binding, so a later request can go back the same way through NAT.
public struct RegistrationSource: Sendable, Hashable, CustomStringConvertible {
    /// `udp`, `tcp` or `tls`, lower case.
    public var transport: String
    /// The remote IP address as seen on the wire, without brackets.
    public var host: String
    public var port: Int
    /// The realm of the listener that received it.
    public var realm: String

    public init(transport: String, host: String, port: Int, realm: String) {
        self.transport = transport.lowercased()
        self.host = host
        self.port = port
        self.realm = realm
    }

    public var description: String {
        host.contains(":") ? "\(transport):[\(host)]:\(port)" : "\(transport):\(host):\(port)"
    }
}

/// Small named tests that say a phone's Contact cannot be reached directly (RFC 6314 §4.2: NAT
/// detection by comparing what the phone wrote with what the wire shows). Any of them set means
/// requests to the binding go through its flow, never to the Contact.
public struct NATIndicators: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The Contact's host is not the address the request came from.
    public static let contactAddressDiffers = NATIndicators(rawValue: 1 << 0)
    /// The Contact's port (or its default) is not the source port: always so on TCP and TLS,
    /// where the phone's listening port is not its connection's port.
    public static let contactPortDiffers = NATIndicators(rawValue: 1 << 1)
    /// The Contact's host is a private, shared or link-local address (RFC 1918, RFC 6598, RFC 4193).
    public static let privateContactAddress = NATIndicators(rawValue: 1 << 2)

    public var description: String {
        var names: [String] = []
        if contains(.contactAddressDiffers) { names.append("contact-address-differs") }
        if contains(.contactPortDiffers) { names.append("contact-port-differs") }
        if contains(.privateContactAddress) { names.append("private-contact-address") }
        return names.isEmpty ? "none" : names.joined(separator: ",")
    }
}

/// A registered contact of a user (RFC 3261 §10.3), with the flow it registered on.
public struct Binding<Flow: Hashable & Sendable>: Sendable {
    /// The canonical address-of-record, `sip:user@domain`.
    public var aor: String
    /// The Contact URI exactly as the phone registered it: for display, and for routing when the
    /// phone is not behind NAT.
    public var contact: String
    /// The URI to put in the Request-URI of a request to this phone: the Contact when it is
    /// reachable directly, otherwise the Contact's user at the address and port seen on the wire.
    public var routingURI: String
    public var flow: Flow
    public var source: RegistrationSource
    public var nat: NATIndicators
    public var callID: String
    public var cseq: UInt32
    public var expiresAt: AuthInstant
    /// RFC 5626 `+sip.instance`, when the phone sent one.
    public var instance: String?
    /// The REGISTER's User-Agent, for `palisadectl registrations show`.
    public var userAgent: String?
    let key: ContactKey

    /// True when requests to this binding must follow its flow (NAT, or a stream connection).
    public var isBehindNAT: Bool { !nat.isEmpty }

    /// Whole seconds left at `now`, rounded up; 0 once expired.
    public func secondsLeft(at now: AuthInstant) -> Int {
        guard expiresAt > now else { return 0 }
        let milliseconds = expiresAt.milliseconds - now.milliseconds
        return Int((milliseconds + 999) / 1000)
    }
}

/// A Contact URI reduced to what RFC 3261 §19.1.4 compares for sip/sips URIs that registrars see in
/// practice: scheme, user (case-sensitive), host (case-insensitive), port as written, and the
/// transport, user, maddr and ttl parameters (which must match when present in either).
struct ContactKey: Hashable, Sendable {
    var scheme: String
    var user: String
    var host: String
    var port: Int?
    var parameters: [String]
}
