/// The hand-written codec of the messages every call exchanges (`create-session`, `update-session`,
/// `delete-session` and their replies, `query-session`, the body-less requests, `ping`/pong and
/// every failure reply), byte-identical to the Codable conformances through JSONEncoder with
/// `.sortedKeys` and accepting what JSONDecoder accepts (HotCodecEquivalenceTests prove both against
/// the Foundation coder on the fixtures, on seeded random values and on mutated inputs).
///
/// Keys are written in the byte order JSONEncoder sorts them in (UTF-8, lexicographic), optionals
/// that are nil are left out (the synthesized `encodeIfPresent`), and a dictionary's keys are sorted
/// at run time. Every other message goes through the Foundation coder.
enum HotMessageCoding {
    // MARK: Encoding

    /// Appends the message's JSON, or returns false (leaving `out` as it found it) for a message
    /// this codec does not handle or a value JSONEncoder would refuse (a non-finite Double).
    static func encode(_ message: ControlMessage, into bytes: inout [UInt8]) -> Bool {
        guard isHot(message) else { return false }
        let mark = bytes.count
        var out = JSONOutput(bytes: [])
        swap(&out.bytes, &bytes)
        write(message, &out)
        swap(&out.bytes, &bytes)
        if out.refused {
            bytes.removeSubrange(mark...)
            return false
        }
        return true
    }

    static func isHot(_ message: ControlMessage) -> Bool {
        switch message {
        case .request(let request):
            switch request.body {
            case .ping, .status, .processMetrics, .listSessions, .createSession, .updateSession, .deleteSession,
                 .querySession: true
            case .hello, .banSource: false
            }
        case .reply(let reply):
            switch reply.result {
            case .failure: true
            case .success(let body):
                switch body {
                case .pong, .created, .updated, .deleted, .queried: true
                case .hello, .status, .processMetrics, .listed, .banned: false
                }
            }
        case .event: false
        }
    }

    private static func write(_ message: ControlMessage, _ out: inout JSONOutput) {
        switch message {
        case .request(let request):
            // body, command, id, kind
            switch request.body {
            case .createSession(let spec), .updateSession(let spec):
                out.key("body", first: true)
                spec.write(&out)
                out.key("command")
            case .deleteSession(let reference), .querySession(let reference):
                out.key("body", first: true)
                reference.write(&out)
                out.key("command")
            case .ping, .status, .processMetrics, .listSessions, .hello, .banSource:
                out.key("command", first: true)
            }
            out.string(request.command.rawValue)
            out.key("id")
            out.integer(request.id)
            out.key("kind")
            out.raw("\"request\"}")
        case .reply(let reply):
            switch reply.result {
            case .success(let body):
                // body, command, id, kind, ok
                out.key("body", first: true)
                switch body {
                case .pong(let pong):
                    out.key("time", first: true)
                    out.double(pong.time)
                    out.close()
                case .created(let allocation), .updated(let allocation): allocation.write(&out)
                case .deleted(let statistics), .queried(let statistics): statistics.write(&out)
                case .hello, .status, .processMetrics, .listed, .banned: preconditionFailure("not a hot message")
                }
                out.key("command")
                out.string(body.command.rawValue)
                out.key("id")
                out.integer(reply.id)
                out.raw(",\"kind\":\"reply\",\"ok\":true}")
            case .failure(let failure):
                // error, id, kind, ok
                out.key("error", first: true)
                out.key("code", first: true)
                out.string(failure.code.rawValue)
                out.key("message")
                out.string(failure.message)
                out.close()
                out.key("id")
                out.integer(reply.id)
                out.raw(",\"kind\":\"reply\",\"ok\":false}")
            }
        case .event:
            preconditionFailure("not a hot message")
        }
    }

    // MARK: Decoding

