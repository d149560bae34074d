/// Replies of the inspection commands (`calls show`, `registrations show|remove`, `flows list`,
/// `media sessions`, `tls certificates`). Added beside the older replies; none of those changed.

/// What one leg's SDP said for one m= line, as Palisade read it: where the peer wants media, over
/// what profile, with which SRTP suite. Keys are never part of it.
public struct SDPStreamSummary: Codable, Sendable, Equatable {
    public var stream: Int
    /// The peer's c=/m= address and port ("192.0.2.7:4000"), nil before its SDP or on hold (c=0.0.0.0).
    public var media: String?
    /// "RTP/AVP" or "RTP/SAVP".
    public var profile: String
    /// The a=crypto suite in use (AES_CM_128_HMAC_SHA1_80, …), nil for RTP.
    public var cryptoSuite: String?
    public var direction: String
    public var rtcpMux: Bool

    public init(stream: Int, media: String?, profile: String, cryptoSuite: String?, direction: String, rtcpMux: Bool) {
        self.stream = stream
        self.media = media
        self.profile = profile
        self.cryptoSuite = cryptoSuite
        self.direction = direction
        self.rtcpMux = rtcpMux
    }
}

/// One leg of a call for `calls show`: its dialog and where its requests go.
public struct CallLegDetail: Codable, Sendable, Equatable {
    /// "a" (the caller's side) or "b".
    public var leg: String
    public var realm: String
    public var callID: String
    public var localTag: String
    public var remoteTag: String?
    /// The peer's Contact: the target of requests within the dialog.
    public var remoteTarget: String
    /// The flow or destination requests on this leg take (`udp 192.0.2.7:5060`), nil before one is chosen.
    public var flow: String?
    /// early (no remote tag yet), confirmed, ending, ended.
    public var dialogState: String
    public var sdp: [SDPStreamSummary]

    public init(leg: String, realm: String, callID: String, localTag: String, remoteTag: String?, remoteTarget: String,
                flow: String?, dialogState: String, sdp: [SDPStreamSummary]) {
        self.leg = leg
        self.realm = realm
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = remoteTag
        self.remoteTarget = remoteTarget
        self.flow = flow
        self.dialogState = dialogState
        self.sdp = sdp
    }
}

/// `calls show ID`: the call's summary, both legs, and its media streams as palisade-media counts them.
public struct CallDetail: Codable, Sendable, Equatable {
    public var call: CallSummary
    public var legs: [CallLegDetail]
    /// One row per leg of every stream, with the advertised address beside the latched one.
    public var streams: [MediaLegSummary]
    /// Why `streams` is empty although the call has media (palisade-media not connected, …).
    public var mediaError: String?

    public init(call: CallSummary, legs: [CallLegDetail], streams: [MediaLegSummary], mediaError: String?) {
        self.call = call
        self.legs = legs
        self.streams = streams
        self.mediaError = mediaError
    }
}

/// One binding of `registrations show AOR` and `registrations remove AOR [CONTACT]`.
public struct BindingDetail: Codable, Sendable, Equatable {
    public var aor: String
    public var contact: String
    /// Where requests to the phone go: the flow it registered on (`udp 203.0.113.5:41234`).
    public var flow: String
    public var transport: String
    /// The address the REGISTER came from, as seen on the wire.
    public var source: String
    public var realm: String
    public var behindNAT: Bool
    /// NAT indicators (contact-address-differs, …), "none" when not behind NAT.
    public var nat: String
    public var expiresInSeconds: Double
    public var userAgent: String?
    public var callID: String
    public var cseq: UInt32
    /// A binding of the registration relay: Palisade's Contact for it at the core registrar and
    /// the seconds the core's binding has left; nil for the embedded registrar's bindings.
    public var relayedAs: String?
    public var upstreamExpiresInSeconds: Double?

    public init(aor: String, contact: String, flow: String, transport: String, source: String, realm: String,
                behindNAT: Bool, nat: String, expiresInSeconds: Double, userAgent: String?, callID: String, cseq: UInt32,
                relayedAs: String? = nil, upstreamExpiresInSeconds: Double? = nil) {
        self.relayedAs = relayedAs
        self.upstreamExpiresInSeconds = upstreamExpiresInSeconds
        self.aor = aor
        self.contact = contact
        self.flow = flow
        self.transport = transport
        self.source = source
        self.realm = realm
        self.behindNAT = behindNAT
        self.nat = nat
        self.expiresInSeconds = expiresInSeconds
        self.userAgent = userAgent
        self.callID = callID
        self.cseq = cseq
    }
}

/// `registrations show` and `registrations remove`: the address of record and its bindings
/// (the live ones, or the ones just removed).
public struct RegistrationDetail: Codable, Sendable, Equatable {
    public var aor: String
    public var removed: Bool
    public var bindings: [BindingDetail]

    public init(aor: String, removed: Bool, bindings: [BindingDetail]) {
        self.aor = aor
        self.removed = removed
        self.bindings = bindings
    }
}

