/// The second pass over `[[realm]]`: builds the typed realms from the checked tables and applies
/// the rules that span keys (a TLS listener needs a certificate), elements (a realm needs a
/// listener) and realms (names, listen addresses and media ports used once). A key that failed its
/// own rule is skipped here: it has its error already.
extension ConfigurationValidator {
    typealias Realm = PalisadeConfiguration.Realm
    typealias Listener = PalisadeConfiguration.Listener
    typealias TLS = PalisadeConfiguration.TLS
    typealias MediaInterface = PalisadeConfiguration.MediaInterface

    /// The realms, or nil when any of them could not be built (its errors are reported).
    mutating func buildRealms(_ tables: [CheckedTable]) -> [Realm]? {
        var realms: [(realm: Realm, table: CheckedTable)] = []
        var complete = true
        for table in tables {
            if let realm = buildRealm(table) {
                realms.append((realm, table))
            } else {
                complete = false
            }
        }
        checkUniqueNames(realms)
        checkListenAddresses(realms)
        checkMediaRanges(realms)
        checkRoutes(realms)
        return complete ? realms.map(\.realm) : nil
    }

    private mutating func buildRealm(_ table: CheckedTable) -> Realm? {
        let name = required(.realmName, in: table, "every [[realm]] needs a name, such as name = \"access\"")
        let trust = value(.realmTrust, in: table).flatMap { Realm.Trust(rawValue: $0.stringValue) }
        let policy = value(.realmMediaPolicy, in: table).flatMap { Realm.MediaPolicy(rawValue: $0.stringValue) }
        let suites = value(.realmSRTPSuites, in: table).map { $0.arrayValue.map(\.stringValue) }
        let tlsPeers = value(.realmTLSPeers, in: table).map { $0.arrayValue.map(Self.tlsPeer) }
        let routeTo = value(.realmRouteTo, in: table)
        let maxCalls = value(.realmMaxCalls, in: table).map(\.integerValue)
        let maxCallsPerSource = value(.realmMaxCallsPerSource, in: table).map(\.integerValue)
        let authenticateCalls = value(.realmAuthenticateCalls, in: table).map(\.booleanValue)
        let probeInterval = value(.realmTargetProbeIntervalSeconds, in: table).map(\.integerValue)
        let targetTables = table.children[.realmTarget] ?? []
        let targets = targetTables.map { buildTarget($0) }

        var listeners: [Listener?] = []
        if let tables = table.children[.realmListener] {
            listeners = tables.map { buildListener($0) }
        } else if !table.failedChildren.contains(.realmListener) {
            report(.missingKey, table.path + ".listener", table.line,
                   "a realm needs at least one [[realm.listener]] with its transport and listen address")
        }
        var media: MediaInterface?
        if let mediaTable = table.children[.realmMedia]?.first {
            media = buildMedia(mediaTable)
        } else if !table.failedChildren.contains(.realmMedia) {
            report(.missingKey, table.path + ".media", table.line,
                   "a realm needs a [realm.media] table with at least its address")
        }
        guard let name, let trust, let policy, let suites, let media, let tlsPeers, let routeTo, let maxCalls,
              let maxCallsPerSource, let authenticateCalls, let probeInterval, !listeners.isEmpty,
              case let built = listeners.compactMap({ $0 }), built.count == listeners.count,
              case let builtTargets = targets.compactMap({ $0 }), builtTargets.count == targets.count else { return nil }
        return Realm(name: name.stringValue, trust: trust, mediaPolicy: policy, srtpSuites: suites, listeners: built,
                     media: media, tlsPeers: tlsPeers, routeTo: routeTo.optionalString, targets: builtTargets,
                     maxCalls: maxCalls, maxCallsPerSource: maxCallsPerSource, authenticateCalls: authenticateCalls,
                     targetProbeIntervalSeconds: probeInterval)
    }
    /// A `tls_peers` entry that passed the `.tlsPeers` rule (fields present and valid).
    private static func tlsPeer(_ value: ConfigValue) -> Realm.TLSPeer {
        guard case .table(let fields) = value else { preconditionFailure("tls_peers rule let through \(value)") }
        var peer = Realm.TLSPeer(host: "")
        for field in fields {
            switch field.name {
            case "host": peer.host = field.value.stringValue
            case "verify": peer.verify = Realm.TLSPeer.Verify(rawValue: field.value.stringValue) ?? .full
            case "ca_bundle": peer.caBundle = field.value.stringValue
            default: break
            }
        }
        return peer
    }

