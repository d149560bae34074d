import FoundationEssentials

/// JSON encoding of control messages. Keys are sorted so the same message always has the same
/// bytes: the wire fixtures under Tests/MediaControlProtocolTests/Fixtures rely on it.
///
/// Shape: `{"kind":"request","id":7,"command":"status"}`,
/// `{"kind":"reply","id":7,"command":"status","ok":true,"body":{…}}` (a reply names the command it answers),
/// `{"kind":"reply","id":7,"ok":false,"error":{"code":"…","message":"…"}}`,
/// `{"kind":"event","event":"latched","body":{…}}` (from palisade-media, unasked).
public enum ControlCodec {
    /// A payload that could not be decoded. `id` is set when the envelope was readable, so the
    /// server can still answer the request it could not understand.
    public struct DecodingFailure: Error, Sendable, Equatable {
        public var id: UInt64?
        public var failure: ControlFailure

        public init(id: UInt64?, failure: ControlFailure) {
            self.id = id
            self.failure = failure
        }
    }

    public static func encode(_ message: ControlMessage) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        encode(message, into: &bytes)
        return bytes
    }

    /// Appends the message's JSON to `bytes`. The messages of the call path are written by hand
    /// (`HotMessageCoding`), byte for byte what JSONEncoder writes; the others go through JSONEncoder.
    public static func encode(_ message: ControlMessage, into bytes: inout [UInt8]) {
        if HotMessageCoding.encode(message, into: &bytes) { return }
        bytes.append(contentsOf: foundationEncode(message))
    }

    /// The message is scanned once (`JSONTape`); the envelope and the bodies of the call path are
    /// read from that, the other bodies by JSONDecoder.
    public static func decode(_ bytes: [UInt8]) throws(DecodingFailure) -> ControlMessage {
        let tape: JSONTape
        do {
            tape = try JSONTape(scanning: bytes)
        } catch {
            throw DecodingFailure(id: nil, failure: ControlFailure(.malformed, "not a control message: \(error)"))
        }
        let header: Header
        do {
            header = try Header(tape)
        } catch {
            throw DecodingFailure(id: nil, failure: ControlFailure(.malformed, "not a control message: \(error)"))
        }
        let kind = try check(header)
        if let violation = tape.strictnessViolation {
            throw DecodingFailure(id: header.id, failure: ControlFailure(.malformed, "not strict JSON: \(violation)"))
        }
        do {
            if let message = try HotMessageCoding.decode(tape, kind: kind) { return message }
        } catch {
            throw DecodingFailure(id: header.id, failure: ControlFailure(.malformed, error.description))
        }
        do {
            return try JSONDecoder().decode(Envelope.self, from: Data(bytes)).message
        } catch {
            throw DecodingFailure(id: header.id, failure: ControlFailure(.malformed, brief(error)))
        }
    }

    /// The kind, once the envelope is known to be one of ours and a request's command is known.
    private static func check(_ header: Header) throws(DecodingFailure) -> String {
        guard let kind = header.kind, kind == "request" || kind == "reply" || kind == "event" else {
            throw DecodingFailure(id: header.id, failure: ControlFailure(
                .malformed, "missing or unknown 'kind' \(header.kind.map { "'\($0)'" } ?? "")"))
        }
        if kind == "request", let name = header.command, ControlCommand(rawValue: name) == nil {
            throw DecodingFailure(id: header.id, failure: ControlFailure(.unknownCommand, "unknown command '\(name)'"))
        }
        return kind
    }

    // MARK: The Foundation coder

    /// The Codable coder every message went through before `HotMessageCoding`: still the coder of
    /// the other messages, and the reference the equivalence tests and the benchmark compare against.
    @_spi(FoundationCoder)
    public static func foundationEncode(_ message: ControlMessage) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding our own value types cannot fail: every field is a plain JSON scalar or struct.
        guard let data = try? encoder.encode(Envelope(message)) else {
            preconditionFailure("control message not encodable")
        }
        return Array(data)
    }

    /// Decoding as it was before `JSONTape`: the header, then the whole envelope, by JSONDecoder.
    @_spi(FoundationCoder)
    public static func foundationDecode(_ bytes: [UInt8]) throws(DecodingFailure) -> ControlMessage {
        let decoder = JSONDecoder()
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: Data(bytes))
        } catch {
            throw DecodingFailure(id: nil, failure: ControlFailure(.malformed, "not a control message: \(brief(error))"))
        }
        _ = try check(header)
        do {
            return try decoder.decode(Envelope.self, from: Data(bytes)).message
        } catch {
            throw DecodingFailure(id: header.id, failure: ControlFailure(.malformed, brief(error)))
        }
    }

    private static func brief(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            context.codingPath.isEmpty ? context.debugDescription
                : "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        default: "\(error)"
        }
    }

    private struct Header: Decodable {
        var kind: String?
        var id: UInt64?
        var command: String?

        /// As JSONDecoder reads it: each field optional, null as absent, a present one of the wrong
        /// type fails the whole header (and with it the id).
        init(_ tape: JSONTape) throws(JSONTape.FieldError) {
            let root = try tape.object(tape.root)
            // JSONDecoder reads every key of the object before any field.
            var key = tape.firstKey(root)
            while key < tape.next(root) {
                guard !tape.isInvalid(key) else { throw JSONTape.FieldError("not strict JSON") }
                key = tape.next(key + 1)
            }
            kind = try tape.optionalStringField(root, "kind")
            id = try tape.optionalField(root, "id") { n throws(JSONTape.FieldError) in try tape.integer(n, as: UInt64.self) }
            command = try tape.optionalStringField(root, "command")
        }
    }
}

