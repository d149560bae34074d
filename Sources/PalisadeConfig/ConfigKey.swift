/// The catalogue of configuration keys: every key of `palisade.toml`, with its section, rule,
/// default and summary. Validation, `PalisadeConfiguration.defaults`, the reference in
/// `docs/CONFIGURATION.md` and the documented default file `deploy/palisade.toml` all derive from
/// it, so adding a key is one case here and one line in `PalisadeConfiguration.subscript(key:)`
/// (or, for a key of a realm, its listener or its media interface, in that type's subscript).
///
/// The raw value is the dotted path of the key: its section's path, then its name.
public enum ConfigKey: String, CaseIterable, Sendable {
    case logLevel = "log.level"
    case logFormat = "log.format"
    case mediaControlSocket = "media.control_socket"
    case mediaWorkers = "media.workers"
    case mediaTimeoutSeconds = "media.timeout_s"
    case mediaHoldTimeoutSeconds = "media.hold_timeout_s"
    case mediaFirewall = "media.firewall"
    case mediaSocketBufferBytes = "media.socket_buffer_bytes"
    case mediaPinWorkers = "media.pin_workers"
    case signalAdminSocket = "signal.admin_socket"
    case signalMediaReconnectMinMilliseconds = "signal.media_reconnect_min_ms"
    case signalMediaReconnectMaxMilliseconds = "signal.media_reconnect_max_ms"
    case signalMediaPingIntervalMilliseconds = "signal.media_ping_interval_ms"
    case signalMediaPingTimeoutMilliseconds = "signal.media_ping_timeout_ms"
    case signalDrainGraceSeconds = "signal.drain_grace_s"
    case signalCallRecords = "signal.call_records"
    case metricsEnabled = "metrics.enabled"
    case metricsListen = "metrics.listen"
    case sipT1Milliseconds = "sip.t1_ms"
    case sipT2Milliseconds = "sip.t2_ms"
    case sipT4Milliseconds = "sip.t4_ms"
    case sipMaxMessageBytes = "sip.max_message_bytes"
    case sipMaxHeaders = "sip.max_headers"
    case sipTCPIdleTimeoutSeconds = "sip.tcp_idle_timeout_s"
    case sipMaxConnections = "sip.max_connections"
    case sipMaxConnectionsPerAddress = "sip.max_connections_per_address"
    case sipMaxTransactions = "sip.max_transactions"
    case sipKeepaliveIntervalSeconds = "sip.keepalive_interval_s"
    case sipTCPPingIntervalSeconds = "sip.tcp_ping_interval_s"
    case sipTCPPongTimeoutSeconds = "sip.tcp_pong_timeout_s"
    case registrarDomain = "registrar.domain"
    case registrarRealm = "registrar.realm"
    case registrarUsersFile = "registrar.users_file"
    case registrarAlgorithms = "registrar.algorithms"
    case registrarDefaultExpiresSeconds = "registrar.default_expires_s"
    case registrarMinExpiresSeconds = "registrar.min_expires_s"
    case registrarMaxExpiresSeconds = "registrar.max_expires_s"
    case registrarNonceLifetimeSeconds = "registrar.nonce_lifetime_s"
    case registrarAuthDelayAfterFailures = "registrar.auth_delay_after_failures"
    case registrarAuthRefuseAfterFailures = "registrar.auth_refuse_after_failures"
    case registrarAuthRefuseSeconds = "registrar.auth_refuse_s"
    case registrarBanRefusedSources = "registrar.ban_refused_sources"
    case registrarMode = "registrar.mode"
    case registrarRelayRealm = "registrar.relay_realm"
    case registrarRelayExpiresSeconds = "registrar.relay_expires_s"
    case realmName = "realm.name"
    case realmTrust = "realm.trust"
    case realmMediaPolicy = "realm.media_policy"
    case realmSRTPSuites = "realm.srtp_suites"
    case realmTLSPeers = "realm.tls_peers"
    case realmRouteTo = "realm.route_to"
    case realmMaxCalls = "realm.max_calls"
    case realmMaxCallsPerSource = "realm.max_calls_per_source"
    case realmAuthenticateCalls = "realm.authenticate_calls"
    case realmTargetProbeIntervalSeconds = "realm.target_probe_interval_s"
    case listenerTransport = "realm.listener.transport"
    case listenerListen = "realm.listener.listen"
    case listenerAdvertise = "realm.listener.advertise"
    case listenerCertificates = "realm.listener.certificates"
    case listenerClientCertificates = "realm.listener.client_certificates"
    case listenerCABundle = "realm.listener.ca_bundle"
    case listenerMinimumTLSVersion = "realm.listener.min_tls_version"
    case realmMediaAddress = "realm.media.address"
    case realmMediaAdvertise = "realm.media.advertise"
    case realmMediaPortMin = "realm.media.port_min"
    case realmMediaPortMax = "realm.media.port_max"
    case targetAddress = "realm.target.address"
    case targetTransport = "realm.target.transport"
    case targetPriority = "realm.target.priority"
    case targetWeight = "realm.target.weight"

