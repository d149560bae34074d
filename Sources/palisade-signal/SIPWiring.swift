import B2BUA
import PalisadeConfig
import SDP
import Signalling
import SIPCore
import SIPMessage
import SIPTransport

/// The configuration's SIP sections as the transport and transaction layers take them.
enum SIPWiring {
    static func listeners(_ realms: [PalisadeConfiguration.Realm]) -> [ListenerSpec] {
        realms.flatMap { realm in
            realm.listeners.map { listener in
                let bind = HostPort(listener.listen.host, listener.listen.port)
                let kind: TransportKind = switch listener.transport {
                case .udp: .udp
                case .tcp: .tcp
                case .tls: .tls
                }
                return ListenerSpec(realm: realm.name, transport: kind, bind: bind,
                                    advertised: listener.advertise.flatMap { HostPort(parsing: $0, defaultPort: bind.port) },
                                    tls: listener.tls.map(tls))
            }
        }
    }

    static func tls(_ tls: PalisadeConfiguration.TLS) -> TLSServerSpec {
        let policy: ClientCertificatePolicy = switch tls.clientCertificates {
        case .none: .none
        case .optional: .optional
        case .required: .required
        }
        let minimum: TLSProtocolVersion = switch tls.minimumVersion {
        case .tls12: .v1_2
        case .tls13: .v1_3
        }
        return TLSServerSpec(
            certificates: tls.certificates.map {
                TLSCertificateFiles(chainPath: $0.cert, keyPath: $0.key, serverNames: $0.serverNames)
            },
            clientCertificates: policy, caBundlePath: tls.caBundle,
            cipherPolicy: TLSCipherPolicy(minimumVersion: minimum))
    }

    static func settings(_ sip: PalisadeConfiguration.SIP, realms: [PalisadeConfiguration.Realm] = []) -> TransportSettings {
        var settings = TransportSettings(limits: SIPLimits(maxMessageSize: sip.maxMessageBytes,
                                                           maxHeaderCount: sip.maxHeaders))
        settings.maxConnections = sip.maxConnections
        settings.maxConnectionsPerAddress = sip.maxConnectionsPerAddress
        settings.idleTimeout = .seconds(sip.tcpIdleTimeoutSeconds)
        settings.pingInterval = sip.tcpPingIntervalSeconds > 0 ? .seconds(sip.tcpPingIntervalSeconds) : nil
        settings.pongTimeout = .seconds(sip.tcpPongTimeoutSeconds)
        settings.tlsPeers = realms.flatMap { realm in
            realm.tlsPeers.map { peer in
                let verification: TLSPeerPolicy.Verification = switch peer.verify {
                case .full: .rfc5922
                case .chainOnly: .chainOnly
                case .none: .none
                }
                return TLSPeerRule(realm: realm.name, host: peer.host, verification: verification,
                                   caBundlePath: peer.caBundle)
            }
        }
        return settings
    }

    static func timers(_ sip: PalisadeConfiguration.SIP) -> TransactionTimers {
        TransactionTimers(t1: .milliseconds(sip.t1Milliseconds), t2: .milliseconds(sip.t2Milliseconds),
                          t4: .milliseconds(sip.t4Milliseconds))
    }

    /// What "the SBC itself" is in a Request-URI: every bound and advertised host.
    static func ownHosts(_ listeners: [BoundListener]) -> Set<String> {
        var hosts: Set<String> = []
        for listener in listeners {
            hosts.insert(listener.spec.bind.uriHost)
            hosts.insert(listener.advertised.uriHost)
            if let ip = listener.localAddress.ipAddress {
                hosts.insert(ip.contains(":") ? "[\(ip)]" : ip)
            }
        }
        return hosts
    }
}

extension SIPWiring {
    /// The B2BUA's view of the realms and routes; nil when no realm routes calls (`route_to`).
    static func calls(_ realms: [PalisadeConfiguration.Realm], media: any MediaControl,
                      registrations: (any RegistrationLookup)?, timeoutMilliseconds: Int,
                      callRecords: (any CallRecordSink)? = nil) -> CallRouting? {
        guard realms.contains(where: { $0.routeTo != nil }) else { return nil }
        let byName = Dictionary(realms.map { ($0.name, $0) }) { first, _ in first }
        var routes: [String: RoutePlan] = [:]
        for realm in realms {
            guard let name = realm.routeTo, let destination = byName[name] else { continue }
            routes[realm.name] = RoutePlan(realm: name, targets: targets(of: destination))
        }
        return CallRouting(realms: realms.map(callRealm), routes: routes, registrations: registrations, media: media,
                           mediaTimeoutMilliseconds: timeoutMilliseconds, callRecords: callRecords)
    }

    /// A realm's `[[realm.target]]` as the B2BUA and the registration relay take them.
    static func targets(of realm: PalisadeConfiguration.Realm) -> [RouteTarget] {
        realm.targets.compactMap { target in
            let defaultPort = target.transport == .tls ? 5061 : 5060
            guard let hp = HostPort(parsing: target.address, defaultPort: defaultPort) else { return nil }
            let transport: RouteTarget.Transport = switch target.transport {
            case .udp: .udp
            case .tcp: .tcp
            case .tls: .tls
            }
            return RouteTarget(realm: realm.name, host: hp.host, port: hp.port, transport: transport,
                               priority: target.priority, weight: target.weight)
        }
    }

    static func callRealm(_ realm: PalisadeConfiguration.Realm) -> CallRouting.Realm {
        let srtp: SRTPPolicy = switch realm.mediaPolicy {
        case .srtpRequired: .required
        case .srtpOptional: .optional
        case .rtpOnly: .rtpOnly
        }
        let media = RealmMediaPolicy(interface: realm.name, advertisedAddress: realm.media.advertise ?? realm.media.address,
                                     srtp: srtp, suites: realm.srtpSuites.map { SDPCryptoSuite($0) })
        return CallRouting.Realm(name: realm.name, trusted: realm.trust == .trusted, media: media,
                                 limits: AdmissionControl.Limits(maxCalls: realm.maxCalls,
                                                                 maxCallsPerSource: realm.maxCallsPerSource),
                                 authenticateCalls: realm.authenticateCalls,
                                 targetProbeInterval: realm.targetProbeIntervalSeconds > 0
                                     ? .seconds(realm.targetProbeIntervalSeconds) : nil)
    }
}
