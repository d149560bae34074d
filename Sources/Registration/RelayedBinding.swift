import SIPAuth

/// A phone's registration relayed to the core registrar (issue 6 item 4): the phone's side (its
/// Contact, the flow it registered on, the short access-side expiry) and Palisade's own
/// registration of that binding at the core (its own Call-ID, From tag, CSeq space and a Contact
/// unique to the binding, `sip:<token>@<Palisade's core address>`), joined by the token.
public struct RelayedBinding<Flow: Hashable & Sendable>: Sendable {
    /// The user part of Palisade's core-side Contact for this binding; a request from the core
    /// whose Request-URI user is this token goes to the phone through `flow`.
    public let token: String
    /// The address-of-record as the phone wrote it in To (`sip:alice@example.com`), host in lower
    /// case: the key together with the Contact.
    public var aor: String
    /// The phone's Request-URI, To and From URIs, sent upstream unchanged: the Request-URI is what
    /// the phone's digest `uri` covers, To and From are the identity being registered.
    public var requestURI: String
    public var toURI: String
    public var fromURI: String
    /// The phone's Contact URI as registered (the Request-URI of a call to it).
    public var contact: String
    /// The Contact's user at the wire address when the phone is behind NAT (as the embedded
    /// registrar's `Binding.routingURI`).
    public var routingURI: String
    public var flow: Flow
    public var source: RegistrationSource
    public var nat: NATIndicators
    /// The phone's last Call-ID and CSeq.
    public var phoneCallID: String
    public var phoneCSeq: UInt32
    /// When the phone's access-side binding ends unless it registers again.
    public var accessExpiresAt: AuthInstant
    /// Palisade's dialog-like identity toward the core registrar (RFC 3261 §10.2: one Call-ID per
    /// binding, CSeq increasing by one per REGISTER).
    public let upstreamCallID: String
    public let upstreamFromTag: String
    /// Palisade's Contact for this binding at the core (`sip:<token>@<core address>`).
    public internal(set) var upstreamContact: String
    public internal(set) var upstreamCSeq: UInt32
    /// When the core registrar's binding ends; nil while it has not accepted one (the first
    /// REGISTER is being challenged, or it failed).
    public internal(set) var upstreamExpiresAt: AuthInstant?
    /// Authorization and Proxy-Authorization the phone sent last, for Palisade's own unregister
    /// when the phone goes silent (best effort: a registrar that challenges it keeps the binding
    /// until its own expiry).
    public internal(set) var credentials: [RelayHeader]
    public var userAgent: String?
    let key: ContactKey

    /// Registered at the core at `now`.
    public func isRegisteredUpstream(at now: AuthInstant) -> Bool {
        upstreamExpiresAt.map { $0 > now } ?? false
    }

    /// Live at `now`: the phone's access binding holds and the core's binding too.
    public func isLive(at now: AuthInstant) -> Bool {
        accessExpiresAt > now && isRegisteredUpstream(at: now)
    }

    /// Whole seconds of the access binding left at `now`, rounded up; 0 once expired.
    public func accessSecondsLeft(at now: AuthInstant) -> Int {
        seconds(until: accessExpiresAt, from: now)
    }

    /// Whole seconds of the core's binding left at `now`; 0 when there is none.
    public func upstreamSecondsLeft(at now: AuthInstant) -> Int {
        upstreamExpiresAt.map { seconds(until: $0, from: now) } ?? 0
    }

    public var isBehindNAT: Bool { !nat.isEmpty }

    private func seconds(until end: AuthInstant, from now: AuthInstant) -> Int {
        guard end > now else { return 0 }
        return Int((end.milliseconds - now.milliseconds + 999) / 1000)
    }
}

/// One header field to send as it came (`name: value`).
public struct RelayHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
