import MediaEngine
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A UDP socket on 127.0.0.1 playing a phone in the component tests. Every wait is bounded.
final class LoopbackPeer {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr = in_addr(s_addr: IPv4Endpoint.loopback.bigEndian)
        sin.sin_port = 0
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound != 0 { close(fd) }
        try #require(bound == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.port = UInt16(bigEndian: sin.sin_port)
    }

    deinit { close(fd) }

    var endpoint: IPv4Endpoint { IPv4Endpoint(address: IPv4Endpoint.loopback, port: port) }

    func send(_ bytes: [UInt8], to destination: IPv4Endpoint) {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr = in_addr(s_addr: destination.address.bigEndian)
        sin.sin_port = destination.port.bigEndian
        let sent = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        #expect(sent == bytes.count)
    }

    /// The next datagram and its source port, or nil after `milliseconds`.
    func receive(within milliseconds: Int32 = 1000) -> (bytes: [UInt8], from: UInt16)? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 2048)
        var sin = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(fd, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, &length)
                }
            }
        }
        guard count >= 0 else { return nil }
        return (Array(buffer.prefix(count)), UInt16(bigEndian: sin.sin_port))
    }

    /// True when nothing arrives within `milliseconds`.
    func receivesNothing(within milliseconds: Int32 = 150) -> Bool {
        receive(within: milliseconds) == nil
    }
}

func rtp(sequence: UInt16, timestamp: UInt32 = 0, ssrc: UInt32 = 0x5151_5151, payloadType: UInt8 = 0,
         payload: [UInt8] = Array("palisade".utf8)) -> [UInt8] {
    [0x80, payloadType, UInt8(sequence >> 8), UInt8(sequence & 0xFF),
     UInt8(timestamp >> 24), UInt8(timestamp >> 16 & 0xFF), UInt8(timestamp >> 8 & 0xFF), UInt8(timestamp & 0xFF),
     UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF), UInt8(ssrc & 0xFF)] + payload
}

/// RFC 3550 §6.4.2 receiver report without report blocks.
func rtcpReceiverReport(ssrc: UInt32 = 0x0A0B_0C0D) -> [UInt8] {
    [0x80, 201, 0x00, 0x01, UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF), UInt8(ssrc & 0xFF)]
}

func makeEngine(ports: ClosedRange<UInt16>, workers: Int = 2) throws -> MediaEngine {
    let engine = try MediaEngine(.init(
        interfaces: [.init(name: "lo", address: IPv4Endpoint.loopback, ports: ports)],
        workers: workers, maxStreamsPerWorker: 64, queueCapacity: 64, batchSize: 32,
        housekeepingInterval: .milliseconds(10)))
    try engine.start()
    return engine
}

/// Collects events until `done` says so or `milliseconds` pass (polling every 5 ms).
func collect(_ engine: MediaEngine, within milliseconds: Int = 1500,
             until done: ([EngineEvent]) -> Bool) -> [EngineEvent] {
    var events: [EngineEvent] = []
    for _ in 0..<(milliseconds / 5) {
        events += engine.collectEvents()
        if done(events) { break }
        usleep(5000)
    }
    return events
}

func statistics(_ engine: MediaEngine, _ id: StreamID) throws -> StreamStatistics {
    try engine.requestStatistics(id).get()
    let events = collect(engine) { events in events.contains { if case .statistics = $0 { true } else { false } } }
    for case .statistics(let statistics) in events where statistics.id == id { return statistics }
    Issue.record("no statistics for \(id)")
    throw MediaEngineError(.unknownStream, "no statistics")
}
