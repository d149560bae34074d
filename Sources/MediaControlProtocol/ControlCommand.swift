/// The media control protocol between palisade-signal (client) and palisade-media (server).
///
/// Every message is one frame (`ControlFraming`) holding one JSON object. Requests carry an
/// `id` chosen by the client; the reply echoes it. The first request on a connection must be
/// `hello`, which fixes the protocol version for the connection.
public enum MediaControlProtocolVersion {
    /// The version this build speaks. Bump it only with new wire fixtures beside the old ones.
    public static let current = 1
}

/// Every command of the protocol: one catalogue for dispatch, docs and logs.
public enum ControlCommand: String, Sendable, CaseIterable, Codable {
    case hello
    case ping
    case status
    case processMetrics = "process-metrics"
    case createSession = "create-session"
    case updateSession = "update-session"
    case deleteSession = "delete-session"
    case querySession = "query-session"
    case listSessions = "list-sessions"
    case banSource = "ban-source"

    public var summary: String {
        switch self {
        case .hello: "open the connection: agree on the protocol version, exchange identities"
        case .ping: "liveness probe; answered with the media plane's clock"
        case .status: "version, pid, start time and uptime of palisade-media"
        case .processMetrics: "process metrics of palisade-media (CPU, memory, descriptors)"
        case .createSession: "allocate ports and keys for a call's streams and start relaying"
        case .updateSession: "apply a call's new desired state (re-INVITE, hold, re-key, streams added/removed)"
        case .deleteSession: "stop relaying a call, release its ports; answered with its final statistics"
        case .querySession: "statistics of one call: per stream and leg"
        case .listSessions: "statistics of every call"
        case .banSource: "drop every packet from an address at the firewall for a while (media.firewall)"
        }
    }

    /// Whether executing the command twice would do something twice. The reply cache makes a
    /// retransmitted request of such a command answered from the cache, not executed again.
    public var changesState: Bool {
        switch self {
        case .createSession, .updateSession, .deleteSession, .banSource: true
        case .hello, .ping, .status, .processMetrics, .querySession, .listSessions: false
        }
    }
}