/// The JSON object on the wire.
private struct Envelope: Codable {
    var message: ControlMessage

    init(_ message: ControlMessage) { self.message = message }

    private enum Key: String, CodingKey { case kind, id, command, ok, body, error, event }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "request":
            let id = try c.decode(UInt64.self, forKey: .id)
            let body: ControlRequest.Body = switch try c.decode(ControlCommand.self, forKey: .command) {
            case .hello: .hello(try c.decode(Hello.self, forKey: .body))
            case .ping: .ping
            case .status: .status
            case .processMetrics: .processMetrics
            case .createSession: .createSession(try c.decode(SessionSpec.self, forKey: .body))
            case .updateSession: .updateSession(try c.decode(SessionSpec.self, forKey: .body))
            case .deleteSession: .deleteSession(try c.decode(SessionReference.self, forKey: .body))
            case .querySession: .querySession(try c.decode(SessionReference.self, forKey: .body))
            case .listSessions: .listSessions
            case .banSource: .banSource(try c.decode(SourceBan.self, forKey: .body))
            }
            message = .request(ControlRequest(id: id, body))
        case "reply":
            let id = try c.decode(UInt64.self, forKey: .id)
            guard try c.decode(Bool.self, forKey: .ok) else {
                message = .reply(.failure(id: id, try c.decode(ControlFailure.self, forKey: .error)))
                return
            }
            let body: ControlReply.Body = switch try c.decode(ControlCommand.self, forKey: .command) {
            case .hello: .hello(try c.decode(Hello.self, forKey: .body))
            case .ping: .pong(try c.decode(Pong.self, forKey: .body))
            case .status: .status(try c.decode(MediaStatus.self, forKey: .body))
            case .processMetrics: .processMetrics(try c.decode(ProcessFigures.self, forKey: .body))
            case .createSession: .created(try c.decode(SessionAllocation.self, forKey: .body))
            case .updateSession: .updated(try c.decode(SessionAllocation.self, forKey: .body))
            case .deleteSession: .deleted(try c.decode(SessionStatistics.self, forKey: .body))
            case .querySession: .queried(try c.decode(SessionStatistics.self, forKey: .body))
            case .listSessions: .listed(try c.decode(SessionList.self, forKey: .body))
            case .banSource: .banned(try c.decode(SourceBan.self, forKey: .body))
            }
            message = .reply(.success(id: id, body))
        case "event":
            message = .event(try EventBody.decode(name: try c.decode(String.self, forKey: .event),
                                                  from: c.superDecoder(forKey: .body)))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c,
                                                   debugDescription: "unknown kind '\(other)'")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch message {
        case .request(let request):
            try c.encode("request", forKey: .kind)
            try c.encode(request.id, forKey: .id)
            try c.encode(request.command, forKey: .command)
            switch request.body {
            case .hello(let hello): try c.encode(hello, forKey: .body)
            case .createSession(let spec), .updateSession(let spec): try c.encode(spec, forKey: .body)
            case .deleteSession(let reference), .querySession(let reference): try c.encode(reference, forKey: .body)
            case .banSource(let ban): try c.encode(ban, forKey: .body)
            case .ping, .status, .processMetrics, .listSessions: break
            }
        case .reply(let reply):
            try c.encode("reply", forKey: .kind)
            try c.encode(reply.id, forKey: .id)
            switch reply.result {
            case .success(let body):
                try c.encode(true, forKey: .ok)
                try c.encode(body.command, forKey: .command)
                switch body {
                case .hello(let hello): try c.encode(hello, forKey: .body)
                case .pong(let pong): try c.encode(pong, forKey: .body)
                case .status(let status): try c.encode(status, forKey: .body)
                case .processMetrics(let figures): try c.encode(figures, forKey: .body)
                case .created(let allocation), .updated(let allocation): try c.encode(allocation, forKey: .body)
                case .deleted(let statistics), .queried(let statistics): try c.encode(statistics, forKey: .body)
                case .listed(let list): try c.encode(list, forKey: .body)
                case .banned(let ban): try c.encode(ban, forKey: .body)
                }
            case .failure(let failure):
                try c.encode(false, forKey: .ok)
                try c.encode(failure, forKey: .error)
            }
        case .event(let event):
            try c.encode("event", forKey: .kind)
            try c.encode(event.name, forKey: .event)
            try c.encode(EventBody(event), forKey: .body)
        }
    }
}