    public var section: ConfigSection {
        switch self {
        case .logLevel, .logFormat: .log
        case .mediaControlSocket, .mediaWorkers, .mediaTimeoutSeconds, .mediaHoldTimeoutSeconds, .mediaFirewall,
             .mediaSocketBufferBytes, .mediaPinWorkers: .media
        case .signalAdminSocket, .signalMediaReconnectMinMilliseconds, .signalMediaReconnectMaxMilliseconds,
             .signalMediaPingIntervalMilliseconds, .signalMediaPingTimeoutMilliseconds, .signalDrainGraceSeconds,
             .signalCallRecords: .signal
        case .metricsEnabled, .metricsListen: .metrics
        case .sipT1Milliseconds, .sipT2Milliseconds, .sipT4Milliseconds, .sipMaxMessageBytes, .sipMaxHeaders,
             .sipTCPIdleTimeoutSeconds, .sipMaxConnections, .sipMaxConnectionsPerAddress, .sipMaxTransactions, .sipKeepaliveIntervalSeconds,
             .sipTCPPingIntervalSeconds, .sipTCPPongTimeoutSeconds: .sip
        case .realmName, .realmTrust, .realmMediaPolicy, .realmSRTPSuites, .realmTLSPeers, .realmRouteTo, .realmMaxCalls,
             .realmMaxCallsPerSource, .realmAuthenticateCalls, .realmTargetProbeIntervalSeconds: .realm
        case .targetAddress, .targetTransport, .targetPriority, .targetWeight: .realmTarget
        case .registrarDomain, .registrarRealm, .registrarUsersFile, .registrarAlgorithms, .registrarDefaultExpiresSeconds,
             .registrarMinExpiresSeconds, .registrarMaxExpiresSeconds, .registrarNonceLifetimeSeconds,
             .registrarAuthDelayAfterFailures, .registrarAuthRefuseAfterFailures, .registrarAuthRefuseSeconds,
             .registrarBanRefusedSources, .registrarMode, .registrarRelayRealm, .registrarRelayExpiresSeconds: .registrar
        case .listenerTransport, .listenerListen, .listenerAdvertise, .listenerCertificates,
             .listenerClientCertificates, .listenerCABundle, .listenerMinimumTLSVersion: .realmListener
        case .realmMediaAddress, .realmMediaAdvertise, .realmMediaPortMin, .realmMediaPortMax: .realmMedia
        }
    }

    /// The key within its section: `admin_socket` for `signal.admin_socket`.
    public var name: String {
        String(rawValue.dropFirst(section.rawValue.count + 1))
    }

