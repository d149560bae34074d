import MediaControlProtocol
import PosixSupport

/// A test's side of the control connection: requests with fresh ids, replies matched by id, and
/// the events that arrive in between kept in order.
final class ControlClient {
    let connection: FrameClient
    private(set) var events: [MediaEvent] = []
    private var nextID: UInt64 = 1

    init(path: String, hello: Hello) throws {
        connection = try FrameClient(path: path)
        guard case .reply(let reply) = try send(ControlRequest(id: 0, .hello(hello))),
              case .success = reply.result else {
            throw UnixSocketError(.protocolError, path: path, "hello refused")
        }
    }

    /// Sends `body` with a fresh id and waits for its reply.
    func request(_ body: ControlRequest.Body) throws -> Result<ControlReply.Body, ControlFailure> {
        defer { nextID += 1 }
        return try request(ControlRequest(id: nextID, body))
    }

    func request(_ request: ControlRequest) throws -> Result<ControlReply.Body, ControlFailure> {
        guard case .reply(let reply) = try send(request) else {
            throw UnixSocketError(.protocolError, path: connection.path, "no reply")
        }
        return reply.result
    }

    /// Sends one request and returns the first message that is not an event.
    private func send(_ request: ControlRequest) throws -> ControlMessage {
        try connection.send(ControlCodec.encode(.request(request)))
        return try receiveReply()
    }

    func receiveReply() throws -> ControlMessage {
        while true {
            let message = try ControlCodec.decode(connection.receive())
            if case .event(let event) = message { events.append(event) } else { return message }
        }
    }

    /// Waits for an event (up to the connection's receive timeout).
    func nextEvent() throws -> MediaEvent {
        if !events.isEmpty { return events.removeFirst() }
        let message = try ControlCodec.decode(connection.receive())
        guard case .event(let event) = message else {
            throw UnixSocketError(.protocolError, path: connection.path, "expected an event, got \(message)")
        }
        return event
    }
}