    /// The message, or nil when it is not one this codec handles (the caller then asks JSONDecoder).
    /// `kind` and the request's `command` have been checked by the caller.
    static func decode(_ tape: JSONTape, kind: String) throws(JSONTape.FieldError) -> ControlMessage? {
        let root = tape.root
        switch kind {
        case "request":
            let id = try tape.integerField(root, "id", as: UInt64.self)
            let command = try tape.field(root, "command") { n throws(JSONTape.FieldError) in
                try tape.enumeration(n, ControlCommand.self)
            }
            let body: ControlRequest.Body
            switch command {
            case .ping: body = .ping
            case .status: body = .status
            case .processMetrics: body = .processMetrics
            case .listSessions: body = .listSessions
            case .createSession: body = .createSession(try tape.field(root, "body") { n throws(JSONTape.FieldError) in try SessionSpec(tape, n) })
            case .updateSession: body = .updateSession(try tape.field(root, "body") { n throws(JSONTape.FieldError) in try SessionSpec(tape, n) })
            case .deleteSession:
                body = .deleteSession(try tape.field(root, "body") { n throws(JSONTape.FieldError) in try SessionReference(tape, n) })
            case .querySession:
                body = .querySession(try tape.field(root, "body") { n throws(JSONTape.FieldError) in try SessionReference(tape, n) })
            case .hello, .banSource: return nil
            }
            return .request(ControlRequest(id: id, body))
        case "reply":
            let id = try tape.integerField(root, "id", as: UInt64.self)
            guard try tape.boolField(root, "ok") else {
                return .reply(.failure(id: id, try tape.field(root, "error") { n throws(JSONTape.FieldError) in
                    try ControlFailure(tape, n)
                }))
            }
            let command = try tape.field(root, "command") { n throws(JSONTape.FieldError) in
                try tape.enumeration(n, ControlCommand.self)
            }
            let body: ControlReply.Body
            switch command {
            case .ping:
                body = .pong(try tape.field(root, "body") { n throws(JSONTape.FieldError) in
                    Pong(time: try tape.doubleField(try tape.object(n), "time"))
                })
            case .createSession: body = .created(try tape.field(root, "body") { n throws(JSONTape.FieldError) in try SessionAllocation(tape, n) })
            case .updateSession: body = .updated(try tape.field(root, "body") { n throws(JSONTape.FieldError) in try SessionAllocation(tape, n) })
            case .deleteSession: body = .deleted(try tape.field(root, "body") { n throws(JSONTape.FieldError) in try SessionStatistics(tape, n) })
            case .querySession: body = .queried(try tape.field(root, "body") { n throws(JSONTape.FieldError) in try SessionStatistics(tape, n) })
            case .hello, .status, .processMetrics, .listSessions, .banSource: return nil
            }
            return .reply(.success(id: id, body))
        default:
            return nil
        }
    }
}

// MARK: - Bodies

extension ControlFailure {
    init(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) {
        let o = try tape.object(node)
        self.init(try tape.field(o, "code") { n throws(JSONTape.FieldError) in try tape.enumeration(n, Code.self) },
                  try tape.stringField(o, "message"))
    }
}

extension Endpoint {
    func write(_ out: inout JSONOutput) {
        out.key("address", first: true)
        out.string(address)
        out.key("port")
        out.integer(port)
        out.close()
    }

    init(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) {
        let o = try tape.object(node)
        self.init(address: try tape.stringField(o, "address"),
                  port: try tape.integerField(o, "port"))
    }
}

extension LegProfile {
    func write(_ out: inout JSONOutput) {
        switch self {
        case .rtp:
            out.raw("{\"kind\":\"rtp\"}")
        case .srtp(let suite, let localKey, let remoteKey):
            out.raw("{\"kind\":\"srtp\"")
            out.optionalString("localKey", localKey)
            out.optionalString("remoteKey", remoteKey)
            out.key("suite")
            out.string(suite)
            out.close()
        }
    }

    init(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) {
        let o = try tape.object(node)
        switch try tape.stringField(o, "kind") {
        case "rtp": self = .rtp
        case "srtp":
            self = .srtp(suite: try tape.stringField(o, "suite"),
                         localKey: try tape.optionalStringField(o, "localKey"),
                         remoteKey: try tape.optionalStringField(o, "remoteKey"))
        case let other:
            throw JSONTape.FieldError("unknown profile '\(other)' (rtp, srtp)").at("kind")
        }
    }
}

extension LegSpec {
    func write(_ out: inout JSONOutput) {
        // direction, interface, profile, remote, remoteRTCP, rtcpMux, strictSource
        out.key("direction", first: true)
        out.string(direction.rawValue)
        out.key("interface")
        out.string(interface)
        out.key("profile")
        profile.write(&out)
        if let remote {
            out.key("remote")
            remote.write(&out)
        }
        if let remoteRTCP {
            out.key("remoteRTCP")
            remoteRTCP.write(&out)
        }
        out.key("rtcpMux")
        out.bool(rtcpMux)
        out.key("strictSource")
        out.bool(strictSource)
        out.close()
    }

