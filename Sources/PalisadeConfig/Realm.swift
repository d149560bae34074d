extension PalisadeConfiguration {
    /// `[[realm]]`: one side of the SBC, with its listeners, its media interface and its policy.
    public struct Realm: Sendable, Equatable {
        public var name: String
        public var trust: Trust
        public var mediaPolicy: MediaPolicy
        /// SDES suite names (RFC 4568 §6.2), in order of preference; each one of `srtpSuiteNames`.
        public var srtpSuites: [String]
        /// Never empty.
        public var listeners: [Listener]
        public var media: MediaInterface
        /// How the TLS servers this realm connects to are verified; a peer not named here (and
        /// without a "*" entry) gets full RFC 5922 verification against the system's CAs.
        public var tlsPeers: [TLSPeer]
        /// The realm new calls from this one go to; nil refuses them.
        public var routeTo: String?
        /// Next hops in this realm for calls routed here.
        public var targets: [Target]
        /// Most calls at once through this realm (from it or to it); 0: unlimited.
        public var maxCalls: Int
        /// Most calls at once from one source IP address of this realm; 0: unlimited.
        public var maxCallsPerSource: Int
        /// New INVITEs from this realm are digest-challenged (407) when it is untrusted and the
        /// registrar has a users file.
        public var authenticateCalls: Bool
        /// Seconds between OPTIONS probes of this realm's targets; 0: no probing.
        public var targetProbeIntervalSeconds: Int

        public init(
            name: String, trust: Trust, mediaPolicy: MediaPolicy, srtpSuites: [String], listeners: [Listener],
            media: MediaInterface, tlsPeers: [TLSPeer] = [], routeTo: String? = nil, targets: [Target] = [],
            maxCalls: Int = 0, maxCallsPerSource: Int = 0, authenticateCalls: Bool = true,
            targetProbeIntervalSeconds: Int = 30
        ) {
            self.targetProbeIntervalSeconds = targetProbeIntervalSeconds
            self.maxCalls = maxCalls
            self.maxCallsPerSource = maxCallsPerSource
            self.authenticateCalls = authenticateCalls
            self.routeTo = routeTo
            self.targets = targets
            self.name = name
            self.trust = trust
            self.mediaPolicy = mediaPolicy
            self.srtpSuites = srtpSuites
            self.listeners = listeners
            self.media = media
            self.tlsPeers = tlsPeers
        }

        /// One entry of `tls_peers`: how one TLS server (or, with host "*", every other one) of
        /// the realm is verified when Palisade connects to it.
        public struct TLSPeer: Sendable, Equatable {
            /// A DNS name or IP address, lowercased; "*" for the realm's default.
            public var host: String
            public var verify: Verify
            public var caBundle: String?

            public init(host: String, verify: Verify = .full, caBundle: String? = nil) {
                self.host = host
                self.verify = verify
                self.caBundle = caBundle
            }

            public enum Verify: String, Sendable, CaseIterable {
                /// RFC 5922: the chain, and the SIP domain in the certificate.
                case full
                /// The chain only.
                case chainOnly = "chain-only"
                /// Nothing (lab use).
                case none
            }

            var configValue: ConfigValue {
                var fields = [ConfigValue.Field("host", .string(host)), ConfigValue.Field("verify", .string(verify.rawValue))]
                if let caBundle { fields.append(ConfigValue.Field("ca_bundle", .string(caBundle))) }
                return .table(fields)
            }
        }

        public enum Trust: String, Sendable, CaseIterable {
            case untrusted, trusted
        }

        public enum MediaPolicy: String, Sendable, CaseIterable {
            /// Only SRTP; an offer without it is refused with 488.
            case srtpRequired = "srtp-required"
            /// SRTP and RTP both offered, either accepted.
            case srtpOptional = "srtp-optional"
            /// Plain RTP only.
            case rtpOnly = "rtp-only"
        }

        /// The SDES suites Palisade can relay (RFC 4568 §6.2, RFC 6188 §7.1, RFC 7714 §14.2),
        /// in the default order of preference.
        public static let srtpSuiteNames = [
            "AES_CM_128_HMAC_SHA1_80",
            "AES_CM_128_HMAC_SHA1_32",
            "AEAD_AES_128_GCM",
            "AEAD_AES_256_GCM",
            "AES_256_CM_HMAC_SHA1_80",
        ]

        /// The two suites every SDES phone has; GCM and AES-256 are opt-in because libsrtp2 only
        /// has them with its OpenSSL backend.
        public static let defaultSRTPSuites = ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"]

        /// The realms of a file without `[[realm]]`: loopback only, so that a fresh install
        /// exposes nothing. `access` for phones (untrusted, SRTP optional, UDP and TCP on 5060),
        /// `core` for the PBX (trusted, plain RTP, UDP on 5080), each with its own port range.
        public static let defaults: [Realm] = [
            Realm(
                name: "access", trust: .untrusted, mediaPolicy: .srtpOptional, srtpSuites: defaultSRTPSuites,
                listeners: [
                    Listener(transport: .udp, listen: ListenAddress(host: "127.0.0.1", port: 5060)),
                    Listener(transport: .tcp, listen: ListenAddress(host: "127.0.0.1", port: 5060)),
                ],
                media: MediaInterface(address: "127.0.0.1", advertise: nil, portRange: 30_000...39_999),
                // Phones registered with the embedded registrar call each other.
                routeTo: "access"),
            Realm(
                name: "core", trust: .trusted, mediaPolicy: .rtpOnly, srtpSuites: defaultSRTPSuites,
                listeners: [Listener(transport: .udp, listen: ListenAddress(host: "127.0.0.1", port: 5080))],
                media: MediaInterface(address: "127.0.0.1", advertise: nil, portRange: 40_000...49_999)),
        ]

        /// The value of a key of `[[realm]]` or `[realm.media]`, as it would be written in the
        /// file; for a key of `[[realm.listener]]`, an array with the value in each listener.
        public subscript(key: ConfigKey) -> ConfigValue {
            switch key {
            case .realmName: .string(name)
            case .realmTrust: .string(trust.rawValue)
            case .realmMediaPolicy: .string(mediaPolicy.rawValue)
            case .realmSRTPSuites: .array(srtpSuites.map(ConfigValue.string))
            case .realmTLSPeers: .array(tlsPeers.map(\.configValue))
            case .realmRouteTo: routeTo.map(ConfigValue.string) ?? .unset
            case .realmMaxCalls: .integer(maxCalls)
            case .realmMaxCallsPerSource: .integer(maxCallsPerSource)
            case .realmAuthenticateCalls: .boolean(authenticateCalls)
            case .realmTargetProbeIntervalSeconds: .integer(targetProbeIntervalSeconds)
            case .targetAddress, .targetTransport, .targetPriority, .targetWeight: .array(targets.map { $0[key] })
            case .realmMediaAddress: .string(media.address)
            case .realmMediaAdvertise: media.advertise.map(ConfigValue.string) ?? .unset
            case .realmMediaPortMin: .integer(media.portRange.lowerBound)
            case .realmMediaPortMax: .integer(media.portRange.upperBound)
            case .listenerTransport, .listenerListen, .listenerAdvertise, .listenerCertificates,
                 .listenerClientCertificates, .listenerCABundle, .listenerMinimumTLSVersion:
                .array(listeners.map { $0[key] })
            case .logLevel, .logFormat, .mediaControlSocket, .mediaWorkers, .mediaTimeoutSeconds, .mediaHoldTimeoutSeconds, .mediaFirewall,
                 .mediaSocketBufferBytes, .mediaPinWorkers,
                 .signalAdminSocket, .signalMediaReconnectMinMilliseconds, .signalMediaReconnectMaxMilliseconds,
                 .signalMediaPingIntervalMilliseconds, .signalMediaPingTimeoutMilliseconds, .signalDrainGraceSeconds, .signalCallRecords, .metricsEnabled, .metricsListen,
                 .sipT1Milliseconds, .sipT2Milliseconds, .sipT4Milliseconds, .sipMaxMessageBytes, .sipMaxHeaders,
                 .sipTCPIdleTimeoutSeconds, .sipMaxConnections, .sipMaxConnectionsPerAddress, .sipMaxTransactions, .sipKeepaliveIntervalSeconds,
                 .sipTCPPingIntervalSeconds, .sipTCPPongTimeoutSeconds,
                 .registrarDomain, .registrarRealm, .registrarUsersFile, .registrarAlgorithms, .registrarDefaultExpiresSeconds,
                 .registrarMinExpiresSeconds, .registrarMaxExpiresSeconds, .registrarNonceLifetimeSeconds,
                 .registrarAuthDelayAfterFailures, .registrarAuthRefuseAfterFailures, .registrarAuthRefuseSeconds,
                 .registrarBanRefusedSources, .registrarMode, .registrarRelayRealm, .registrarRelayExpiresSeconds:
                .unset
            }
        }
    }

    /// `[[realm.target]]`: a next hop of a realm (a PBX, a trunk) for calls routed into it.
    public struct Target: Sendable, Equatable {
        /// `host:port` or `host` as written (an IP literal or a DNS name).
        public var address: String
        public var transport: Listener.Transport
        public var priority: Int
        public var weight: Int

        public init(address: String, transport: Listener.Transport = .udp, priority: Int = 1, weight: Int = 1) {
            self.address = address
            self.transport = transport
            self.priority = priority
            self.weight = weight
        }

        public subscript(key: ConfigKey) -> ConfigValue {
            switch key {
            case .targetAddress: .string(address)
            case .targetTransport: .string(transport.rawValue)
            case .targetPriority: .integer(priority)
            case .targetWeight: .integer(weight)
            default: .unset
            }
        }
    }

    /// `[[realm.listener]]`: a SIP listener of a realm.
    public struct Listener: Sendable, Equatable {
        public var transport: Transport
        public var listen: ListenAddress
        /// What goes into Via, Contact and Record-Route: `host`, `host:port`, `[v6]:port` or a DNS
        /// name, as written; nil advertises `listen`.
        public var advertise: String?
        /// Set exactly when `transport` is `.tls`.
        public var tls: TLS?

        public init(transport: Transport, listen: ListenAddress, advertise: String? = nil, tls: TLS? = nil) {
            self.transport = transport
            self.listen = listen
            self.advertise = advertise
            self.tls = tls
        }

        public enum Transport: String, Sendable, CaseIterable {
            case udp, tcp, tls
        }

        /// The value of a key of `[[realm.listener]]`, as it would be written in the file;
        /// `.unset` for TLS keys of a listener without TLS and for keys of other sections.
        public subscript(key: ConfigKey) -> ConfigValue {
            switch key {
            case .listenerTransport: .string(transport.rawValue)
            case .listenerListen: .string(listen.description)
            case .listenerAdvertise: advertise.map(ConfigValue.string) ?? .unset
            case .listenerCertificates: tls.map { .array($0.certificates.map(\.configValue)) } ?? .unset
            case .listenerClientCertificates: tls.map { .string($0.clientCertificates.rawValue) } ?? .unset
            case .listenerCABundle: tls?.caBundle.map(ConfigValue.string) ?? .unset
            case .listenerMinimumTLSVersion: tls.map { .string($0.minimumVersion.rawValue) } ?? .unset
            default: .unset
            }
        }
    }

    /// The TLS settings of a listener whose transport is `tls`.
    public struct TLS: Sendable, Equatable {
        /// Never empty; at most one has no `serverNames` (the fallback when SNI matches none).
        public var certificates: [Certificate]
        public var clientCertificates: ClientCertificates
        /// Set when `clientCertificates` is not `.none`.
        public var caBundle: String?
        public var minimumVersion: Version

        public init(
            certificates: [Certificate], clientCertificates: ClientCertificates = .none, caBundle: String? = nil,
            minimumVersion: Version = .tls12
        ) {
            self.certificates = certificates
            self.clientCertificates = clientCertificates
            self.caBundle = caBundle
            self.minimumVersion = minimumVersion
        }

        /// A certificate chain and its key, PEM files, for the SNI names it serves.
        public struct Certificate: Sendable, Equatable {
            public var cert: String
            public var key: String
            /// DNS names, `*.example.com` wildcards allowed, lowercased; empty for the fallback.
            public var serverNames: [String]

            public init(cert: String, key: String, serverNames: [String] = []) {
                self.cert = cert
                self.key = key
                self.serverNames = serverNames
            }

            var configValue: ConfigValue {
                var fields = [ConfigValue.Field("cert", .string(cert)), ConfigValue.Field("key", .string(key))]
                if !serverNames.isEmpty {
                    fields.append(ConfigValue.Field("server_names", .array(serverNames.map(ConfigValue.string))))
                }
                return .table(fields)
            }
        }

        public enum ClientCertificates: String, Sendable, CaseIterable {
            case none, optional, required
        }

        public enum Version: String, Sendable, CaseIterable {
            case tls12 = "1.2"
            case tls13 = "1.3"
        }
    }

    /// `[realm.media]`: where palisade-media relays a realm's RTP and RTCP.
    public struct MediaInterface: Sendable, Equatable {
        /// IP literal to bind, without brackets.
        public var address: String
        /// IP literal for SDP; nil uses `address`.
        public var advertise: String?
        /// Even lower bound, odd upper bound: RTP on even ports, RTCP on the odd port above.
        public var portRange: ClosedRange<Int>

        public init(address: String, advertise: String? = nil, portRange: ClosedRange<Int>) {
            self.address = address
            self.advertise = advertise
            self.portRange = portRange
        }
    }
}
