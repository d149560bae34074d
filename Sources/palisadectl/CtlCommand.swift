import AdminProtocol

/// palisadectl's command table: dispatch and `help` both read it.
enum CtlCommand: String, CaseIterable {
    case status
    case help

    /// What the daemon is asked, for commands answered by palisade-signal.
    var adminCommand: AdminCommand? {
        switch self {
        case .status: .status
        case .help: nil
        }
    }

    var usage: String {
        switch self {
        case .status: "status"
        case .help: "help"
        }
    }

    var summary: String {
        switch self {
        case .status: AdminCommand.status.summary
        case .help: "list the commands"
        }
    }
}
