/// Commands palisade-signal answers on its admin socket. palisadectl's command table refers
/// to these; local-only palisadectl commands (help, sip check, config check) are not here.
public enum AdminCommand: String, Sendable, CaseIterable, Codable {
    case status
    case logLevel = "log level"
    case configReload = "config reload"
    case drain
    case undrain
    case callsList = "calls list"
    case callsHangup = "calls hangup"
    case registrationsList = "registrations list"
    case mediaStreams = "media streams"
    case callsShow = "calls show"
    case registrationsShow = "registrations show"
    case registrationsRemove = "registrations remove"
    case flowsList = "flows list"
    case mediaSessions = "media sessions"
    case tlsCertificates = "tls certificates"

    public var summary: String {
        switch self {
        case .status: "versions, pids and uptimes of both daemons; whether the media plane is connected, and since when; SIP listeners"
        case .logLevel: "show palisade-signal's log level, or set it (trace, debug, info, notice, warning, error, critical) "
            + "until the next restart or reload"
        case .drain: "refuse new calls and registrations (503 with Retry-After) while calls in progress go on; "
            + "shows what remains"
        case .undrain: "accept new calls and registrations again"
        case .callsList: "calls in progress: state, realms, caller and callee, both legs' Call-IDs, the caller's flow, age"
        case .callsHangup: "end a call (ID from calls list): BYE on both legs, or CANCEL and 487 while it rings"
        case .mediaStreams: "every leg of every media stream: where it latched and why, packets, loss, jitter, "
            + "drops by reason, idle time (asks palisade-media)"
        case .registrationsList: "bindings of the embedded registrar: address of record, contact, the flow requests "
            + "to it take (NAT), expiry"
        case .callsShow: "one call (ID from calls list): both legs' dialogs, flows and SDP (address, profile, SRTP suite), "
            + "and its media streams with advertised and latched addresses, packets, loss, jitter, drops by reason"
        case .registrationsShow: "the bindings of one address of record: contact, flow, transport, source, expiry, user agent"
        case .registrationsRemove: "remove the bindings of an address of record (all, or the one CONTACT); requests to it "
            + "then find no phone"
        case .flowsList: "SIP connections and UDP flows: peer, transport, realm, TLS peer identity, age, and the "
            + "registrations and calls using each"
        case .mediaSessions: "palisade-media's sessions: streams, Palisade's ports and the worker relaying each stream, "
            + "age, packet totals (asks palisade-media)"
        case .tlsCertificates: "the certificates of every TLS listener: subject, SANs, issuer, expiry and days left"
        case .configReload: "read the configuration file again and apply it (as SIGHUP does); an invalid file is refused "
            + "with its errors and the running configuration stays; changes that need a restart are listed"
        }
    }
}
