public struct AdminRequest: Codable, Sendable, Equatable {
    public var id: UInt64
    public var command: AdminCommand
    /// The words after the command (`log level debug` → `["debug"]`); left out of the JSON when empty.
    public var arguments: [String]

    public init(id: UInt64, command: AdminCommand, arguments: [String] = []) {
        self.id = id
        self.command = command
        self.arguments = arguments
    }

    private enum Key: String, CodingKey { case id, command, arguments }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        id = try c.decode(UInt64.self, forKey: .id)
        command = try c.decode(AdminCommand.self, forKey: .command)
        arguments = try c.decodeIfPresent([String].self, forKey: .arguments) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(id, forKey: .id)
        try c.encode(command, forKey: .command)
        if !arguments.isEmpty { try c.encode(arguments, forKey: .arguments) }
    }
}

/// A refusal on the admin socket. Equal on its code.
public struct AdminFailure: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Codable, Sendable {
        case unknownCommand = "unknown-command"
        case malformed
        case unavailable
        /// The command's arguments are wrong (`log level loud`).
        case badArgument = "bad-argument"
        /// `config reload` of a file that does not validate; the message holds every error.
        case invalidConfiguration = "invalid-configuration"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func == (lhs: AdminFailure, rhs: AdminFailure) -> Bool { lhs.code == rhs.code }
    public var description: String { message }
}

/// One daemon's identity and age.
public struct ProcessReport: Codable, Sendable, Equatable {
    public var software: String
    public var pid: Int32
    /// Unix seconds.
    public var startTime: Double
    public var uptimeSeconds: Double

    public init(software: String, pid: Int32, startTime: Double, uptimeSeconds: Double) {
        self.software = software
        self.pid = pid
        self.startTime = startTime
        self.uptimeSeconds = uptimeSeconds
    }
}

public struct MediaPlaneReport: Codable, Sendable, Equatable {
    public var connected: Bool
    /// Unix seconds of the last change between connected and not.
    public var since: Double
    public var controlSocket: String
    /// The media daemon, when connected.
    public var process: ProcessReport?
    /// Why the last attempt failed, when not connected.
    public var lastError: String?
    /// Successful connections after the first.
    public var reconnects: Int
    /// The media plane's packet workers, when connected and palisade-media reports them.
    public var workers: [MediaWorkerReport]?

    public init(connected: Bool, since: Double, controlSocket: String, process: ProcessReport?, lastError: String?,
                reconnects: Int, workers: [MediaWorkerReport]? = nil) {
        self.connected = connected
        self.since = since
        self.controlSocket = controlSocket
        self.process = process
        self.lastError = lastError
        self.reconnects = reconnects
        self.workers = workers
    }
}

/// One packet worker of palisade-media. Totals count since palisade-media started; `relayedPerSecond`
/// is over `rateIntervalSeconds`: since the previous status palisade-media answered (any client),
/// or since it started.
public struct MediaWorkerReport: Codable, Sendable, Equatable {
    public var worker: Int
    public var streams: Int
    public var receivedPackets: UInt64
    public var relayedPackets: UInt64
    public var droppedPackets: UInt64
    public var relayedPerSecond: Double
    public var rateIntervalSeconds: Double

    public init(worker: Int, streams: Int, receivedPackets: UInt64, relayedPackets: UInt64, droppedPackets: UInt64,
                relayedPerSecond: Double, rateIntervalSeconds: Double) {
        self.worker = worker
        self.streams = streams
        self.receivedPackets = receivedPackets
        self.relayedPackets = relayedPackets
        self.droppedPackets = droppedPackets
        self.relayedPerSecond = relayedPerSecond
        self.rateIntervalSeconds = rateIntervalSeconds
    }
}

/// One bound SIP listener: where to point a phone or a trunk.
public struct SIPListenerReport: Codable, Sendable, Equatable {
    public var realm: String
    /// "udp", "tcp" or "tls".
    public var transport: String
    /// The bound address ("127.0.0.1:5060", "[::1]:5061"), with the real port when 0 was configured.
    public var address: String
    /// What goes into Via, Contact and Record-Route.
    public var advertised: String

    public init(realm: String, transport: String, address: String, advertised: String) {
        self.realm = realm
        self.transport = transport
        self.address = address
        self.advertised = advertised
    }
}

public struct StatusReport: Codable, Sendable, Equatable {
    public var signal: ProcessReport
    public var media: MediaPlaneReport
    public var adminSocket: String
    /// The bound /metrics address ("127.0.0.1:9477"), nil when metrics are disabled.
    public var metricsAddress: String?
    public var sipListeners: [SIPListenerReport]
    /// Calls, registrations and drain (absent from a palisade-signal older than drain).
    public var traffic: TrafficReport?

    public init(signal: ProcessReport, media: MediaPlaneReport, adminSocket: String, metricsAddress: String?,
                sipListeners: [SIPListenerReport] = [], traffic: TrafficReport? = nil) {
        self.traffic = traffic
        self.signal = signal
        self.media = media
        self.adminSocket = adminSocket
        self.metricsAddress = metricsAddress
        self.sipListeners = sipListeners
    }
}

/// `log level [LEVEL]`: the level before and after (equal when only asked).
public struct LogLevelReport: Codable, Sendable, Equatable {
    public var previous: String
    public var current: String

    public init(previous: String, current: String) {
        self.previous = previous
        self.current = current
    }
}

