import MediaControlProtocol
import PosixSupport

/// palisade-media's control socket as the benchmark uses it: blocking request/reply, events
/// (latches, timeouts) read past and counted.
public final class MediaControlClient {
    private let client: FrameClient
    /// palisade-media's reply cache is shared by all connections and refuses an id reused with
    /// other bytes: every run starts its ids at a random point.
    private var nextID = UInt64.random(in: 1..<(1 << 62))
    public private(set) var eventsSeen = 0

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(socket: String) throws(Failure) {
        do {
            client = try FrameClient(path: socket, timeoutSeconds: 10)
        } catch {
            throw Failure(description: "\(error)")
        }
        let hello = Hello(software: "palisade-bench", pid: getpid(), role: "palisade-bench")
        switch try request(.hello(hello)) {
        case .success(.hello): break
        case .success(let other): throw Failure(description: "hello answered with \(other.command.rawValue)")
        case .failure(let failure): throw Failure(description: "hello refused: \(failure)")
        }
    }

    /// Sends one request and returns palisade-media's answer: its body, or its refusal.
    public func request(_ body: ControlRequest.Body) throws(Failure) -> Result<ControlReply.Body, ControlFailure> {
        let id = nextID
        nextID += 1
        do {
            try client.send(ControlCodec.encode(.request(ControlRequest(id: id, body))))
            // Bounded: events in between are skipped, at most this many.
            for _ in 0..<100_000 {
                let message = try ControlCodec.decode(client.receive())
                switch message {
                case .reply(let reply) where reply.id == id: return reply.result
                case .event: eventsSeen += 1
                case .reply, .request: continue
                }
            }
        } catch {
            throw Failure(description: "control socket: \(error)")
        }
        throw Failure(description: "control socket: no reply to request \(id)")
    }
}

#if canImport(Glibc)
import Glibc
#endif