    public var rule: ConfigValueRule {
        switch self {
        case .logLevel: .choice(PalisadeConfiguration.LogLevel.allCases.map(\.rawValue))
        case .logFormat: .choice(PalisadeConfiguration.LogFormat.allCases.map(\.rawValue))
        case .mediaControlSocket, .signalAdminSocket: .socketPath
        case .mediaWorkers: .integer(0...256)
        case .mediaTimeoutSeconds: .integer(1...86_400)
        case .mediaHoldTimeoutSeconds: .integer(1...86_400)
        case .mediaFirewall: .boolean
        case .mediaSocketBufferBytes: .integer(0...268_435_456)
        case .mediaPinWorkers: .boolean
        case .signalMediaReconnectMinMilliseconds: .integer(10...10_000)
        case .signalMediaReconnectMaxMilliseconds: .integer(10...60_000)
        case .signalMediaPingIntervalMilliseconds: .integer(100...60_000)
        case .signalMediaPingTimeoutMilliseconds: .integer(100...60_000)
        case .signalDrainGraceSeconds: .integer(0...86_400)
        case .signalCallRecords: .absolutePath
        case .metricsEnabled: .boolean
        case .metricsListen: .listenAddress
        case .sipT1Milliseconds: .integer(50...10_000)
        case .sipT2Milliseconds: .integer(100...60_000)
        case .sipT4Milliseconds: .integer(100...60_000)
        case .sipMaxMessageBytes: .integer(4_096...1_048_576)
        case .sipMaxHeaders: .integer(16...4_096)
        case .sipTCPIdleTimeoutSeconds: .integer(10...86_400)
        case .sipMaxConnections: .integer(1...1_000_000)
        case .sipMaxConnectionsPerAddress: .integer(1...1_000_000)
        case .sipMaxTransactions: .integer(1_000...10_000_000)
        case .sipKeepaliveIntervalSeconds: .integer(0...3_600)
        case .sipTCPPingIntervalSeconds: .integer(0...3_600)
        case .sipTCPPongTimeoutSeconds: .integer(1...300)
        case .registrarDomain, .registrarRealm: .domainName
        case .registrarUsersFile: .absolutePath
        case .registrarAlgorithms: .choiceList(PalisadeConfiguration.Registrar.algorithmNames)
        case .registrarDefaultExpiresSeconds, .registrarMinExpiresSeconds, .registrarMaxExpiresSeconds: .integer(1...86_400)
        case .registrarNonceLifetimeSeconds: .integer(10...86_400)
        case .registrarAuthDelayAfterFailures, .registrarAuthRefuseAfterFailures: .integer(1...1_000)
        case .registrarAuthRefuseSeconds: .integer(1...86_400)
        case .registrarBanRefusedSources: .boolean
        case .registrarMode: .choice(PalisadeConfiguration.Registrar.Mode.allCases.map(\.rawValue))
        case .registrarRelayRealm: .name
        case .registrarRelayExpiresSeconds: .integer(60...86_400)
        case .realmName: .name
        case .realmTrust: .choice(PalisadeConfiguration.Realm.Trust.allCases.map(\.rawValue))
        case .realmMediaPolicy: .choice(PalisadeConfiguration.Realm.MediaPolicy.allCases.map(\.rawValue))
        case .realmSRTPSuites: .choiceList(PalisadeConfiguration.Realm.srtpSuiteNames)
        case .realmTLSPeers: .tlsPeers
        case .realmRouteTo: .name
        case .realmMaxCalls, .realmMaxCallsPerSource: .integer(0...1_000_000)
        case .realmAuthenticateCalls: .boolean
        case .realmTargetProbeIntervalSeconds: .integer(0...3_600)
        case .targetAddress: .advertisedAddress
        case .targetTransport: .choice(PalisadeConfiguration.Listener.Transport.allCases.map(\.rawValue))
        case .targetPriority, .targetWeight: .integer(0...65_535)
        case .listenerTransport: .choice(PalisadeConfiguration.Listener.Transport.allCases.map(\.rawValue))
        case .listenerListen: .listenAddress
        case .listenerAdvertise: .advertisedAddress
        case .listenerCertificates: .certificates
        case .listenerClientCertificates: .choice(PalisadeConfiguration.TLS.ClientCertificates.allCases.map(\.rawValue))
        case .listenerCABundle: .absolutePath
        case .listenerMinimumTLSVersion: .choice(PalisadeConfiguration.TLS.Version.allCases.map(\.rawValue))
        case .realmMediaAddress, .realmMediaAdvertise: .ipAddress
        case .realmMediaPortMin: .integer(1_024...65_534)
        case .realmMediaPortMax: .integer(1_025...65_535)
        }
    }

    /// The value a key has when the file does not set it. `.unset` for a key that is required
    /// (see `isRequired`) or that means "none" when absent (an advertised address).
    /// For the keys of a realm this is the default inside each `[[realm]]` written in the file;
    /// the realms Palisade uses when the file has none are `PalisadeConfiguration.Realm.defaults`.
    public var defaultValue: ConfigValue {
        switch self {
        case .logLevel: .string("info")
        case .logFormat: .string("text")
        case .mediaControlSocket: .string("/run/palisade/media.sock")
        case .mediaWorkers: .integer(0)
        case .mediaTimeoutSeconds: .integer(60)
        case .mediaHoldTimeoutSeconds: .integer(3600)
        case .mediaFirewall: .boolean(false)
        case .mediaSocketBufferBytes: .integer(1_048_576)
        case .mediaPinWorkers: .boolean(false)
        case .signalAdminSocket: .string("/run/palisade/admin.sock")
        case .signalMediaReconnectMinMilliseconds: .integer(50)
        case .signalMediaReconnectMaxMilliseconds: .integer(1000)
        case .signalMediaPingIntervalMilliseconds: .integer(500)
        case .signalMediaPingTimeoutMilliseconds: .integer(1500)
        case .signalDrainGraceSeconds: .integer(30)
        case .signalCallRecords: .unset
        case .metricsEnabled: .boolean(true)
        case .metricsListen: .string("127.0.0.1:9477")
        case .sipT1Milliseconds: .integer(500)
        case .sipT2Milliseconds: .integer(4000)
        case .sipT4Milliseconds: .integer(5000)
        case .sipMaxMessageBytes: .integer(65_536)
        case .sipMaxHeaders: .integer(128)
        case .sipTCPIdleTimeoutSeconds: .integer(600)
        case .sipMaxConnections: .integer(20_000)
        case .sipMaxConnectionsPerAddress: .integer(256)
        case .sipMaxTransactions: .integer(400_000)
        case .sipKeepaliveIntervalSeconds: .integer(30)
        case .sipTCPPingIntervalSeconds: .integer(0)
        case .sipTCPPongTimeoutSeconds: .integer(10)
        case .registrarDomain: .unset
        case .registrarRealm: .string("palisade")
        case .registrarUsersFile: .unset
        case .registrarAlgorithms: .array(PalisadeConfiguration.Registrar.algorithmNames.map(ConfigValue.string))
        case .registrarDefaultExpiresSeconds: .integer(60)
        case .registrarMinExpiresSeconds: .integer(20)
        case .registrarMaxExpiresSeconds: .integer(60)
        case .registrarNonceLifetimeSeconds: .integer(300)
        case .registrarAuthDelayAfterFailures: .integer(3)
        case .registrarAuthRefuseAfterFailures: .integer(10)
        case .registrarAuthRefuseSeconds: .integer(300)
        case .registrarBanRefusedSources: .boolean(true)
        case .registrarMode: .string(PalisadeConfiguration.Registrar.Mode.embedded.rawValue)
        case .registrarRelayRealm: .string("core")
        case .registrarRelayExpiresSeconds: .integer(3600)
        case .realmName: .unset
        case .realmTrust: .string(PalisadeConfiguration.Realm.Trust.untrusted.rawValue)
        case .realmMediaPolicy: .string(PalisadeConfiguration.Realm.MediaPolicy.srtpOptional.rawValue)
        case .realmSRTPSuites: .array(PalisadeConfiguration.Realm.defaultSRTPSuites.map(ConfigValue.string))
        case .realmTLSPeers: .array([])
        case .realmRouteTo: .unset
        case .realmMaxCalls, .realmMaxCallsPerSource: .integer(0)
        case .realmAuthenticateCalls: .boolean(true)
        case .realmTargetProbeIntervalSeconds: .integer(30)
        case .targetAddress: .unset
        case .targetTransport: .string("udp")
        case .targetPriority, .targetWeight: .integer(1)
        case .listenerTransport: .string(PalisadeConfiguration.Listener.Transport.udp.rawValue)
        case .listenerListen: .unset
        case .listenerAdvertise: .unset
        case .listenerCertificates: .array([])
        case .listenerClientCertificates: .string(PalisadeConfiguration.TLS.ClientCertificates.none.rawValue)
        case .listenerCABundle: .unset
        case .listenerMinimumTLSVersion: .string(PalisadeConfiguration.TLS.Version.tls12.rawValue)
        case .realmMediaAddress: .unset
        case .realmMediaAdvertise: .unset
        case .realmMediaPortMin: .integer(30_000)
        case .realmMediaPortMax: .integer(39_999)
        }
    }

