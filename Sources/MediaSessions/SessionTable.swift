import MediaControlProtocol
import MediaControlServer
import MediaEngine
import NFTables
import NFTRules

/// The media plane's sessions: the control protocol's session commands, executed on the relay
/// engine. Owned by the control thread, like the engine it drives: `handle` is the server's
/// responder and `engineReadable` its watch callback, both called on that thread only.
///
/// Create and update answer at once (the engine binds ports synchronously). Delete, query and
/// list answer later: the counters live in the workers and come back through `collectEvents`.
public final class SessionTable: @unchecked Sendable {
    /// What the table needs to know of each engine interface besides the engine itself.
    public struct Interface: Sendable, Equatable {
        public var name: String
        /// What SDP carries: the configured advertise address, else the bind address.
        public var advertise: String

        public init(name: String, advertise: String) {
            self.name = name
            self.advertise = advertise
        }
    }

    /// Unix seconds and CLOCK_MONOTONIC nanoseconds read together, to place engine timestamps.
    public struct Now: Sendable {
        public var wall: Double
        public var monotonicNanoseconds: UInt64

        public init(wall: Double, monotonicNanoseconds: UInt64) {
            self.wall = wall
            self.monotonicNanoseconds = monotonicNanoseconds
        }
    }

    struct Stream {
        var id: StreamID
        var spec: MediaControlProtocol.StreamSpec
        var allocation: StreamAllocation
    }

    struct Session {
        var created: Double
        /// In the order of the spec.
        var streams: [Stream]
    }

    /// A delete, query or list waiting for the engine's counters.
    struct Collection {
        enum Purpose {
            case refuse(ControlFailure)
            case delete(String, created: Double)
            case query(String, created: Double)
            case list
        }

        var purpose: Purpose
        /// Session id, creation time and stream index per stream, in reply order.
        var layout: [(session: String, created: Double, index: Int, id: StreamID, clockRate: UInt32)]
        var waiting: Set<StreamID>
        var figures: [StreamID: EngineStreamStatistics] = [:]
    }

    private let engine: MediaEngine
    private let interfaces: [String: Interface]
    let interfaceNames: Set<String>
    let engineTimeouts: TimeoutPolicy
    private let now: @Sendable () -> Now
    private var sessions: [String: Session] = [:]
    /// Which session and stream index each engine stream belongs to, for events.
    private var owners: [StreamID: (session: String, index: Int)] = [:]
    private var collections: [DeferredReply: Collection] = [:]
    private var nextStream: UInt64 = 1
    /// Pinholes for every allocated port, when palisade-media owns a firewall table.
    private let firewall: NFTMediaFirewall?
    /// Batches the kernel refused or that failed in transit (each followed by a rebuild of the
    /// table from the recorded state).
    public private(set) var firewallFailures: UInt64 = 0

