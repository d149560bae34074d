import AdminProtocol

/// palisadectl's command table: dispatch and `help` both read it.
enum CtlCommand: String, CaseIterable {
    case status
    case sipCheck = "sip check"
    case configCheck = "config check"
    case configReload = "config reload"
    case logLevel = "log level"
    case drain
    case undrain
    case callsList = "calls list"
    case callsShow = "calls show"
    case callsHangup = "calls hangup"
    case registrationsList = "registrations list"
    case registrationsShow = "registrations show"
    case registrationsRemove = "registrations remove"
    case flowsList = "flows list"
    case mediaSessions = "media sessions"
    case mediaStreams = "media streams"
    case tlsCertificates = "tls certificates"
    case help

    /// The words that name the command on the command line.
    var words: [String] { rawValue.split(separator: " ").map(String.init) }

    /// What the daemon is asked, for commands answered by palisade-signal; nil for local ones.
    var adminCommand: AdminCommand? {
        switch self {
        case .status: .status
        case .configReload: .configReload
        case .logLevel: .logLevel
        case .drain: .drain
        case .undrain: .undrain
        case .callsList: .callsList
        case .callsHangup: .callsHangup
        case .registrationsList: .registrationsList
        case .mediaStreams: .mediaStreams
        case .callsShow: .callsShow
        case .registrationsShow: .registrationsShow
        case .registrationsRemove: .registrationsRemove
        case .flowsList: .flowsList
        case .mediaSessions: .mediaSessions
        case .tlsCertificates: .tlsCertificates
        case .sipCheck, .configCheck, .help: nil
        }
    }

    var usage: String {
        switch self {
        case .status: "status"
        case .sipCheck: "sip check FILE..."
        case .configCheck: "config check FILE..."
        case .configReload: "config reload"
        case .logLevel: "log level [LEVEL]"
        case .drain: "drain"
        case .undrain: "undrain"
        case .callsList: "calls list [--realm R] [--user U] [--min-age SECONDS]"
        case .callsShow: "calls show ID"
        case .registrationsShow: "registrations show AOR"
        case .registrationsRemove: "registrations remove AOR [CONTACT]"
        case .flowsList: "flows list"
        case .mediaSessions: "media sessions"
        case .tlsCertificates: "tls certificates"
        case .callsHangup: "calls hangup ID"
        case .registrationsList: "registrations list"
        case .mediaStreams: "media streams"
        case .help: "help"
        }
    }

    var summary: String {
        switch self {
        case .status, .configReload, .logLevel, .drain, .undrain, .callsList, .callsShow, .callsHangup,
             .registrationsList, .registrationsShow, .registrationsRemove, .flowsList, .mediaSessions, .mediaStreams,
             .tlsCertificates:
            adminCommand?.summary ?? ""
        case .sipCheck: "parse each file as one SIP message exactly as the signalling would; print accept, "
            + "the status it would answer, or drop (no daemon needed; exit 1 unless every file is accepted)"
        case .configCheck: "validate configuration files as the daemons would at start or reload; every error "
            + "names key and line (no daemon needed; exit 1 unless every file is valid)"
        case .help: "list the commands"
        }
    }

    /// Options a command takes after its words, each followed by a value (`--realm R` or `--realm=R`).
    var options: [String] {
        switch self {
        case .callsList: ["--realm", "--user", "--min-age"]
        default: []
        }
    }

    /// The command named by the leading words, and the words after it.
    static func resolve(_ words: [String]) -> (CtlCommand, [String])? {
        allCases.sorted { $0.words.count > $1.words.count }
            .first { Array(words.prefix($0.words.count)) == $0.words }
            .map { ($0, Array(words.dropFirst($0.words.count))) }
    }
}