    /// A key that every element of its section must set: it has no sensible default.
    public var isRequired: Bool {
        switch self {
        case .realmName, .listenerListen, .realmMediaAddress, .targetAddress: true
        default: false
        }
    }

    /// Keys that only a TLS listener may set.
    public var isTLSOnly: Bool {
        switch self {
        case .listenerCertificates, .listenerClientCertificates, .listenerCABundle, .listenerMinimumTLSVersion: true
        default: false
        }
    }

    /// One line for the reference and the default file.
    public var summary: String {
        switch self {
        case .logLevel: "Least severe level that is logged."
        case .logFormat: "Log line format: human-readable text or one JSON object per line."
        case .mediaControlSocket: "Unix socket where palisade-media accepts the control connection from palisade-signal."
        case .mediaWorkers: "Packet-relaying worker threads; 0 starts one per CPU core."
        case .mediaTimeoutSeconds: "Seconds without a packet on an active stream before the media plane reports it timed out."
        case .mediaHoldTimeoutSeconds: "Seconds without a packet on a stream on hold before it is reported timed out; at least timeout_s."
        case .mediaFirewall: "palisade-media owns the nftables table inet palisade (needs CAP_NET_ADMIN): media ports are dropped "
            + "unless a session holds them, each allocated port is a pinhole narrowed to the latched peer, closed on delete. "
            + "Off by default so that a trial run never changes the host's firewall; turn it on on the appliance, with "
            + "the base ruleset (deploy/nftables)."
        case .mediaSocketBufferBytes: "Receive and send buffer of each media socket, in bytes (SO_RCVBUF/SO_SNDBUF); the kernel "
            + "caps it at net.core.rmem_max/wmem_max (deploy/sysctl raises them). A burst larger than the buffer while a "
            + "worker is busy is lost in the kernel; 0 keeps the kernel's default."
        case .mediaPinWorkers: "Pin worker n to CPU core n (modulo the cores): steadier latency on an appliance whose "
            + "cores are not shared with other busy work."
        case .signalAdminSocket: "Unix socket where palisade-signal serves palisadectl."
        case .signalMediaReconnectMinMilliseconds: "Shortest delay between attempts of palisade-signal to reconnect to the media plane."
        case .signalMediaReconnectMaxMilliseconds: "Longest delay between attempts to reconnect to the media plane; at least media_reconnect_min_ms."
        case .signalMediaPingIntervalMilliseconds: "How often palisade-signal pings the media plane over the control connection."
        case .signalMediaPingTimeoutMilliseconds: "How long palisade-signal waits for a ping reply before it takes the media plane for lost."
        case .signalCallRecords: "File to which palisade-signal appends one JSON line per finished call: both legs' Call-IDs, "
            + "realms, caller and callee, start/answer/end times, duration, end cause and who ended it, and per media "
            + "stream and leg the packets, bytes, loss, jitter and drops. Opened for each record, so logrotate may move it. "
            + "Unset: no call records."
        case .signalDrainGraceSeconds: "On SIGTERM (systemctl stop), palisade-signal first drains — new calls and registrations get 503 with Retry-After, calls in progress go on — for at most this many seconds, then stops; 0 stops at once."
        case .metricsEnabled: "Serve Prometheus metrics over HTTP at /metrics."
        case .metricsListen: "Address of the /metrics endpoint; port 0 picks a free port."
        case .sipT1Milliseconds: "RFC 3261 §17.1.1.1 T1, the round-trip estimate: first retransmission interval over UDP."
        case .sipT2Milliseconds: "RFC 3261 §17.1.2.2 T2, the longest retransmission interval of non-INVITE requests and INVITE responses; at least t1_ms."
        case .sipT4Milliseconds: "RFC 3261 §17.1.2.2 T4, how long a message may remain in the network (Timers I and K over UDP)."
        case .sipMaxMessageBytes: "Largest SIP message accepted, headers and body; a larger one is refused (UDP) or closes the connection (TCP, TLS)."
        case .sipMaxHeaders: "Most header fields accepted in one SIP message."
        case .sipTCPIdleTimeoutSeconds: "Seconds a TCP or TLS connection may stay without traffic (keepalives count) before it is closed."
        case .sipMaxConnections: "Most TCP and TLS connections open at once, over all listeners, inbound and outbound."
        case .sipMaxConnectionsPerAddress: "Most TCP and TLS connections from one remote IP address; at most max_connections."
        case .sipMaxTransactions: "Most SIP transactions kept at once; a request arriving beyond it is answered 503 with Retry-After, and one Palisade would send (a call's B-leg INVITE, a BYE) fails. A finished transaction stays for up to 32 s over UDP (RFC 3261 Timers J, L, M absorb retransmissions), so the table holds about 100 transactions for each call per second of call rate (200,000 at 2,000 calls/s); the default covers about 4,000 calls/s. Each costs about 1.5 KiB of palisade-signal memory."
        case .sipKeepaliveIntervalSeconds: "Seconds between keepalives to phones registered with the embedded registrar over UDP, to keep their NAT mappings open between re-registrations: a CRLFCRLF datagram (RFC 5626 section 3.5.1 style) to each registered UDP flow, from the listener its REGISTER came to. Phones on TCP or TLS get none (their connections carry the traffic). 0 sends none."
        case .sipTCPPingIntervalSeconds: "Seconds between RFC 5626 CRLFCRLF pings on every TCP or TLS connection Palisade opened (to a PBX, a trunk); a connection whose peer does not answer a ping with CRLF within tcp_pong_timeout_s, or that cannot be written, is closed and counted as a dead flow. 0 sends none: set it only toward peers that answer CRLF keepalives (RFC 5626 section 4.4.1)."
        case .sipTCPPongTimeoutSeconds: "Seconds a CRLFCRLF ping waits for its CRLF answer before the connection is taken for dead and closed."
        case .realmTLSPeers: "How TLS servers this realm connects to are verified, per peer: host is the SIP domain or address of the next hop (\"*\" for every other peer of the realm); verify is full (RFC 5922: chain and the SIP domain in the certificate, the default for every peer), chain-only (the chain, not the name: for peers known by address whose certificate names something else) or none (lab use); ca_bundle is the PEM file of the CAs the chain must lead to (default: the system's)."
        case .registrarDomain: "SIP domain of the embedded registrar's addresses-of-record (sip:alice@DOMAIN); the SBC's own listener addresses are accepted as aliases. Unset: only those addresses."
        case .registrarRealm: "Digest realm of the challenges (RFC 7616); every line of users_file names it."
        case .registrarUsersFile: "File of registrar users, one 'username realm algorithm:HA1' per line (HA1 = H(username:realm:password), never a password); make lines with palisade-signal --hash-user. Unset: no users, every REGISTER is refused after its challenge."
        case .registrarAlgorithms: "Digest algorithms challenged and accepted, in order of preference (RFC 8760: SHA-256 before MD5); one challenge each in a 401. Some clients (sipp) read only the first challenge and know only MD5."
        case .registrarDefaultExpiresSeconds: "Binding lifetime granted when a REGISTER asks for none; between min_expires_s and max_expires_s."
        case .registrarMinExpiresSeconds: "Shortest binding lifetime accepted (in relay mode: on the access side); a shorter non-zero request gets 423 Interval Too Brief with Min-Expires."
        case .registrarMaxExpiresSeconds: "Longest binding lifetime granted on the access side; longer requests are shortened, so phones refresh (and keep their NAT binding open) at least this often."
        case .registrarNonceLifetimeSeconds: "Seconds a digest nonce stays valid; a later answer with the right password gets 401 stale=true."
        case .registrarAuthDelayAfterFailures: "Failed REGISTER authentications from one IP address (within a minute) after which answers to it are delayed, 1 s doubling up to 8 s."
        case .registrarAuthRefuseAfterFailures: "Failed authentications from one IP address after which it is refused with 503 and Retry-After for auth_refuse_s; at least auth_delay_after_failures."
        case .registrarAuthRefuseSeconds: "Seconds an IP address stays refused once it reached auth_refuse_after_failures."
        case .registrarBanRefusedSources: "When the auth-failure throttle starts refusing an address (REGISTER or INVITE), "
            + "palisade-signal also asks palisade-media to put it in the nftables ban set for the same time: every packet "
            + "from it is then dropped by the kernel, SIP and media alike. Needs media.firewall on palisade-media (without "
            + "it the request is refused and the throttle alone answers 503)."
        case .registrarMode: "embedded: palisade-signal is the registrar (users_file, digest). relay: REGISTER from phones goes on to the "
            + "core registrar, the [[realm.target]] of relay_realm, as Palisade's own request (its own Call-ID, From tag, CSeq and a "
            + "Contact unique to each binding, sip:TOKEN@Palisade's address in that realm); the registrar's 401/407 challenges pass "
            + "to the phone and its credentials back, the phone's Request-URI, To and From unchanged (the digest covers the "
            + "Request-URI). Phones get the access-side expiry of min_expires_s...max_expires_s and their refreshes are answered "
            + "from Palisade's table until the core's binding (relay_expires_s) would end before the next one."
        case .registrarRelayRealm: "relay mode: the realm whose [[realm.target]] is the core registrar (priority and weight order, "
            + "targets found down by OPTIONS probes skipped); REGISTERs leave from Palisade's listener in that realm, and calls "
            + "from the core to a relayed binding's Contact reach the phone through the flow it registered on."
        case .registrarRelayExpiresSeconds: "relay mode: the expiry Palisade asks of the core registrar for each binding; a phone's "
            + "REGISTER goes upstream again only when the core's binding would end before the phone's next refresh. At least "
            + "max_expires_s."
        case .realmName: "Name of the realm, unique, used in routing rules, metrics and logs (lowercase letters, digits, '-' and '_')."
        case .realmTrust: "Whether the peers of this realm are trusted (the core) or not (phones and the Internet). P-Asserted-Identity and Privacy pass into other realms only from a trusted realm."
        case .realmMediaPolicy: "SRTP required (RTP offers refused with 488), SRTP optional (both offered, either accepted) or plain RTP only; applied to every SDP offer and answer of calls in this realm."
        case .realmSRTPSuites: "SDES crypto suites offered and accepted, in order of preference."
        case .realmRouteTo: "Realm that new calls (INVITE) from this realm go to: to that realm's [[realm.target]] in priority and weight order, or to a user registered there. A realm without targets may name itself: its registered phones call each other. Unset: calls from this realm are refused (404, or 403 for a foreign domain)."
        case .realmMaxCalls: "Most calls this realm carries at once, counting calls from it and calls routed to it; a new INVITE beyond it gets 503 with Retry-After and a Warning naming the limit, before any media is allocated. 0: unlimited (then the transaction table, 100,000, is the bound). Set it to the capacity of the trunk or PBX behind the realm."
        case .realmMaxCallsPerSource: "Most calls one source IP address (the transport address the INVITE came from, after NAT) may hold at once in this realm; beyond it, 503 with Retry-After. 0: unlimited. On an access realm of phones, 2 to 4 stops one phone or one compromised account from taking the whole realm; leave it 0 on a realm whose calls all come from one trunk."
        case .realmAuthenticateCalls: "Challenge new INVITEs from this realm with 407 (digest, the registrar's users, algorithms and nonces; the same auth-failure throttle as REGISTER) and require the authenticated user to be the From user (403 otherwise). Applies only to an untrusted realm while [registrar] users_file is set; a trusted realm is never challenged. false: any source may call (an open relay unless something else guards the realm)."
        case .realmTargetProbeIntervalSeconds: "Seconds between SIP OPTIONS probes palisade-signal sends, from its own listener of this realm (Max-Forwards 70), to each of this realm's [[realm.target]]. A target that answers 503 (or cannot be reached) is marked down at once, one that does not answer two probes in a row (Timer F, 64×T1, each) is marked down then, and new calls skip it (all are tried when every target is down); any other final answer (200, 404, 405, …) marks it up again. Logged once per change; palisade_target_up shows it. 0: no probing, every target always tried."
        case .targetAddress: "Next hop in this realm for calls routed here (a PBX, a trunk): host:port or host (port 5060, 5061 for TLS); an IP literal or a DNS name."
        case .targetTransport: "Transport to the target."
        case .targetPriority: "Lower is tried first (RFC 2782); the next priority is tried after a timeout, a transport error or a 503."
        case .targetWeight: "Among targets of one priority, each is tried first in proportion to its weight (RFC 2782); 0 only when the others fail."
        case .listenerTransport: "SIP transport of the listener."
        case .listenerListen: "Address and port to bind."
        case .listenerAdvertise: "Address written into Via, Contact and Record-Route instead of the bound one (1:1 NAT, cloud instances): host:port or a host name; unset advertises the bound address."
        case .listenerCertificates: "TLS only: certificate chains and keys (PEM files); with several, the client's SNI picks the one whose server_names match, and the one without server_names is the fallback."
        case .listenerClientCertificates: "TLS only: whether clients must present a certificate, verified against ca_bundle."
        case .listenerCABundle: "TLS only: PEM file of the CAs that client certificates must chain to; required when client_certificates is optional or required."
        case .listenerMinimumTLSVersion: "TLS only: oldest TLS version accepted."
        case .realmMediaAddress: "IP address the media relay binds for this realm's RTP and RTCP; 0.0.0.0 or :: for all."
        case .realmMediaAdvertise: "IP address written into SDP (c= line) for this realm instead of address; unset uses address."
        case .realmMediaPortMin: "First port of this realm's RTP/RTCP range; even (RTP on even ports, RTCP on the odd port above)."
        case .realmMediaPortMax: "Last port of this realm's range; odd, above port_min."
        }
    }