    private mutating func buildTarget(_ table: CheckedTable) -> PalisadeConfiguration.Target? {
        let address = required(.targetAddress, in: table, "every [[realm.target]] needs address = \"host:port\"")
        let transport = value(.targetTransport, in: table).flatMap { Listener.Transport(rawValue: $0.stringValue) }
        let priority = value(.targetPriority, in: table).map(\.integerValue)
        let weight = value(.targetWeight, in: table).map(\.integerValue)
        guard let address, let transport, let priority, let weight else { return nil }
        return PalisadeConfiguration.Target(address: address.stringValue, transport: transport, priority: priority,
                                            weight: weight)
    }

    /// `route_to` names another realm that exists.
    private mutating func checkRoutes(_ realms: [(realm: Realm, table: CheckedTable)]) {
        let names = Set(realms.map(\.realm.name))
        for (realm, table) in realms {
            guard let target = realm.routeTo else { continue }
            if target == realm.name, !realm.targets.isEmpty {
                report(.invalidValue, table.keyPath(.realmRouteTo), table.lines[.realmRouteTo],
                       "a realm routes calls to itself only to its registered users; remove its [[realm.target]] "
                           + "or name another realm")
            } else if !names.contains(target) {
                report(.invalidValue, table.keyPath(.realmRouteTo), table.lines[.realmRouteTo],
                       "no realm is named \"\(target)\"; realms here: \(names.sorted().joined(separator: ", "))")
            }
        }
    }

    private mutating func buildListener(_ table: CheckedTable) -> Listener? {
        let transport = value(.listenerTransport, in: table).flatMap { Listener.Transport(rawValue: $0.stringValue) }
        let listen = required(.listenerListen, in: table, "every listener needs listen = \"host:port\"")
            .flatMap { ListenAddress($0.stringValue) }
        let advertise = value(.listenerAdvertise, in: table)
        guard let transport else { return nil }
        var tls: TLS?
        switch transport {
        case .udp, .tcp:
            for key in ConfigSection.realmListener.keys where key.isTLSOnly {
                if let line = table.lines[key] {
                    report(.invalidValue, table.keyPath(key), line,
                           "only a TLS listener takes \(key.name); this listener's transport is \"\(transport.rawValue)\"")
                }
            }
        case .tls:
            tls = buildTLS(table, transportLine: table.lines[.listenerTransport] ?? table.line)
            if tls == nil { return nil }
        }
        guard let listen, let advertise else { return nil }
        return Listener(transport: transport, listen: listen, advertise: advertise.optionalString, tls: tls)
    }

    private mutating func buildTLS(_ table: CheckedTable, transportLine: Int) -> TLS? {
        let certificates = value(.listenerCertificates, in: table).map { $0.arrayValue.map(Self.certificate) }
        let client = value(.listenerClientCertificates, in: table).flatMap { TLS.ClientCertificates(rawValue: $0.stringValue) }
        let caBundle = value(.listenerCABundle, in: table)
        let version = value(.listenerMinimumTLSVersion, in: table).flatMap { TLS.Version(rawValue: $0.stringValue) }
        if let certificates, certificates.isEmpty {
            report(.missingKey, table.keyPath(.listenerCertificates), table.lines[.listenerCertificates] ?? transportLine,
                   "a TLS listener needs at least one certificate: certificates = [{ cert = \"/etc/palisade/tls/sip.pem\", key = \"/etc/palisade/tls/sip.key\" }]")
            return nil
        }
        if let client, client != .none, let caBundle, caBundle == .unset {
            report(.missingKey, table.keyPath(.listenerCABundle), table.lines[.listenerClientCertificates] ?? transportLine,
                   "client_certificates = \"\(client.rawValue)\" needs ca_bundle, the PEM file of the CAs that client certificates are verified against")
            return nil
        }
        guard let certificates, let client, let caBundle, let version else { return nil }
        return TLS(certificates: certificates, clientCertificates: client, caBundle: caBundle.optionalString, minimumVersion: version)
    }