/// One SIP flow for `flows list`: an open TCP/TLS connection, or a UDP peer a call or a binding uses.
public struct FlowSummary: Codable, Sendable, Equatable {
    /// The connection's id (`c12`), nil for UDP.
    public var id: String?
    public var transport: String
    public var realm: String
    public var peer: String
    public var local: String
    /// The peer certificate's names (DNS and URI SANs), for TLS connections that presented one.
    public var tlsPeerIdentity: [String]?
    /// Seconds since the connection opened; nil for UDP (no connection to age).
    public var ageSeconds: Double?
    /// Bindings registered on this flow.
    public var registrations: Int
    /// Calls whose caller came on this flow.
    public var calls: Int

    public init(id: String?, transport: String, realm: String, peer: String, local: String, tlsPeerIdentity: [String]?,
                ageSeconds: Double?, registrations: Int, calls: Int) {
        self.id = id
        self.transport = transport
        self.realm = realm
        self.peer = peer
        self.local = local
        self.tlsPeerIdentity = tlsPeerIdentity
        self.ageSeconds = ageSeconds
        self.registrations = registrations
        self.calls = calls
    }
}

/// One media session for `media sessions`.
public struct MediaSessionSummary: Codable, Sendable, Equatable {
    public var session: String
    public var ageSeconds: Double
    public var streams: Int
    /// Packets and bytes accepted on every leg of every stream, and drops of every reason.
    public var packets: UInt64
    public var bytes: UInt64
    public var drops: UInt64
    /// Per stream: Palisade's own RTP address on each leg (`0: a 192.0.2.1:30000, b 198.51.100.1:30002`).
    public var ports: [String]
    /// The palisade-media packet worker relaying each stream.
    public var workers: [Int]

    public init(session: String, ageSeconds: Double, streams: Int, packets: UInt64, bytes: UInt64, drops: UInt64,
                ports: [String], workers: [Int]) {
        self.workers = workers
        self.session = session
        self.ageSeconds = ageSeconds
        self.streams = streams
        self.packets = packets
        self.bytes = bytes
        self.drops = drops
        self.ports = ports
    }
}

/// One certificate of one TLS listener for `tls certificates`.
public struct TLSCertificateReport: Codable, Sendable, Equatable {
    public var realm: String
    /// The listener's bound address.
    public var listener: String
    public var file: String
    /// SNI names it answers for; empty for the default certificate.
    public var serverNames: [String]
    public var subject: String
    public var issuer: String
    public var subjectAlternativeNames: [String]
    /// Unix seconds.
    public var notAfter: Double
    /// Whole days until `notAfter` (negative once expired).
    public var daysLeft: Int

    public init(realm: String, listener: String, file: String, serverNames: [String], subject: String, issuer: String,
                subjectAlternativeNames: [String], notAfter: Double, daysLeft: Int) {
        self.realm = realm
        self.listener = listener
        self.file = file
        self.serverNames = serverNames
        self.subject = subject
        self.issuer = issuer
        self.subjectAlternativeNames = subjectAlternativeNames
        self.notAfter = notAfter
        self.daysLeft = daysLeft
    }
}

/// `calls list` filters: `--realm R` (either side), `--user U` (caller or callee), `--min-age SECONDS`.
public struct CallFilter: Sendable, Equatable {
    public var realm: String?
    public var user: String?
    public var minimumAgeSeconds: Double?

    public init(realm: String? = nil, user: String? = nil, minimumAgeSeconds: Double? = nil) {
        self.realm = realm
        self.user = user
        self.minimumAgeSeconds = minimumAgeSeconds
    }

    /// Reads the filter options from a request's arguments; a bad or unknown one is a `badArgument`.
    public init(arguments: [String]) throws(AdminFailure) {
        var rest = arguments[...]
        while let word = rest.popFirst() {
            let (name, inline): (String, String?) = if let eq = word.firstIndex(of: "=") {
                (String(word[..<eq]), String(word[word.index(after: eq)...]))
            } else {
                (word, nil)
            }
            guard ["--realm", "--user", "--min-age"].contains(name) else {
                throw AdminFailure(.badArgument, "calls list takes --realm R, --user U, --min-age SECONDS; got '\(word)'")
            }
            guard let value = inline ?? rest.popFirst(), !value.isEmpty else {
                throw AdminFailure(.badArgument, "\(name) needs a value")
            }
            switch name {
            case "--realm": realm = value
            case "--user": user = value
            default:
                guard let seconds = Double(value), seconds >= 0, seconds.isFinite else {
                    throw AdminFailure(.badArgument, "--min-age takes seconds (a number ≥ 0); got '\(value)'")
                }
                minimumAgeSeconds = seconds
            }
        }
    }

    /// The options as request arguments (`--realm R --user U --min-age S`).
    public var arguments: [String] {
        (realm.map { ["--realm", $0] } ?? []) + (user.map { ["--user", $0] } ?? [])
            + (minimumAgeSeconds.map { ["--min-age", "\($0)"] } ?? [])
    }

    public func matches(_ call: CallSummary) -> Bool {
        if let realm, call.callerRealm != realm, call.calleeRealm != realm { return false }
        if let user, call.caller != user, call.callee != user { return false }
        if let minimumAgeSeconds, call.ageSeconds < minimumAgeSeconds { return false }
        return true
    }
}