    /// Rules that involve more than one key, checked after each key has passed its own rule.
    static let crossFieldRules: [ConfigCrossFieldRule] = [
        .atLeast(.signalMediaReconnectMaxMilliseconds, .signalMediaReconnectMinMilliseconds),
        .atLeast(.sipT2Milliseconds, .sipT1Milliseconds),
        .atLeast(.sipMaxConnections, .sipMaxConnectionsPerAddress),
        .atLeast(.mediaHoldTimeoutSeconds, .mediaTimeoutSeconds),
        .atLeast(.registrarMaxExpiresSeconds, .registrarDefaultExpiresSeconds),
        .atLeast(.registrarDefaultExpiresSeconds, .registrarMinExpiresSeconds),
        .atLeast(.registrarAuthRefuseAfterFailures, .registrarAuthDelayAfterFailures),
        .atLeast(.registrarRelayExpiresSeconds, .registrarMaxExpiresSeconds),
    ]
}

/// A section of the file: a single table (`[log]`), or a repeated one (`[[realm]]`, and
/// `[[realm.listener]]` inside it) whose elements the validator checks one at a time with the same
/// per-table function. A section whose path has a dot lives inside its `parent`'s elements.
public enum ConfigSection: String, CaseIterable, Sendable {
    case log
    case media
    case signal
    case metrics
    case sip
    case registrar
    case realm
    case realmListener = "realm.listener"
    case realmMedia = "realm.media"
    case realmTarget = "realm.target"