/// `config reload` (and SIGHUP): what the new file changed, and what became of each change.
public struct ReloadReport: Codable, Sendable, Equatable {
    public var file: String
    /// Changes in effect now, in words (`log.level: info → debug`, `TLS certificates read again`).
    public var applied: [String]
    /// Sections whose changes wait for a restart (`[sip]`), with the running values kept meanwhile.
    public var restartNeeded: [String]

    public init(file: String, applied: [String], restartNeeded: [String]) {
        self.file = file
        self.applied = applied
        self.restartNeeded = restartNeeded
    }
}

/// What palisade-signal carries now, and whether it takes more (`drain`, `undrain`, `status`).
public struct TrafficReport: Codable, Sendable, Equatable {
    /// New calls and registrations refused with 503 while calls in progress go on.
    public var draining: Bool
    public var activeCalls: Int
    public var registrations: Int

    public init(draining: Bool, activeCalls: Int, registrations: Int) {
        self.draining = draining
        self.activeCalls = activeCalls
        self.registrations = registrations
    }
}

/// One call of `calls list`.
public struct CallSummary: Codable, Sendable, Equatable {
    /// Palisade's id of the call (also the media session's).
    public var id: String
    /// calling, confirmed, ending.
    public var state: String
    public var callerRealm: String
    public var calleeRealm: String
    /// The caller's user (From) and the dialled user (Request-URI), when they have one.
    public var caller: String?
    public var callee: String?
    public var callIDA: String
    public var callIDB: String
    /// Where the caller's INVITE came from, as seen on the wire: `udp 192.0.2.7:5060`.
    public var callerFlow: String
    public var ageSeconds: Double

    public init(id: String, state: String, callerRealm: String, calleeRealm: String, caller: String?, callee: String?,
                callIDA: String, callIDB: String, callerFlow: String, ageSeconds: Double) {
        self.id = id
        self.state = state
        self.callerRealm = callerRealm
        self.calleeRealm = calleeRealm
        self.caller = caller
        self.callee = callee
        self.callIDA = callIDA
        self.callIDB = callIDB
        self.callerFlow = callerFlow
        self.ageSeconds = ageSeconds
    }
}

/// One binding of `registrations list`.
public struct RegistrationSummary: Codable, Sendable, Equatable {
    public var aor: String
    /// The Contact the phone registered.
    public var contact: String
    /// Where requests to it go: through its flow, `udp 203.0.113.5:41234` in realm `realm`.
    public var flow: String
    public var realm: String
    /// The Contact differs from the wire address (a phone behind NAT).
    public var behindNAT: Bool
    public var expiresInSeconds: Double
    /// A binding of the registration relay: Palisade's Contact for it at the core registrar
    /// (`sip:<token>@<core address>`); nil for the embedded registrar's bindings.
    public var relayedAs: String?

    public init(aor: String, contact: String, flow: String, realm: String, behindNAT: Bool, expiresInSeconds: Double,
                relayedAs: String? = nil) {
        self.relayedAs = relayedAs
        self.aor = aor
        self.contact = contact
        self.flow = flow
        self.realm = realm
        self.behindNAT = behindNAT
        self.expiresInSeconds = expiresInSeconds
    }
}

/// One leg of one media stream for `media streams`: where it latched and why, what arrived, what
/// was dropped and why — the first questions of a one-way-audio ticket.
public struct MediaLegSummary: Codable, Sendable, Equatable {
    /// The media session (the call's id) and the stream's index in it.
    public var session: String
    public var stream: Int
    /// "a" (the caller's side) or "b".
    public var leg: String
    /// The peer address media is latched to ("192.0.2.7:4000"), nil before any packet.
    public var latched: String?
    public var latchReason: String?
    /// Received from the peer on this leg and accepted.
    public var packets: UInt64
    public var bytes: UInt64
    public var lost: UInt64
    public var jitterMilliseconds: Double
    /// Dropped packets by reason (auth-failure, replay, unknown-source, malformed, no-route).
    public var drops: [String: UInt64]
    /// Seconds since the last accepted packet, nil before the first.
    public var idleSeconds: Double?
    /// Where this leg's SDP asked for media (`calls show` only; left out of `media streams`).
    public var advertised: String?

    public init(session: String, stream: Int, leg: String, latched: String?, latchReason: String?, packets: UInt64,
                bytes: UInt64, lost: UInt64, jitterMilliseconds: Double, drops: [String: UInt64], idleSeconds: Double?,
                advertised: String? = nil) {
        self.advertised = advertised
        self.session = session
        self.stream = stream
        self.leg = leg
        self.latched = latched
        self.latchReason = latchReason
        self.packets = packets
        self.bytes = bytes
        self.lost = lost
        self.jitterMilliseconds = jitterMilliseconds
        self.drops = drops
        self.idleSeconds = idleSeconds
    }
}

public struct AdminReply: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        case status(StatusReport)
        case logLevel(LogLevelReport)
        case reload(ReloadReport)
        case traffic(TrafficReport)
        case calls([CallSummary])
        /// `calls hangup`: the call as it was when the hangup was ordered.
        case hungUp(CallSummary)
        case registrations([RegistrationSummary])
        case mediaStreams([MediaLegSummary])
        case callDetail(CallDetail)
        /// `registrations show` (`removed` false) and `registrations remove` (true).
        case registration(RegistrationDetail)
        case flows([FlowSummary])
        case mediaSessions([MediaSessionSummary])
        case certificates([TLSCertificateReport])
    }

    public var id: UInt64
    public var result: Result<Body, AdminFailure>

    public init(id: UInt64, _ result: Result<Body, AdminFailure>) {
        self.id = id
        self.result = result
    }
}
