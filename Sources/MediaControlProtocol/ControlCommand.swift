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

    public var summary: String {
        switch self {
        case .hello: "open the connection: agree on the protocol version, exchange identities"
        case .ping: "liveness probe; answered with the media plane's clock"
        case .status: "version, pid, start time and uptime of palisade-media"
        case .processMetrics: "process metrics of palisade-media (CPU, memory, descriptors)"
        }
    }
}