    public var summary: String {
        switch self {
        case .log: "Logging, for both daemons."
        case .media: "palisade-media, the media relay."
        case .signal: "palisade-signal, the SIP side, and its connection to the media plane."
        case .metrics: "The Prometheus /metrics endpoint."
        case .sip: "SIP transactions and transports of palisade-signal: RFC 3261 timers, message and connection limits."
        case .registrar: "The registrar side of palisade-signal: by default the embedded registrar (REGISTER from phones, digest authentication against a user file of hashed secrets, and the throttle for sources that keep failing); with mode = \"relay\", a registration relay to the core's registrar. The users file also authenticates calls from untrusted realms (authenticate_calls) in either mode."
        case .realm: "A realm is one side of the SBC (phones on `access`, the PBX or carrier on `core`), with its own listeners, media interface and policy. Repeat [[realm]] for each; a file with none gets the loopback-only `access` and `core` realms shown in the default file."
        case .realmListener: "A SIP listener of the realm above it; repeat for each transport and address. A realm needs at least one."
        case .realmMedia: "The media interface of the realm above it: where palisade-media relays this realm's RTP and RTCP. Required in every realm."
        case .realmTarget: "A next hop in the realm above it (PBX, trunk) for calls that another realm's route_to sends here; repeat for several, with priority and weight."
        }
    }