    init(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) {
        let o = try tape.object(node)
        self.init(interface: try tape.stringField(o, "interface"),
                  rtcpMux: try tape.boolField(o, "rtcpMux"),
                  remote: try tape.optionalField(o, "remote") { n throws(JSONTape.FieldError) in try Endpoint(tape, n) },
                  remoteRTCP: try tape.optionalField(o, "remoteRTCP") { n throws(JSONTape.FieldError) in
                      try Endpoint(tape, n)
                  },
                  profile: try tape.field(o, "profile") { n throws(JSONTape.FieldError) in try LegProfile(tape, n) },
                  direction: try tape.field(o, "direction") { n throws(JSONTape.FieldError) in
                      try tape.enumeration(n, MediaDirection.self)
                  },
                  strictSource: try tape.boolField(o, "strictSource"))
    }
}

extension SessionSpec {
    func write(_ out: inout JSONOutput) {
        out.key("session", first: true)
        out.string(session)
        out.key("streams")
        out.array(streams) { stream, out in out.stream(a: stream.a, b: stream.b, index: stream.index) { $0.write(&$1) } }
        out.close()
    }

    init(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) {
        let o = try tape.object(node)
        self.init(session: try tape.stringField(o, "session"),
                  streams: try tape.field(o, "streams") { n throws(JSONTape.FieldError) in
                      try tape.array(n) { s throws(JSONTape.FieldError) in
                          let stream = try tape.object(s)
                          return StreamSpec(
                              index: try tape.integerField(stream, "index"),
                              a: try tape.field(stream, "a") { n throws(JSONTape.FieldError) in try LegSpec(tape, n) },
                              b: try tape.field(stream, "b") { n throws(JSONTape.FieldError) in try LegSpec(tape, n) })
                      }
                  })
    }
}

extension SessionReference {
    func write(_ out: inout JSONOutput) {
        out.key("session", first: true)
        out.string(session)
        out.close()
    }

    init(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) {
        self.init(session: try tape.stringField(try tape.object(node), "session"))
    }
}

extension LegAllocation {
    func write(_ out: inout JSONOutput) {
        // address, interface, localKey, rtcpPort, rtpPort, suite
        out.key("address", first: true)
        out.string(address)
        out.key("interface")
        out.string(interface)
        out.optionalString("localKey", localKey)
        out.key("rtcpPort")
        out.integer(rtcpPort)
        out.key("rtpPort")
        out.integer(rtpPort)
        out.optionalString("suite", suite)
        out.close()
    }

    init(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) {
        let o = try tape.object(node)
        self.init(interface: try tape.stringField(o, "interface"),
                  address: try tape.stringField(o, "address"),
                  rtpPort: try tape.integerField(o, "rtpPort"),
                  rtcpPort: try tape.integerField(o, "rtcpPort"),
                  suite: try tape.optionalStringField(o, "suite"),
                  localKey: try tape.optionalStringField(o, "localKey"))
    }
}

extension StreamAllocation {
    func write(_ out: inout JSONOutput) {
        out.key("a", first: true)
        a.write(&out)
        out.key("b")
        b.write(&out)
        out.key("index")
        out.integer(index)
        out.close()
    }

    init(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) {
        let o = try tape.object(node)
        self.init(index: try tape.integerField(o, "index"),
                  a: try tape.field(o, "a") { n throws(JSONTape.FieldError) in try LegAllocation(tape, n) },
                  b: try tape.field(o, "b") { n throws(JSONTape.FieldError) in try LegAllocation(tape, n) })
    }
}

extension SessionAllocation {
    func write(_ out: inout JSONOutput) {
        out.key("session", first: true)
        out.string(session)
        out.key("streams")
        writeStreams(streams, &out)
        out.close()
    }

    init(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) {
        let o = try tape.object(node)
        self.init(session: try tape.stringField(o, "session"),
                  streams: try tape.field(o, "streams") { n throws(JSONTape.FieldError) in
                      try tape.array(n) { s throws(JSONTape.FieldError) in try StreamAllocation(tape, s) }
                  })
    }
}