    private mutating func buildMedia(_ table: CheckedTable) -> MediaInterface? {
        let address = required(.realmMediaAddress, in: table, "the media interface needs address = \"IP\", the address to bind")
        let advertise = value(.realmMediaAdvertise, in: table)
        var low = value(.realmMediaPortMin, in: table).map(\.integerValue)
        var high = value(.realmMediaPortMax, in: table).map(\.integerValue)
        if let port = low, !port.isMultiple(of: 2) {
            report(.invalidValue, table.keyPath(.realmMediaPortMin), table.lines[.realmMediaPortMin] ?? table.line,
                   "\(port) is odd; port_min must be even: RTP takes even ports and RTCP the odd port above (RFC 3550 §11)")
            low = nil
        }
        if let port = high, port.isMultiple(of: 2) {
            report(.invalidValue, table.keyPath(.realmMediaPortMax), table.lines[.realmMediaPortMax] ?? table.line,
                   "\(port) is even; port_max must be odd, so that the last RTP port has its RTCP port")
            high = nil
        }
        if let lowPort = low, let highPort = high, highPort <= lowPort {
            let origin = table.lines[.realmMediaPortMin].map { "line \($0)" } ?? "the default"
            let highOrigin = table.lines[.realmMediaPortMax] == nil ? " (the default)" : ""
            report(.outOfRange, table.keyPath(.realmMediaPortMax), table.lines[.realmMediaPortMax] ?? table.lines[.realmMediaPortMin] ?? table.line,
                   "\(highPort)\(highOrigin) must be above port_min, which is \(lowPort) (\(origin)): a range needs at least one RTP and RTCP pair")
            return nil
        }
        guard let address, let advertise, let low, let high else { return nil }
        return MediaInterface(address: address.stringValue, advertise: advertise.optionalString, portRange: low...high)
    }

    // MARK: - Across realms

    private mutating func checkUniqueNames(_ realms: [(realm: Realm, table: CheckedTable)]) {
        for (index, entry) in realms.enumerated() {
            guard let first = realms[..<index].first(where: { $0.realm.name == entry.realm.name }) else { continue }
            report(.conflict, entry.table.keyPath(.realmName), entry.table.lines[.realmName],
                   "\"\(entry.realm.name)\" is already the name of \(first.table.path) (line \(first.table.lines[.realmName] ?? first.table.line))")
        }
    }

    /// Two listeners conflict when they would bind the same socket: same port (not 0), the same
    /// kind of socket (UDP, or TCP for both tcp and tls) and addresses that overlap.
    private mutating func checkListenAddresses(_ realms: [(realm: Realm, table: CheckedTable)]) {
        var seen: [(listener: Listener, path: String, line: Int)] = []
        for (realm, table) in realms {
            for (listener, listenerTable) in zip(realm.listeners, table.children[.realmListener] ?? []) {
                let line = listenerTable.lines[.listenerListen] ?? listenerTable.line
                if listener.listen.port != 0, let other = seen.first(where: { other in
                    other.listener.listen.port == listener.listen.port
                        && other.listener.transport.usesTCP == listener.transport.usesTCP
                        && Self.hostsOverlap(other.listener.listen.host, listener.listen.host)
                }) {
                    let socket = listener.transport.usesTCP ? "TCP (tcp and tls share TCP ports)" : "UDP"
                    report(.conflict, listenerTable.keyPath(.listenerListen), line,
                           "\(listener.listen) over \(socket) is already bound by \(other.path) (\(other.listener.listen), line \(other.line))")
                }
                seen.append((listener, listenerTable.path, line))
            }
        }
    }