    public var keys: [ConfigKey] {
        ConfigKey.allCases.filter { $0.section == self }
    }

    /// `[[realm]]` and `[[realm.listener]]` are arrays of tables.
    public var isRepeated: Bool {
        switch self {
        case .realm, .realmListener, .realmTarget: true
        case .log, .media, .signal, .metrics, .sip, .registrar, .realmMedia: false
        }
    }

    /// The section whose elements hold this one: `realm` for `realm.listener`.
    public var parent: ConfigSection? {
        switch self {
        case .realmListener, .realmMedia, .realmTarget: .realm
        case .log, .media, .signal, .metrics, .sip, .registrar, .realm: nil
        }
    }

    /// The sections directly inside this one.
    public var children: [ConfigSection] {
        ConfigSection.allCases.filter { $0.parent == self }
    }

    /// The name within the parent: `listener` for `realm.listener`.
    public var name: String {
        parent.map { String(rawValue.dropFirst($0.rawValue.count + 1)) } ?? rawValue
    }

    /// `[log]` or `[[realm]]`, as the header is written.
    public var header: String {
        isRepeated ? "[[\(rawValue)]]" : "[\(rawValue)]"
    }
}

/// What a key accepts.
public enum ConfigValueRule: Sendable, Equatable {
    case boolean
    case integer(ClosedRange<Int>)
    /// A string, one of these.
    case choice([String])
    /// A non-empty array of strings, each one of these, none twice; the order is kept.
    case choiceList([String])
    /// An absolute path that fits in `sockaddr_un.sun_path`.
    case socketPath
    /// An absolute path of a file.
    case absolutePath
    /// `host:port`; see `ListenAddress`.
    case listenAddress
    /// `host:port` or `host`, where host is an IP address literal or a DNS name; see `AdvertisedAddress`.
    case advertisedAddress
    /// An IPv4 or IPv6 address literal, without brackets or port.
    case ipAddress
    /// A DNS name or an IP address: 1 to 253 of letters, digits, '.', '-', ':' (IPv6).
    case domainName
    /// A name for logs and metrics: 1 to 32 of a-z, 0-9, '-', '_', starting with a letter.
    case name
    /// An array of inline tables `{ cert = PATH, key = PATH, server_names = [NAME, …] }`.
    case certificates
    /// An array of inline tables `{ host = NAME or "*", verify = CHOICE, ca_bundle = PATH }`.
    case tlsPeers

