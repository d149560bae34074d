/// The first request on a connection.
public struct Hello: Codable, Sendable, Equatable {
    public var protocolVersion: Int
    /// Software version of the sender, e.g. "0.1.0".
    public var software: String
    public var pid: Int32
    /// Who is speaking: "palisade-signal" or "palisade-media".
    public var role: String

    public init(protocolVersion: Int = MediaControlProtocolVersion.current, software: String, pid: Int32,
                role: String) {
        self.protocolVersion = protocolVersion
        self.software = software
        self.pid = pid
        self.role = role
    }
}

public struct Pong: Codable, Sendable, Equatable {
    /// The media plane's wall clock, Unix seconds.
    public var time: Double
    public init(time: Double) { self.time = time }
}

public struct MediaStatus: Codable, Sendable, Equatable {
    public var software: String
    public var pid: Int32
    /// Unix seconds.
    public var startTime: Double
    public var uptimeSeconds: Double
    /// Packet worker threads running (the relay engine arrives with the media plane issue).
    public var workers: Int
    /// Media sessions (calls) held.
    public var sessions: Int
    /// Per packet worker: its totals and relay rate. Absent from a palisade-media that predates it.
    public var workerPackets: [WorkerPackets]?

    public init(software: String, pid: Int32, startTime: Double, uptimeSeconds: Double, workers: Int,
                sessions: Int, workerPackets: [WorkerPackets]? = nil) {
        self.software = software
        self.pid = pid
        self.startTime = startTime
        self.uptimeSeconds = uptimeSeconds
        self.workers = workers
        self.sessions = sessions
        self.workerPackets = workerPackets
    }
}

/// One packet worker's figures in a status reply. Totals count since palisade-media started; the
/// rate is relayed packets per second over `rateIntervalSeconds`: the time since the previous
/// status request palisade-media answered (from any client), or since it started for the first.
public struct WorkerPackets: Codable, Sendable, Equatable {
    public var worker: Int
    public var streams: Int
    public var receivedPackets: UInt64
    public var relayedPackets: UInt64
    /// Every drop reason together.
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

/// Process figures of palisade-media, as the wire carries them (kept apart from the metrics
/// model so the wire format stays fixed while the exposition evolves).
public struct ProcessFigures: Codable, Sendable, Equatable {
    public var startTimeSeconds: Double
    public var residentMemoryBytes: Int
    public var virtualMemoryBytes: Int
    public var openFileDescriptors: Int
    public var maxFileDescriptors: Int
    public var cpuSecondsTotal: Double
    /// Added in 0.1 without a version change (absent from older palisade-media): the relay
    /// engine's counters per packet worker.
    public var relayWorkers: [RelayWorkerFigures]?
    /// Added later, also without a version change: each media interface's port pool.
    public var portPools: [PortPoolFigures]?

    public init(startTimeSeconds: Double, residentMemoryBytes: Int, virtualMemoryBytes: Int,
                openFileDescriptors: Int, maxFileDescriptors: Int, cpuSecondsTotal: Double,
                relayWorkers: [RelayWorkerFigures]? = nil, portPools: [PortPoolFigures]? = nil) {
        self.portPools = portPools
        self.startTimeSeconds = startTimeSeconds
        self.residentMemoryBytes = residentMemoryBytes
        self.virtualMemoryBytes = virtualMemoryBytes
        self.openFileDescriptors = openFileDescriptors
        self.maxFileDescriptors = maxFileDescriptors
        self.cpuSecondsTotal = cpuSecondsTotal
        self.relayWorkers = relayWorkers
    }
}

/// One media interface's port pool (its realm's `port_min`…`port_max`), in RTP/RTCP port pairs.
public struct PortPoolFigures: Codable, Sendable, Equatable {
    /// The interface, named after its realm.
    public var interface: String
    public var pairsInUse: Int
    public var pairsTotal: Int

