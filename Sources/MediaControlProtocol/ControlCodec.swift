import FoundationEssentials

/// JSON encoding of control messages. Keys are sorted so the same message always has the same
/// bytes: the wire fixtures under Tests/MediaControlProtocolTests/Fixtures rely on it.
///
/// Shape: `{"kind":"request","id":7,"command":"status"}`,
/// `{"kind":"reply","id":7,"command":"status","ok":true,"body":{…}}`,
/// `{"kind":"reply","id":7,"ok":false,"error":{"code":"…","message":"…"}}`.
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding our own value types cannot fail: every field is a plain JSON scalar or struct.
        guard let data = try? encoder.encode(Envelope(message)) else {
            preconditionFailure("control message not encodable")
        }
        return Array(data)
    }

    public static func decode(_ bytes: [UInt8]) throws(DecodingFailure) -> ControlMessage {
        let decoder = JSONDecoder()
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: Data(bytes))
        } catch {
            throw DecodingFailure(id: nil, failure: ControlFailure(.malformed, "not a control message: \(brief(error))"))
        }
        guard let kind = header.kind, kind == "request" || kind == "reply" else {
            throw DecodingFailure(id: header.id, failure: ControlFailure(
                .malformed, "missing or unknown 'kind' \(header.kind.map { "'\($0)'" } ?? "")"))
        }
        if kind == "request", let name = header.command, ControlCommand(rawValue: name) == nil {
            throw DecodingFailure(id: header.id, failure: ControlFailure(.unknownCommand, "unknown command '\(name)'"))
        }
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
    }
}

/// The JSON object on the wire.
private struct Envelope: Codable {
    var message: ControlMessage

    init(_ message: ControlMessage) { self.message = message }

    private enum Key: String, CodingKey { case kind, id, command, ok, body, error }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let kind = try c.decode(String.self, forKey: .kind)
        let id = try c.decode(UInt64.self, forKey: .id)
        switch kind {
        case "request":
            let command = try c.decode(ControlCommand.self, forKey: .command)
            let body: ControlRequest.Body = switch command {
            case .hello: .hello(try c.decode(Hello.self, forKey: .body))
            case .ping: .ping
            case .status: .status
            case .processMetrics: .processMetrics
            }
            message = .request(ControlRequest(id: id, body))
        default:
            if try c.decode(Bool.self, forKey: .ok) {
                let command = try c.decode(ControlCommand.self, forKey: .command)
                let body: ControlReply.Body = switch command {
                case .hello: .hello(try c.decode(Hello.self, forKey: .body))
                case .ping: .pong(try c.decode(Pong.self, forKey: .body))
                case .status: .status(try c.decode(MediaStatus.self, forKey: .body))
                case .processMetrics: .processMetrics(try c.decode(ProcessFigures.self, forKey: .body))
                }
                message = .reply(.success(id: id, body))
            } else {
                message = .reply(.failure(id: id, try c.decode(ControlFailure.self, forKey: .error)))
            }
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
            case .ping, .status, .processMetrics: break
            }
        case .reply(let reply):
            try c.encode("reply", forKey: .kind)
            try c.encode(reply.id, forKey: .id)
            switch reply.result {
            case .success(let body):
                try c.encode(true, forKey: .ok)
                switch body {
                case .hello(let hello):
                    try c.encode(ControlCommand.hello, forKey: .command)
                    try c.encode(hello, forKey: .body)
                case .pong(let pong):
                    try c.encode(ControlCommand.ping, forKey: .command)
                    try c.encode(pong, forKey: .body)
                case .status(let status):
                    try c.encode(ControlCommand.status, forKey: .command)
                    try c.encode(status, forKey: .body)
                case .processMetrics(let figures):
                    try c.encode(ControlCommand.processMetrics, forKey: .command)
                    try c.encode(figures, forKey: .body)
                }
            case .failure(let failure):
                try c.encode(false, forKey: .ok)
                try c.encode(failure, forKey: .error)
            }
        }
    }
}
