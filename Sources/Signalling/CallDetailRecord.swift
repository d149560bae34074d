import MediaControlProtocol

/// What Palisade knows of a call once it ended (issue 6, item 10): written as one JSON line per
/// call by a `CallRecordSink` (palisade-signal's file writer, `signal.call_records`).
public struct CallDetailRecord: Codable, Sendable, Equatable {
    /// Who ended the call.
    public enum EndedBy: String, Codable, Sendable {
        case caller, callee, palisade, `operator`
    }

    /// Per media stream and leg, the counters palisade-media returned when the session was
    /// deleted, in the direction received from that leg's peer.
    public struct Media: Codable, Sendable, Equatable {
        public var stream: Int
        public var leg: LegName
        public var packets: UInt64
        public var bytes: UInt64
        public var lost: UInt64
        public var jitterMilliseconds: Double
        public var drops: [String: UInt64]
        public var latched: String?
    }

    /// Palisade's id of the call (`palisadectl calls`).
    public var id: String
    public var callIDA: String
    public var callIDB: String
    public var callerRealm: String
    public var calleeRealm: String
    public var caller: String?
    public var callee: String?
    /// Unix seconds: the caller's INVITE, Palisade's 2xx to it (nil: never answered), the end.
    public var started: Double
    public var answered: Double?
    public var ended: Double
    /// Seconds from answer to end; 0 for a call never answered.
    public var durationSeconds: Double
    /// "caller-bye", "callee-bye", "cancelled", "media-timeout", "operator", or the final status
    /// the caller got ("486", "408", "503").
    public var cause: String
    public var endedBy: EndedBy
    /// Empty when the call never reached the media plane.
    public var media: [Media]

    public init(id: String, callIDA: String, callIDB: String, callerRealm: String, calleeRealm: String,
                caller: String?, callee: String?, started: Double, answered: Double?, ended: Double,
                cause: String, endedBy: EndedBy, media: [Media]) {
        self.id = id
        self.callIDA = callIDA
        self.callIDB = callIDB
        self.callerRealm = callerRealm
        self.calleeRealm = calleeRealm
        self.caller = caller
        self.callee = callee
        self.started = started
        self.answered = answered
        self.ended = ended
        self.durationSeconds = answered.map { max(0, ended - $0) } ?? 0
        self.cause = cause
        self.endedBy = endedBy
        self.media = media
    }

    /// The media part from a deleted session's final statistics.
    public static func media(_ statistics: SessionStatistics?) -> [Media] {
        (statistics?.streams ?? []).flatMap { stream in
            [(LegName.a, stream.a), (.b, stream.b)].map { leg, counters in
                Media(stream: stream.index, leg: leg, packets: counters.packets, bytes: counters.bytes,
                      lost: counters.lost, jitterMilliseconds: counters.jitterMilliseconds, drops: counters.drops,
                      latched: counters.latched.map { "\($0.address):\($0.port)" })
            }
        }
    }

    /// Who ended a call, from how it ended, where the cause alone says it.
    public static func endedBy(cause: String) -> EndedBy {
        switch cause {
        case "caller-bye", "cancelled": .caller
        case "callee-bye": .callee
        case "operator": .operator
        default: .palisade
        }
    }
}

/// Where finished calls go. Called on the call's own queue, once per call; must not block for
/// long (a file append).
public protocol CallRecordSink: Sendable {
    func record(_ call: CallDetailRecord)
}