    public init(interface: String, pairsInUse: Int, pairsTotal: Int) {
        self.interface = interface
        self.pairsInUse = pairsInUse
        self.pairsTotal = pairsTotal
    }
}

/// One packet worker's counters since palisade-media started. `drops` is keyed by the names of
/// `DropReason` (plus `send-failure`), zero counts included.
public struct RelayWorkerFigures: Codable, Sendable, Equatable {
    public var worker: Int
    public var streams: UInt64
    public var receivedPackets: UInt64
    public var relayedPackets: UInt64
    public var drops: [String: UInt64]
    /// Bytes in (received from peers) and out (handed to the kernel); absent from older media planes.
    public var receivedBytes: UInt64?
    public var relayedBytes: UInt64?

    public init(worker: Int, streams: UInt64, receivedPackets: UInt64, relayedPackets: UInt64,
                drops: [String: UInt64], receivedBytes: UInt64? = nil, relayedBytes: UInt64? = nil) {
        self.receivedBytes = receivedBytes
        self.relayedBytes = relayedBytes
        self.worker = worker
        self.streams = streams
        self.receivedPackets = receivedPackets
        self.relayedPackets = relayedPackets
        self.drops = drops
    }
}

/// A refusal. Equal on its code.
public struct ControlFailure: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Codable, Sendable {
        case versionMismatch = "version-mismatch"
        case handshakeRequired = "handshake-required"
        case unknownCommand = "unknown-command"
        case malformed
        case internalError = "internal-error"
        case sessionNotFound = "session-not-found"
        case sessionExists = "session-exists"
        case portsExhausted = "ports-exhausted"
        case invalidSpec = "invalid-spec"
        /// A request id seen before with a different request: ids must not be reused.
        case idReused = "id-reused"
        /// A firewall command while palisade-media does not program nftables (`media.firewall`).
        case firewallDisabled = "firewall-disabled"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func == (lhs: ControlFailure, rhs: ControlFailure) -> Bool { lhs.code == rhs.code }
    public var description: String { "\(code.rawValue): \(message)" }
}

public struct ControlRequest: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        case hello(Hello)
        case ping
        case status
        case processMetrics
        case createSession(SessionSpec)
        case updateSession(SessionSpec)
        case deleteSession(SessionReference)
        case querySession(SessionReference)
        case listSessions
        case banSource(SourceBan)
    }

    public var id: UInt64
    public var body: Body

    public init(id: UInt64, _ body: Body) {
        self.id = id
        self.body = body
    }

    public var command: ControlCommand {
        switch body {
        case .hello: .hello
        case .ping: .ping
        case .status: .status
        case .processMetrics: .processMetrics
        case .createSession: .createSession
        case .updateSession: .updateSession
        case .deleteSession: .deleteSession
        case .querySession: .querySession
        case .listSessions: .listSessions
        case .banSource: .banSource
        }
    }
}

public struct ControlReply: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        case hello(Hello)
        case pong(Pong)
        case status(MediaStatus)
        case processMetrics(ProcessFigures)
        case created(SessionAllocation)
        case updated(SessionAllocation)
        /// The session's final figures.
        case deleted(SessionStatistics)
        case queried(SessionStatistics)
        case listed(SessionList)
        /// The ban as applied.
        case banned(SourceBan)

        /// The command this body answers (one body kind per command).
        public var command: ControlCommand {
            switch self {
            case .hello: .hello
            case .pong: .ping
            case .status: .status
            case .processMetrics: .processMetrics
            case .created: .createSession
            case .updated: .updateSession
            case .deleted: .deleteSession
            case .queried: .querySession
            case .listed: .listSessions
            case .banned: .banSource
            }
        }
    }

    public var id: UInt64
    public var result: Result<Body, ControlFailure>

    public init(id: UInt64, _ result: Result<Body, ControlFailure>) {
        self.id = id
        self.result = result
    }

    public static func success(id: UInt64, _ body: Body) -> ControlReply { ControlReply(id: id, .success(body)) }
    public static func failure(id: UInt64, _ failure: ControlFailure) -> ControlReply {
        ControlReply(id: id, .failure(failure))
    }
}

/// Anything that travels on the control connection.
public enum ControlMessage: Sendable, Equatable {
    case request(ControlRequest)
    case reply(ControlReply)
    case event(MediaEvent)
}
