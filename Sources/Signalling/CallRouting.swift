import B2BUA
import MediaControlProtocol
import SIPMessage
import SIPTransport

/// Where a registered user can be reached (issue 6, item 3: "from core, requests go to a
/// registered user through the flow that user registered on"). The registrar (Signalling's
/// Registrar, another branch) implements it; the B2BUA only asks.
public struct RegisteredBinding: Sendable, Equatable {
    /// The Contact URI the user registered, used as the B-leg Request-URI.
    public var contact: String
    /// The flow the REGISTER came on: requests to the user go back along it (RFC 5626 §5.3),
    /// through the user's NAT.
    public var flow: Flow

    public init(contact: String, flow: Flow) {
        self.contact = contact
        self.flow = flow
    }
}

/// Looks up the current binding of an address of record (`sip:user@domain`, or the user part
/// alone when the domain is Palisade's own) among those whose flow is `reachable`. Nil when the
/// user has no live registration there.
public protocol RegistrationLookup: Sendable {
    func binding(user: String, domain: String?, realm: String,
                 reachable: (Flow) -> Bool) async -> RegisteredBinding?
}

/// palisade-media as the B2BUA uses it: one request, one reply. `MediaPlaneLink` is the real one.
public protocol MediaControl: Sendable {
    /// `isolation` is the caller's (pass `#isolation`): the request is written and its reply
    /// resumed on the caller's executor, without a hop through the global pool.
    func request(_ body: ControlRequest.Body, timeoutMilliseconds: Int,
                 isolation: isolated (any Actor)?) async throws -> ControlReply.Body
    /// The media plane's events (stream timeouts end calls).
    var events: AsyncStream<MediaEvent> { get }
}

extension MediaPlaneLink: MediaControl {}

/// What the B2BUA needs from the configuration: per realm Palisade's face and media policy, per
/// source realm where calls go, and the header policy.
public struct CallRouting: Sendable {
    public struct Realm: Sendable {
        public var name: String
        public var trusted: Bool
        public var media: RealmMediaPolicy
        /// Admission limits (`max_calls`, `max_calls_per_source`).
        public var limits: AdmissionControl.Limits
        /// New INVITEs from this realm are challenged when it is untrusted and the registrar has
        /// a users file (`authenticate_calls`).
        public var authenticateCalls: Bool
        /// How often this realm's targets are probed with OPTIONS (`target_probe_interval_s`);
        /// nil: never.
        public var targetProbeInterval: Duration?

        public init(name: String, trusted: Bool, media: RealmMediaPolicy, limits: AdmissionControl.Limits = .unlimited,
                    authenticateCalls: Bool = true, targetProbeInterval: Duration? = nil) {
            self.targetProbeInterval = targetProbeInterval
            self.name = name
            self.trusted = trusted
            self.media = media
            self.limits = limits
            self.authenticateCalls = authenticateCalls
        }

        /// RFC 3261 §22.3: Palisade acts as the proxy that authenticates callers of this realm.
        public var challengesCalls: Bool { authenticateCalls && !trusted }
    }

    public var realms: [String: Realm]
    /// By source realm: the realm requests go to and its static targets (in priority/weight
    /// order per call; see `RoutePlan.order`).
    public var routes: [String: RoutePlan]
    public var headers: HeaderPolicy
    public var registrations: (any RegistrationLookup)?
    public var media: any MediaControl
    public var mediaTimeoutMilliseconds: Int
    /// Where finished calls are recorded (`signal.call_records`); nil: nowhere.
    public var callRecords: (any CallRecordSink)?

    /// Every target of every route, once, in configuration order.
    public var targets: [RouteTarget] {
        var seen: Set<RouteTarget> = []
        return routes.keys.sorted().flatMap { routes[$0]?.targets ?? [] }.filter { seen.insert($0).inserted }
    }

    public init(realms: [Realm], routes: [String: RoutePlan], headers: HeaderPolicy = .default,
                registrations: (any RegistrationLookup)? = nil, media: any MediaControl,
                mediaTimeoutMilliseconds: Int = 2_000, callRecords: (any CallRecordSink)? = nil) {
        self.callRecords = callRecords
        self.realms = Dictionary(realms.map { ($0.name, $0) }) { first, _ in first }
        self.routes = routes
        self.headers = headers
        self.registrations = registrations
        self.media = media
        self.mediaTimeoutMilliseconds = mediaTimeoutMilliseconds
    }
}