    private mutating func checkMediaRanges(_ realms: [(realm: Realm, table: CheckedTable)]) {
        var seen: [(media: MediaInterface, path: String, line: Int)] = []
        for (realm, table) in realms {
            guard let mediaTable = table.children[.realmMedia]?.first else { continue }
            let media = realm.media
            let line = mediaTable.lines[.realmMediaPortMin] ?? mediaTable.lines[.realmMediaPortMax] ?? mediaTable.line
            if let other = seen.first(where: {
                $0.media.portRange.overlaps(media.portRange) && Self.hostsOverlap($0.media.address, media.address)
            }) {
                report(.conflict, mediaTable.keyPath(.realmMediaPortMin), line,
                       "ports \(media.portRange.lowerBound)...\(media.portRange.upperBound) on \(media.address) overlap \(other.path), "
                           + "ports \(other.media.portRange.lowerBound)...\(other.media.portRange.upperBound) on \(other.media.address) (line \(other.line))")
            }
            seen.append((media, mediaTable.path, line))
        }
    }

    /// Whether binding both hosts could clash: the same address (IPv6 compared by value, so
    /// `2001:db8::1` is `2001:DB8:0::1`), a wildcard (`0.0.0.0` takes every IPv4 address, `::`
    /// every address on a dual-stack socket), or `localhost` against a loopback address.
    static func hostsOverlap(_ a: String, _ b: String) -> Bool {
        let a = canonicalHost(a), b = canonicalHost(b)
        if a == b || a == "::" || b == "::" { return true }
        let isIPv6 = { (host: String) in host.contains(":") }
        if (a == "0.0.0.0" && !isIPv6(b)) || (b == "0.0.0.0" && !isIPv6(a)) { return true }
        let loopback: Set = ["localhost", "127.0.0.1", "::1"]
        return loopback.contains(a) && loopback.contains(b) && (a == "localhost" || b == "localhost")
    }

    /// An IPv6 literal as eight lowercase hex groups joined by ':' (`::` for all zeros, `::1` for
    /// loopback, so the checks above can name them); anything else lowercased.
    private static func canonicalHost(_ host: String) -> String {
        guard let groups = IPAddressLiteral.ipv6Groups(host[...]) else { return host.lowercased() }
        if groups.allSatisfy({ $0 == 0 }) { return "::" }
        if groups.dropLast().allSatisfy({ $0 == 0 }) && groups.last == 1 { return "::1" }
        return groups.map { String($0, radix: 16) }.joined(separator: ":")
    }

    // MARK: - Reading checked values

    /// The value of `key` in `table`, its default when not written, nil when it failed its rule.
    private func value(_ key: ConfigKey, in table: CheckedTable) -> ConfigValue? {
        if table.failed.contains(key) { return nil }
        return table.values[key] ?? key.defaultValue
    }

    /// The value of a required key, nil (with an error when it was simply left out) otherwise.
    private mutating func required(_ key: ConfigKey, in table: CheckedTable, _ message: String) -> ConfigValue? {
        if let value = table.values[key] { return value }
        if !table.failed.contains(key) { report(.missingKey, table.keyPath(key), table.line, message) }
        return nil
    }

    private static func certificate(_ value: ConfigValue) -> TLS.Certificate {
        var cert = "", key = "", names: [String] = []
        if case .table(let fields) = value {
            for field in fields {
                switch field.name {
                case "cert": cert = field.value.stringValue
                case "key": key = field.value.stringValue
                default: names = field.value.arrayValue.map(\.stringValue)
                }
            }
        }
        return TLS.Certificate(cert: cert, key: key, serverNames: names)
    }
}

extension PalisadeConfiguration.Listener.Transport {
    /// TLS runs over TCP, so tcp and tls listeners compete for the same ports.
    var usesTCP: Bool {
        switch self {
        case .udp: false
        case .tcp, .tls: true
        }
    }
}

extension ConfigValue {
    /// Conversions of values that passed their rule; the rule guarantees the case.
    var stringValue: String {
        if case .string(let text) = self { return text }
        preconditionFailure("expected a string, found \(self)")
    }

    var integerValue: Int {
        if case .integer(let number) = self { return number }
        preconditionFailure("expected an integer, found \(self)")
    }

    var booleanValue: Bool {
        if case .boolean(let flag) = self { return flag }
        preconditionFailure("expected a boolean, found \(self)")
    }

    var arrayValue: [ConfigValue] {
        if case .array(let values) = self { return values }
        preconditionFailure("expected an array, found \(self)")
    }

    /// nil for `.unset`.
    var optionalString: String? {
        if case .unset = self { return nil }
        return stringValue
    }
}