    /// The longest Unix socket path: `sun_path` is 108 bytes on Linux, one of them the NUL.
    public static let maximumSocketPathBytes = 107

    /// The longest realm name.
    public static let maximumNameLength = 32

    /// "integer", "string", … for the reference.
    public var typeName: String {
        switch self {
        case .boolean: "boolean"
        case .integer: "integer"
        case .choice, .socketPath, .absolutePath, .listenAddress, .advertisedAddress, .ipAddress, .name, .domainName: "string"
        case .choiceList: "array of strings"
        case .certificates, .tlsPeers: "array of inline tables"
        }
    }

    /// The allowed values in words, for the reference and for error messages.
    public var allowedDescription: String {
        switch self {
        case .boolean: "true or false"
        case .integer(let range): "\(range.lowerBound)...\(range.upperBound)"
        case .choice(let names): names.joined(separator: ", ")
        case .choiceList(let names): "one or more of " + names.joined(separator: ", ") + ", each at most once"
        case .socketPath: "absolute path, at most \(Self.maximumSocketPathBytes) bytes (sun_path limit)"
        case .absolutePath: "absolute path"
        case .listenAddress: "host:port; host is an IPv4 address, a bracketed IPv6 address or localhost; port 0...65535 (0: any free port)"
        case .advertisedAddress: "host or host:port; host is an IPv4 address, a bracketed IPv6 address or a DNS name; port 1...65535"
        case .ipAddress: "an IPv4 or IPv6 address, without brackets"
        case .domainName: "a DNS name or an IP address (letters, digits, '.', '-', ':'), at most 253 bytes"
        case .name: "1 to \(Self.maximumNameLength) of a-z, 0-9, '-', '_', starting with a letter"
        case .certificates: "{ cert = absolute path, key = absolute path, server_names = [DNS names, '*.' wildcards allowed] }; server_names may be left out for one of them"
        case .tlsPeers: "{ host = DNS name, IP address or \"*\", verify = "
            + PalisadeConfiguration.Realm.TLSPeer.Verify.allCases.map(\.rawValue).joined(separator: " | ")
            + ", ca_bundle = absolute path }; verify and ca_bundle may be left out, each host at most once"
        }
    }
}

/// A checked configuration value, in TOML terms.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case boolean(Bool)
    case integer(Int)
    case string(String)
    case array([ConfigValue])
    /// An inline table, its fields in the order written.
    case table([Field])
    /// No value: a key that is required, or that means "none" when left out.
    case unset

    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: ConfigValue

        public init(_ name: String, _ value: ConfigValue) {
            self.name = name
            self.value = value
        }
    }

    /// The value as TOML source: `true`, `50`, `"info"`, `["a", "b"]`, `{ cert = "/a.pem" }`;
    /// `unset` has no TOML form and reads "(none)".
    public var description: String {
        switch self {
        case .boolean(let value): String(value)
        case .integer(let value): String(value)
        case .string(let value): TOMLRendering.basicString(value)
        case .array(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .table(let fields):
            fields.isEmpty ? "{}" : "{ " + fields.map { "\($0.name) = \($0.value)" }.joined(separator: ", ") + " }"
        case .unset: "(none)"
        }
    }
}

/// A rule across keys. Only applied when every key it names passed its own rule.
enum ConfigCrossFieldRule: Sendable {
    /// The first key's integer must be at least the second's.
    case atLeast(ConfigKey, ConfigKey)
}