    /// `firewall`: when given, every port a session allocates opens a pinhole (any source), which
    /// narrows to the latched peer once known and closes when the stream goes — one atomic batch
    /// per control command or per batch of engine events.
    public init(engine: MediaEngine, interfaces: [Interface], timeouts: TimeoutPolicy,
                firewall: NFTMediaFirewall? = nil, now: @escaping @Sendable () -> Now) {
        self.firewall = firewall
        self.engine = engine
        self.interfaces = Dictionary(interfaces.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.interfaceNames = Set(interfaces.map(\.name))
        self.engineTimeouts = timeouts
        self.now = now
    }

    public var sessionCount: Int { sessions.count }

    /// The responder for session commands; anything else is not the table's.
    public func handle(_ request: ControlRequest, ticket: DeferredReply) -> ControlAnswer {
        switch request.body {
        case .createSession(let spec): return answer(create(spec), ticket: ticket) { .created($0) }
        case .updateSession(let spec): return answer(update(spec), ticket: ticket) { .updated($0) }
        case .deleteSession(let reference): return delete(reference.session, ticket: ticket)
        case .querySession(let reference):
            guard let session = sessions[reference.session] else { return .now(.failure(Self.notFound(reference.session))) }
            return collect(.query(reference.session, created: session.created), [(reference.session, session)],
                           ticket: ticket)
        case .listSessions:
            return collect(.list, sessions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, ticket: ticket)
        case .banSource(let ban):
            return .now(self.ban(ban))
        case .hello, .ping, .status, .processMetrics:
            return .now(.failure(ControlFailure(.internalError, "\(request.command.rawValue) is not a session command")))
        }
    }

    /// A refusal after some streams were already added answers only once the engine has taken
    /// them back, so the ports are free again when the refusal arrives.
    private func answer(_ outcome: Outcome, ticket: DeferredReply,
                        _ body: (SessionAllocation) -> ControlReply.Body) -> ControlAnswer {
        switch outcome {
        case .success(let allocation): return .now(.success(body(allocation)))
        case .failure(let failure, let undoing) where undoing.isEmpty: return .now(.failure(failure))
        case .failure(let failure, let undoing):
            collections[ticket] = Collection(purpose: .refuse(failure), layout: [], waiting: undoing)
            return .later
        }
    }

    /// The watch callback on the engine's `notificationFD`: completes waiting requests and turns
    /// engine events into control events.
    public func engineReadable() -> [ControlOutput] {
        // Events first: the engine lists a worker's replies before its events, but an event was
        // usually raised before the request its batch answers.
        var outputs: [ControlOutput] = []
        var replies: [ControlOutput] = []
        var pinholes: [NFTChange] = []
        defer { applyPinholes(pinholes) }
        for event in engine.collectEvents() {
            switch event {
            case .statistics(let figures), .removed(let figures):
                if case .removed = event { owners[figures.id] = nil }
                arrived(figures, outputs: &replies)
            case .timedOut(let id, let idle, _):
                // The engine times a stream out when neither leg received; report it on both.
                guard let owner = owners[id] else { continue }
                for leg in LegName.allCases {
                    outputs.append(.event(.streamTimedOut(session: owner.session, stream: owner.index, leg: leg,
                                                          idleSeconds: Double(idle) / 1e9)))
                }
            case .srtpFailures(let id, let side, let count):
                guard let owner = owners[id] else { continue }
                outputs.append(.event(.srtpFailures(session: owner.session, stream: owner.index,
                                                    leg: side == .a ? .a : .b, count: count)))
            case .latched(let id, let record):
                guard let owner = owners[id], record.accepted else { continue }
                if firewall != nil, let port = localPort(owner, record),
                   let address = NFTAddress(record.source.addressText) {
                    pinholes.append(.narrowPinhole(localPort: port, peer: NFTPeer(address: address,
                                                                                   port: record.source.port)))
                }
                outputs.append(.event(.latched(session: owner.session, stream: owner.index,
                                               leg: record.side == .a ? .a : .b,
                                               from: Endpoint(address: record.source.addressText,
                                                              port: Int(record.source.port)),
                                               reason: Self.describe(record))))
            }
        }
        return outputs + replies
    }

    // MARK: create and update

    /// A result whose failure may still be undoing streams it added.
    enum Outcome {
        case success(SessionAllocation)
        case failure(ControlFailure, undoing: Set<StreamID>)

        static func refused(_ failure: ControlFailure) -> Outcome { .failure(failure, undoing: []) }
    }

    private func create(_ spec: SessionSpec) -> Outcome {
        guard sessions[spec.session] == nil else {
            return .refused(ControlFailure(.sessionExists, "session \(spec.session) exists; update it instead"))
        }
        var engineSpecs: [EngineStreamSpec] = []
        switch validate(spec) {
        case .failure(let failure): return .refused(failure)
        case .success: break
        }
        let resolved = spec.streams.map { Self.resolvingKeys($0, previous: nil) }
        for stream in resolved {
            switch engineSpec(stream, id: StreamID(nextStream + UInt64(engineSpecs.count))) {
            case .success(let converted): engineSpecs.append(converted)
            case .failure(let failure): return .refused(failure)
            }
        }
        switch add(engineSpecs, resolved) {
        case .failure(let failure, let undoing): return .failure(failure, undoing: undoing)
        case .success(let streams):
            sessions[spec.session] = Session(created: now().wall, streams: streams)
            for stream in streams { owners[stream.id] = (spec.session, stream.spec.index) }
            applyPinholes(streams.flatMap { Self.ports(of: $0.allocation).map(NFTChange.openPinhole) })
            return .success(SessionAllocation(session: spec.session, streams: streams.map(\.allocation)))
        }
    }

    private func update(_ spec: SessionSpec) -> Outcome {
        guard var session = sessions[spec.session] else { return .refused(Self.notFound(spec.session)) }
        switch validate(spec) {
        case .failure(let failure): return .refused(failure)
        case .success: break
        }
        let existing = Dictionary(session.streams.map { ($0.spec.index, $0) }, uniquingKeysWith: { first, _ in first })
        // Check every change before applying any, so a refused update leaves the session as it was.
        var added: [MediaControlProtocol.StreamSpec] = []
        var addedSpecs: [EngineStreamSpec] = []
        var changes: [(Stream, MediaControlProtocol.StreamSpec, EngineStreamSpec)] = []
        for wanted in spec.streams {
            let stream = Self.resolvingKeys(wanted, previous: existing[wanted.index]?.spec)
            if let old = existing[stream.index] {
                guard old.spec.a.interface == stream.a.interface, old.spec.b.interface == stream.b.interface,
                      old.spec.a.rtcpMux == stream.a.rtcpMux, old.spec.b.rtcpMux == stream.b.rtcpMux else {
                    return .refused(ControlFailure(.invalidSpec, "stream \(stream.index): the interface and rtcp-mux "
                        + "of a stream cannot change (its ports are kept); use a new stream index"))
                }
                switch engineSpec(stream, id: old.id) {
                case .success(let converted): changes.append((old, stream, converted))
                case .failure(let failure): return .refused(failure)
                }
            } else {
                switch engineSpec(stream, id: StreamID(nextStream + UInt64(addedSpecs.count))) {
                case .success(let converted):
                    added.append(stream)
                    addedSpecs.append(converted)
                case .failure(let failure): return .refused(failure)
                }
            }
        }
        let newStreams: [Stream]
        switch add(addedSpecs, added) {
        case .failure(let failure, let undoing): return .failure(failure, undoing: undoing)
        case .success(let streams): newStreams = streams
        }
        var kept: [Int: Stream] = [:]
        var pinholes: [NFTChange] = []
        defer { applyPinholes(pinholes) }
        for (old, stream, converted) in changes {
            var current = old
            // A new signalled address clears the engine's latch: the pinhole opens again until
            // the new peer latches.
            if old.spec.a.remote != stream.a.remote {
                pinholes += Self.ports(of: old.allocation.a).map(NFTChange.openPinhole)
            }
            if old.spec.b.remote != stream.b.remote {
                pinholes += Self.ports(of: old.allocation.b).map(NFTChange.openPinhole)
            }
            if old.spec != stream {
                let update = StreamUpdate(a: Self.legUpdate(converted.a), b: Self.legUpdate(converted.b),
                                          onHold: converted.onHold)
                if case .failure(let error) = engine.updateStream(old.id, update) {
                    // Only a full command queue fails here; the earlier streams keep their changes.
                    return .refused(ControlFailure(.internalError, "stream \(stream.index): \(error)"))
                }
                current.spec = stream
                current.allocation.a = Self.withKeys(current.allocation.a, stream.a)
                current.allocation.b = Self.withKeys(current.allocation.b, stream.b)
            }
            kept[stream.index] = current
        }
        let wanted = Set(spec.streams.map(\.index))
        for old in session.streams where !wanted.contains(old.spec.index) {
            // The `.removed` event that follows finds no collection waiting and is dropped.
            _ = engine.removeStream(old.id)
            pinholes += Self.ports(of: old.allocation).map(NFTChange.closePinhole)
        }
        for stream in newStreams {
            kept[stream.spec.index] = stream
            owners[stream.id] = (spec.session, stream.spec.index)
            pinholes += Self.ports(of: stream.allocation).map(NFTChange.openPinhole)
        }
        session.streams = spec.streams.compactMap { kept[$0.index] }
        sessions[spec.session] = session
        return .success(SessionAllocation(session: spec.session, streams: session.streams.map(\.allocation)))
    }

    enum Added {
        case success([Stream])
        case failure(ControlFailure, undoing: Set<StreamID>)
    }

    /// Adds streams all or nothing: on a failure, what was added is removed again (the returned
    /// ids, whose `.removed` events tell when their ports are free).
    private func add(_ specs: [EngineStreamSpec], _ wire: [MediaControlProtocol.StreamSpec]) -> Added {
        var added: [Stream] = []
        for (spec, stream) in zip(specs, wire) {
            switch engine.addStream(spec) {
            case .success(let ports):
                nextStream = max(nextStream, spec.id.rawValue + 1)
                added.append(Stream(id: spec.id, spec: stream, allocation: StreamAllocation(
                    index: stream.index, a: allocation(stream.a, ports.a), b: allocation(stream.b, ports.b))))
            case .failure(let error):
                var undoing: Set<StreamID> = []
                for stream in added where (try? engine.removeStream(stream.id).get()) != nil {
                    undoing.insert(stream.id)
                }
                nextStream = max(nextStream, spec.id.rawValue + 1)
                return .failure(Self.failure(error, stream: stream.index), undoing: undoing)
            }
        }
        return .success(added)
    }

    private func allocation(_ leg: MediaControlProtocol.LegSpec, _ ports: LegPorts) -> LegAllocation {
        let rtp = Int(ports.local.port)
        return Self.withKeys(LegAllocation(interface: leg.interface,
                                           address: interfaces[leg.interface]?.advertise ?? ports.local.addressText,
                                           rtpPort: rtp, rtcpPort: ports.rtcpPort.map(Int.init) ?? rtp), leg)
    }

    /// An SRTP leg's allocation carries its suite and palisade-media's key (given or generated)
    /// for the SDP towards that leg's peer; an RTP leg's carries neither.
    static func withKeys(_ allocation: LegAllocation, _ leg: MediaControlProtocol.LegSpec) -> LegAllocation {
        var result = allocation
        if case .srtp(let suite, let localKey, _) = leg.profile {
            result.suite = suite
            result.localKey = localKey
        } else {
            result.suite = nil
            result.localKey = nil
        }
        return result
    }

    // MARK: delete, query, list

    private func delete(_ name: String, ticket: DeferredReply) -> ControlAnswer {
        guard let session = sessions.removeValue(forKey: name) else { return .now(.failure(Self.notFound(name))) }
        applyPinholes(session.streams.flatMap { Self.ports(of: $0.allocation).map(NFTChange.closePinhole) })
        var collection = Collection(purpose: .delete(name, created: session.created), layout: [], waiting: [])
        for stream in session.streams {
            collection.layout.append((name, session.created, stream.spec.index, stream.id, 8000))
            if case .success = engine.removeStream(stream.id) { collection.waiting.insert(stream.id) }
        }
        return start(collection, ticket: ticket)
    }

    private func collect(_ purpose: Collection.Purpose, _ chosen: [(String, Session)],
                         ticket: DeferredReply) -> ControlAnswer {
        var collection = Collection(purpose: purpose, layout: [], waiting: [])
        for (name, session) in chosen {
            for stream in session.streams {
                collection.layout.append((name, session.created, stream.spec.index, stream.id, 8000))
                if case .success = engine.requestStatistics(stream.id) { collection.waiting.insert(stream.id) }
            }
        }
        return start(collection, ticket: ticket)
    }

    private func start(_ collection: Collection, ticket: DeferredReply) -> ControlAnswer {
        guard collection.waiting.isEmpty else {
            collections[ticket] = collection
            return .later
        }
        return .now(.success(reply(collection)))
    }

    private func arrived(_ figures: EngineStreamStatistics, outputs: inout [ControlOutput]) {
        for (ticket, var collection) in collections where collection.waiting.contains(figures.id) {
            collection.waiting.remove(figures.id)
            collection.figures[figures.id] = figures
            if collection.waiting.isEmpty {
                collections[ticket] = nil
                if case .refuse(let failure) = collection.purpose {
                    outputs.append(.reply(ticket, .failure(failure)))
                } else {
                    outputs.append(.reply(ticket, .success(reply(collection))))
                }
            } else {
                collections[ticket] = collection
            }
        }
    }

    private func reply(_ collection: Collection) -> ControlReply.Body {
        let current = now()
        var bySession: [(String, Double, [MediaControlProtocol.StreamStatistics])] = []
        for entry in collection.layout {
            let figures = collection.figures[entry.id]
            let stream = MediaControlProtocol.StreamStatistics(
                index: entry.index,
                a: Self.legFigures(figures?.a, side: .a, log: figures?.latchLog ?? [], clockRate: entry.clockRate,
                                   now: current),
                b: Self.legFigures(figures?.b, side: .b, log: figures?.latchLog ?? [], clockRate: entry.clockRate,
                                   now: current))
            if let last = bySession.indices.last, bySession[last].0 == entry.session {
                bySession[last].2.append(stream)
            } else {
                bySession.append((entry.session, entry.created, [stream]))
            }
        }
        switch collection.purpose {
        case .refuse:
            preconditionFailure("a refusal has no statistics")
        case .delete(let name, let created), .query(let name, let created):
            let streams = bySession.first?.2 ?? []
            let statistics = SessionStatistics(session: name, created: created, streams: streams)
            if case .delete = collection.purpose { return .deleted(statistics) }
            return .queried(statistics)
        case .list:
            var listed: [SessionStatistics] = bySession.map { name, created, streams in
                SessionStatistics(session: name, created: created, streams: streams,
                                  local: localAddresses(name, streams: streams), workers: workers(name, streams: streams))
            }
            // Sessions without streams have no layout entry; list them too.
            let named = Set(listed.map(\.session))
            for (name, session) in sessions where !named.contains(name) && session.streams.isEmpty {
                listed.append(SessionStatistics(session: name, created: session.created, streams: []))
            }
            return .listed(SessionList(sessions: listed.sorted { $0.session < $1.session }))
        }
    }

    /// Palisade's own address and ports of each listed stream, the keys left out: they stay where
    /// they were handed out (the create and update replies).
    private func localAddresses(_ name: String, streams: [MediaControlProtocol.StreamStatistics]) -> [StreamAllocation] {
        let allocations: [StreamAllocation] = sessions[name]?.streams.map { $0.allocation } ?? []
        return streams.compactMap { stream -> StreamAllocation? in
            guard var allocation = allocations.first(where: { $0.index == stream.index }) else { return nil }
            allocation.a.localKey = nil
            allocation.b.localKey = nil
            return allocation
        }
    }

    /// The worker relaying each listed stream (-1 for one the engine no longer places).
    private func workers(_ name: String, streams: [MediaControlProtocol.StreamStatistics]) -> [Int] {
        let ids = sessions[name]?.streams ?? []
        return streams.map { stream in
            ids.first { $0.spec.index == stream.index }.flatMap { engine.worker(of: $0.id) } ?? -1
        }
    }

    // MARK: pinholes

    static func ports(of leg: LegAllocation) -> [UInt16] {
        let ports = leg.rtcpPort == leg.rtpPort ? [leg.rtpPort] : [leg.rtpPort, leg.rtcpPort]
        return ports.compactMap { UInt16(exactly: $0) }
    }

    static func ports(of stream: StreamAllocation) -> [UInt16] { ports(of: stream.a) + ports(of: stream.b) }

    /// The local port a latch record is about: the leg's RTP port, or its RTCP port when the
    /// record is for a separate RTCP socket.
    private func localPort(_ owner: (session: String, index: Int), _ record: LatchRecord) -> UInt16? {
        guard let stream = sessions[owner.session]?.streams.first(where: { $0.spec.index == owner.index }) else {
            return nil
        }
        let leg = record.side == .a ? stream.allocation.a : stream.allocation.b
        return UInt16(exactly: record.channel == .rtcp ? leg.rtcpPort : leg.rtpPort)
    }

    /// One batch for everything one command or one batch of events changed. A batch that fails
    /// is counted, and the table is rebuilt from the state the kernel last accepted.
    private func applyPinholes(_ changes: [NFTChange]) {
        guard let firewall, !changes.isEmpty else { return }
        do {
            try firewall.apply(changes)
        } catch {
            firewallFailures += 1
            try? firewall.setUp()
        }
    }

    /// Puts a source in the ban set (every packet from it dropped until the timeout passes);
    /// refused with a clear failure when palisade-media does not own a firewall table.
    private func ban(_ ban: SourceBan) -> Result<ControlReply.Body, ControlFailure> {
        guard let firewall else {
            return .failure(ControlFailure(.firewallDisabled, "media.firewall is off: palisade-media does not program nftables"))
        }
        guard let address = NFTAddress(ban.address) else {
            return .failure(ControlFailure(.invalidSpec, "ban-source: '\(ban.address)' is not an IP address"))
        }
        guard (1...86_400).contains(ban.seconds) else {
            return .failure(ControlFailure(.invalidSpec, "ban-source: seconds must be 1...86400, not \(ban.seconds)"))
        }
        do {
            try firewall.apply([.ban(address, timeout: .seconds(ban.seconds))])
        } catch {
            firewallFailures += 1
            return .failure(ControlFailure(.internalError, "ban-source \(ban.address): \(error)"))
        }
        return .success(.banned(ban))
    }

    static func notFound(_ name: String) -> ControlFailure {
        ControlFailure(.sessionNotFound, "no session \(name)")
    }
}