/// The body of an event: the fields of all events, each event using its own.
private struct EventBody: Codable {
    var session: String
    var stream: Int
    var leg: LegName
    var idleSeconds: Double?
    var from: Endpoint?
    var reason: String?
    var count: UInt64?

    init(_ event: MediaEvent) {
        switch event {
        case .streamTimedOut(let session, let stream, let leg, let idleSeconds):
            (self.session, self.stream, self.leg, self.idleSeconds) = (session, stream, leg, idleSeconds)
        case .latched(let session, let stream, let leg, let from, let reason):
            (self.session, self.stream, self.leg, self.from, self.reason) = (session, stream, leg, from, reason)
        case .srtpFailures(let session, let stream, let leg, let count):
            (self.session, self.stream, self.leg, self.count) = (session, stream, leg, count)
        }
    }

    static func decode(name: String, from decoder: any Decoder) throws -> MediaEvent {
        let body = try EventBody(from: decoder)
        func require<T>(_ value: T?, _ field: String) throws -> T {
            guard let value else {
                throw DecodingError.keyNotFound(AnyKey(field), .init(codingPath: decoder.codingPath,
                                                                     debugDescription: "\(name) needs '\(field)'"))
            }
            return value
        }
        switch name {
        case "stream-timeout":
            return .streamTimedOut(session: body.session, stream: body.stream, leg: body.leg,
                                   idleSeconds: try require(body.idleSeconds, "idleSeconds"))
        case "latched":
            return .latched(session: body.session, stream: body.stream, leg: body.leg,
                            from: try require(body.from, "from"), reason: try require(body.reason, "reason"))
        case "srtp-failures":
            return .srtpFailures(session: body.session, stream: body.stream, leg: body.leg,
                                 count: try require(body.count, "count"))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown event '\(name)'"))
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