private func writeStreams(_ streams: [StreamAllocation], _ out: inout JSONOutput) {
    out.array(streams) { $0.write(&$1) }
}

extension LegStatistics {
    func write(_ out: inout JSONOutput) {
        // bytes, drops, jitterMilliseconds, lastPacketTime, latchReason, latched, lost, packets
        out.key("bytes", first: true)
        out.integer(bytes)
        out.key("drops")
        if drops.isEmpty {
            out.raw("{}")
        } else {
            // JSONEncoder sorts a dictionary's keys by their UTF-8 bytes.
            for (i, key) in drops.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                out.raw(i == 0 ? "{" : ",")
                out.string(key)
                out.raw(":")
                out.integer(drops[key]!)
            }
            out.close()
        }
        out.key("jitterMilliseconds")
        out.double(jitterMilliseconds)
        if let lastPacketTime {
            out.key("lastPacketTime")
            out.double(lastPacketTime)
        }
        out.optionalString("latchReason", latchReason)
        if let latched {
            out.key("latched")
            latched.write(&out)
        }
        out.key("lost")
        out.integer(lost)
        out.key("packets")
        out.integer(packets)
        out.close()
    }

    init(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) {
        let o = try tape.object(node)
        self.init(packets: try tape.integerField(o, "packets"),
                  bytes: try tape.integerField(o, "bytes"),
                  drops: try tape.field(o, "drops") { n throws(JSONTape.FieldError) in try Self.drops(tape, n) },
                  lost: try tape.integerField(o, "lost"),
                  jitterMilliseconds: try tape.doubleField(o, "jitterMilliseconds"),
                  lastPacketTime: try tape.optionalDoubleField(o, "lastPacketTime"),
                  latched: try tape.optionalField(o, "latched") { n throws(JSONTape.FieldError) in try Endpoint(tape, n) },
                  latchReason: try tape.optionalStringField(o, "latchReason"))
    }

    /// Like JSONDecoder's dictionaries: the first occurrence of a key wins and later ones are not read.
    private static func drops(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) -> [String: UInt64] {
        let o = try tape.object(node)
        var drops: [String: UInt64] = [:]
        var key = tape.firstKey(o)
        while key < tape.next(o) {
            let name = tape.string(key)
            if drops[name] == nil {
                do { drops[name] = try tape.integer(key + 1, as: UInt64.self) } catch { throw error.at(name) }
            }
            key = tape.next(key + 1)
        }
        return drops
    }
}

extension SessionStatistics {
    func write(_ out: inout JSONOutput) {
        // created, local, session, streams, workers
        out.key("created", first: true)
        out.double(created)
        if let local {
            out.key("local")
            writeStreams(local, &out)
        }
        out.key("session")
        out.string(session)
        out.key("streams")
        out.array(streams) { stream, out in out.stream(a: stream.a, b: stream.b, index: stream.index) { $0.write(&$1) } }
        if let workers {
            out.key("workers")
            out.array(workers) { $1.integer($0) }
        }
        out.close()
    }

    init(_ tape: JSONTape, _ node: Int) throws(JSONTape.FieldError) {
        let o = try tape.object(node)
        self.init(
            session: try tape.stringField(o, "session"),
            created: try tape.doubleField(o, "created"),
            streams: try tape.field(o, "streams") { n throws(JSONTape.FieldError) in
                try tape.array(n) { s throws(JSONTape.FieldError) in
                    let stream = try tape.object(s)
                    return StreamStatistics(
                        index: try tape.integerField(stream, "index"),
                        a: try tape.field(stream, "a") { n throws(JSONTape.FieldError) in try LegStatistics(tape, n) },
                        b: try tape.field(stream, "b") { n throws(JSONTape.FieldError) in try LegStatistics(tape, n) })
                }
            },
            local: try tape.optionalField(o, "local") { n throws(JSONTape.FieldError) in
                try tape.array(n) { s throws(JSONTape.FieldError) in try StreamAllocation(tape, s) }
            },
            workers: try tape.optionalField(o, "workers") { n throws(JSONTape.FieldError) in
                try tape.array(n) { w throws(JSONTape.FieldError) in try tape.integer(w, as: Int.self) }
            })
    }
}
