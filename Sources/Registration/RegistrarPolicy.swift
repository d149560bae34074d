/// What the embedded registrar serves and how long bindings live (issue 6 item 5).
public struct RegistrarPolicy: Sendable, Hashable {
    /// The domain written in canonical addresses-of-record (`sip:alice@<domain>`).
    public var domain: String
    /// Every host a Request-URI or To URI may name to mean this registrar (the domain, the SBC's
    /// own addresses); compared case-insensitively, IPv6 addresses without brackets.
    public var servedHosts: Set<String>
    /// Granted when a contact asks for nothing (no expires parameter, no Expires header).
    public var defaultExpires: Int
    /// Below this a REGISTER gets 423 Interval Too Brief with Min-Expires (RFC 3261 §10.3 step 7).
    public var minimumExpires: Int
    /// Longer requests are shortened to this: short on the access side, so phones refresh often
    /// enough to keep their NAT bindings open.
    public var maximumExpires: Int
    public var maximumBindingsPerAOR: Int
    /// All bindings together.
    public var capacity: Int

    public init(domain: String, servedHosts: some Sequence<String> = [], defaultExpires: Int = 60,
                minimumExpires: Int = 20, maximumExpires: Int = 60, maximumBindingsPerAOR: Int = 10,
                capacity: Int = 100_000) {
        self.domain = domain.lowercased()
        self.servedHosts = Set(servedHosts.map(RegistrarPolicy.normalizedHost)).union([RegistrarPolicy.normalizedHost(domain)])
        self.defaultExpires = defaultExpires
        self.minimumExpires = minimumExpires
        self.maximumExpires = maximumExpires
        self.maximumBindingsPerAOR = maximumBindingsPerAOR
        self.capacity = capacity
    }

    /// Lower case, IPv6 brackets removed.
    static func normalizedHost(_ host: String) -> String {
        var text = host.lowercased()
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        return text
    }

    func serves(_ host: String) -> Bool { servedHosts.contains(Self.normalizedHost(host)) }
}
