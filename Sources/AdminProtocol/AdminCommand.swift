/// Commands palisade-signal answers on its admin socket. palisadectl's command table refers
/// to these; local-only palisadectl commands (help) are not here.
public enum AdminCommand: String, Sendable, CaseIterable, Codable {
    case status

    public var summary: String {
        switch self {
        case .status: "versions, pids and uptimes of both daemons; whether the media plane is connected, and since when; SIP listeners"
        }
    }
}
