import CPalisadeShims
import SRTP
#if canImport(Glibc)
import Glibc
#endif

/// One direction of N streams, from real UDP sockets: packets leave one socket towards each
/// stream's leg A and come back from the relay's leg B to another socket. Single-threaded, paced
/// from CLOCK_MONOTONIC, batched with sendmmsg/recvmmsg; every buffer is allocated once.
///
/// SRTP: each stream has its own outbound context (the key palisade-media was told is the peer's
/// on leg A) and inbound context (palisade-media's own key on leg B), so every packet is
/// encrypted with one key, re-keyed by the relay, and decrypted and checked with the other.
public final class LoadGenerator {
    public struct StreamKeys {
        /// Protects what the generator sends to leg A.
        public var send: SRTPMasterKey
        /// Unprotects what leg B sends back.
        public var receive: SRTPMasterKey
        public init(send: SRTPMasterKey, receive: SRTPMasterKey) {
            self.send = send
            self.receive = receive
        }
    }

    /// What one paced run produced.
    public struct StepResult: Sendable {
        public var offeredRate: Double
        /// The sending window asked for.
        public var plannedSeconds: Double
        /// The sending window as it ran (a little longer: the last turn ends past the deadline).
        public var seconds: Double
        /// Packets the kernel accepted from the generator.
        public var sent: UInt64
        /// Packets the generator built but the kernel refused (its own socket buffer full).
        public var sendRefused: UInt64
        public var received: UInt64
        public var corrupt: UInt64
        public var corruptFaults: [LoadPacket.Fault: UInt64]
        /// Packets that came back with a sequence at or below one already seen on their stream.
        public var reordered: UInt64
        public var srtpFailures: UInt64
        public var foreign: UInt64
        public var latencyP50: Int?
        public var latencyP99: Int?
        /// The most the sender fell behind its schedule, in packets.
        public var maxLag: UInt64
        /// CPU time of the generator's thread over the sending window.
        public var generatorCPUSeconds: Double

        public var lost: UInt64 { sent > received ? sent - received : 0 }
        public var lossFraction: Double { sent == 0 ? 0 : Double(lost) / Double(sent) }
        public var deliveredRate: Double { seconds > 0 ? Double(received) / seconds : 0 }
        public var generatorBusy: Double { seconds > 0 ? generatorCPUSeconds / seconds : 0 }

        /// Why the generator, not the relay, limited this step; nil when it kept up.
        public var generatorLimit: String? {
            if Double(sent + sendRefused) < offeredRate * plannedSeconds * 0.99 || maxLag > UInt64(offeredRate * 0.05) {
                return "the generator sent \(Int(Double(sent + sendRefused) / max(plannedSeconds, 1e-9))) of "
                    + "\(Int(offeredRate)) packets/s offered (fell up to \(maxLag) packets behind)"
            }
            if sendRefused > 0, Double(sendRefused) >= Double(sent) * 0.001 {
                return "the generator's own socket refused \(sendRefused) packets"
            }
            if generatorBusy > 0.95 {
                return "the generator's core was \(Int(generatorBusy * 100)) % busy"
            }
            return nil
        }
    }

    public let streams: Int
    public let batch: Int
    private let sendFD: Int32
    private let receiveFD: Int32
    public let sendEndpoint: (address: UInt32, port: UInt16)
    public let receiveEndpoint: (address: UInt32, port: UInt16)
    private let sendBatch: OpaquePointer
    private let receiveBatch: OpaquePointer
    private static let bufferCapacity = 2048
    private let slab: UnsafeMutableRawPointer
    private let sendBuffers: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
    private let receiveBuffers: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>
    private let lengths: UnsafeMutablePointer<UInt32>
    private let addresses: UnsafeMutablePointer<UInt32>
    private let ports: UnsafeMutablePointer<UInt16>
    private let receivedLengths: UnsafeMutablePointer<UInt32>
    private let receivedAddresses: UnsafeMutablePointer<UInt32>
    private let receivedPorts: UnsafeMutablePointer<UInt16>
    /// Leg A's address and port per stream (host byte order).
    private let targetAddresses: UnsafeMutablePointer<UInt32>
    private let targetPorts: UnsafeMutablePointer<UInt16>
    private let nextSequence: UnsafeMutablePointer<UInt32>
    /// Highest sequence received + 1 per stream (0: nothing yet).
    private let highestReceived: UnsafeMutablePointer<UInt32>
    private var outbound: [SRTPContext]
    private var inbound: [SRTPContext]
    private var srtp = false
    public let latency = LatencyHistogram()
    private var nextStream = 0

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Binds two UDP sockets on 127.0.0.1 (ephemeral ports) with `socketBufferBytes` of buffer each.
    public init(streams: Int, batch: Int = 64, socketBufferBytes: Int32 = 8 << 20) throws(SetupError) {
        guard (1...LoadPacket.maximumStreams).contains(streams), (1...1024).contains(batch) else {
            throw SetupError(description: "streams 1...\(LoadPacket.maximumStreams), batch 1...1024")
        }
        self.streams = streams
        self.batch = batch
        let (sendFD, sendPort) = try Self.bindLoopback(bufferBytes: socketBufferBytes)
        let receiveFD: Int32
        let receivePort: UInt16
        do {
            (receiveFD, receivePort) = try Self.bindLoopback(bufferBytes: socketBufferBytes)
        } catch {
            close(sendFD)
            throw error
        }
        guard let sendBatch = palisade_mmsg_batch_create(UInt32(batch)),
              let receiveBatch = palisade_mmsg_batch_create(UInt32(batch)) else {
            close(sendFD); close(receiveFD)
            throw SetupError(description: "mmsg batch allocation failed")
        }
        self.sendFD = sendFD
        self.receiveFD = receiveFD
        self.sendEndpoint = (0x7F00_0001, sendPort)
        self.receiveEndpoint = (0x7F00_0001, receivePort)
        self.sendBatch = sendBatch
        self.receiveBatch = receiveBatch
        slab = .allocate(byteCount: 2 * batch * Self.bufferCapacity, alignment: 64)
        sendBuffers = .allocate(capacity: batch)
        receiveBuffers = .allocate(capacity: batch)
        for i in 0..<batch {
            sendBuffers[i] = (slab + i * Self.bufferCapacity).assumingMemoryBound(to: UInt8.self)
            receiveBuffers[i] = (slab + (batch + i) * Self.bufferCapacity).assumingMemoryBound(to: UInt8.self)
        }
        func zeroed<T: FixedWidthInteger>(_ count: Int, _: T.Type) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        lengths = zeroed(batch, UInt32.self)
        addresses = zeroed(batch, UInt32.self)
        ports = zeroed(batch, UInt16.self)
        receivedLengths = zeroed(batch, UInt32.self)
        receivedAddresses = zeroed(batch, UInt32.self)
        receivedPorts = zeroed(batch, UInt16.self)
        targetAddresses = zeroed(streams, UInt32.self)
        targetPorts = zeroed(streams, UInt16.self)
        nextSequence = zeroed(streams, UInt32.self)
        highestReceived = zeroed(streams, UInt32.self)
        outbound = []
        inbound = []
    }

    deinit {
        close(sendFD)
        close(receiveFD)
        palisade_mmsg_batch_destroy(sendBatch)
        palisade_mmsg_batch_destroy(receiveBatch)
        slab.deallocate()
        sendBuffers.deallocate()
        receiveBuffers.deallocate()
        for p in [lengths, addresses, receivedLengths, receivedAddresses, targetAddresses, nextSequence,
                  highestReceived] { p.deallocate() }
        ports.deallocate()
        receivedPorts.deallocate()
        targetPorts.deallocate()
    }

    /// Where stream `index`'s packets go: palisade-media's leg A.
    public func setTarget(stream index: Int, address: UInt32, port: UInt16) {
        precondition(index < streams)
        targetAddresses[index] = address
        targetPorts[index] = port
    }

    /// Switches to SRTP with one pair of keys per stream (in stream order).
    public func useSRTP(_ keys: [StreamKeys]) throws(SRTPError) {
        precondition(keys.count == streams)
        var outbound: [SRTPContext] = []
        var inbound: [SRTPContext] = []
        for pair in keys {
            outbound.append(try SRTPContext(key: pair.send, direction: .outbound))
            inbound.append(try SRTPContext(key: pair.receive, direction: .inbound))
        }
        self.outbound = outbound
        self.inbound = inbound
        srtp = true
    }

    // MARK: Running

    /// Sends at `rate` packets/s (all streams together, round robin) for `seconds`, receiving all the
    /// while, then keeps receiving for `drainSeconds`. Every packet received is decrypted and checked.
    public func run(rate: Double, seconds: Double, drainSeconds: Double = 0.3) -> StepResult {
        latency.reset()
        var result = StepResult(offeredRate: rate, plannedSeconds: seconds, seconds: seconds, sent: 0, sendRefused: 0, received: 0,
                                corrupt: 0, corruptFaults: [:], reordered: 0, srtpFailures: 0, foreign: 0,
                                latencyP50: nil, latencyP99: nil, maxLag: 0, generatorCPUSeconds: 0)
        let start = Self.monotonicNanoseconds()
        let cpuStart = Self.threadCPUSeconds()
        let sendingEnds = start + UInt64(seconds * 1e9)
        let total = UInt64(rate * seconds)
        var built: UInt64 = 0
        var now = start
        // Until the window ends and all `total` are built; a generator far behind stops 1 s late.
        while (now < sendingEnds || built < total) && now < sendingEnds + 1_000_000_000 {
            let due = now >= sendingEnds ? total : min(total, UInt64(Double(now - start) * rate / 1e9))
            var worked = false
            if due > built {
                result.maxLag = max(result.maxLag, due - built)
                // At most four batches per turn, so receiving is never starved.
                var turns = 0
                while built < due, turns < 4 {
                    let count = Int(min(UInt64(batch), due - built))
                    let sent = sendBatch(count: count, now: now)
                    result.sent += UInt64(sent)
                    result.sendRefused += UInt64(count - sent)
                    built += UInt64(count)
                    turns += 1
                }
                worked = true
            }
            if receiveAvailable(into: &result, maxBatches: 8) { worked = true }
            now = Self.monotonicNanoseconds()
            if !worked {
                var pause = timespec(tv_sec: 0, tv_nsec: 20_000)
                nanosleep(&pause, nil)
                now = Self.monotonicNanoseconds()
            }
        }
        result.seconds = Double(now - start) / 1e9
        result.generatorCPUSeconds = Self.threadCPUSeconds() - cpuStart
        let drainEnds = now + UInt64(drainSeconds * 1e9)
        while now < drainEnds, result.received < result.sent {
            if !receiveAvailable(into: &result, maxBatches: 64) {
                var pause = timespec(tv_sec: 0, tv_nsec: 200_000)
                nanosleep(&pause, nil)
            }
            now = Self.monotonicNanoseconds()
        }
        result.latencyP50 = latency.percentile(0.50)
        result.latencyP99 = latency.percentile(0.99)
        return result
    }

    /// Builds `count` packets (round robin over streams), protects them for SRTP, sends them in one
    /// sendmmsg batch. Returns how many the kernel accepted.
    @inline(__always)
    private func sendBatch(count: Int, now: UInt64) -> Int {
        for i in 0..<count {
            let stream = nextStream
            nextStream = stream + 1 == streams ? 0 : stream + 1
            let buffer = UnsafeMutableRawPointer(sendBuffers[i]!)
            var length = LoadPacket.write(into: buffer, stream: stream, sequence: nextSequence[stream],
                                          sentNanoseconds: now)
            nextSequence[stream] &+= 1
            if srtp {
                do {
                    try outbound[stream].protectRTP(buffer, length: &length, capacity: Self.bufferCapacity)
                } catch {
                    // Cannot happen with a 2 KiB buffer; a refused packet is simply not sent.
                    length = 0
                }
            }
            lengths[i] = UInt32(length)
            addresses[i] = targetAddresses[stream]
            ports[i] = targetPorts[stream]
        }
        return Int(palisade_send_batch(sendBatch, sendFD, sendBuffers, lengths, addresses, ports, UInt32(count)))
    }

    /// Drains up to `maxBatches` recvmmsg batches; true when anything arrived.
    @inline(__always)
    private func receiveAvailable(into result: inout StepResult, maxBatches: Int) -> Bool {
        var any = false
        for _ in 0..<maxBatches {
            let count = palisade_recv_batch(receiveBatch, receiveFD, receiveBuffers, UInt32(Self.bufferCapacity),
                                            UInt32(batch), receivedLengths, receivedAddresses, receivedPorts)
            guard count > 0 else { break }
            any = true
            let now = Self.monotonicNanoseconds()
            for i in 0..<Int(count) {
                check(UnsafeMutableRawPointer(receiveBuffers[i]!), length: receivedLengths[i], now: now,
                      into: &result)
            }
            if count < batch { break }
        }
        return any
    }

    @inline(__always)
    private func check(_ packet: UnsafeMutableRawPointer, length received: UInt32, now: UInt64,
                       into result: inout StepResult) {
        var length = Int32(bitPattern: received)
        if srtp {
            guard length >= 12 else { result.foreign += 1; return }
            let p = packet.assumingMemoryBound(to: UInt8.self)
            let ssrc = UInt32(p[8]) << 24 | UInt32(p[9]) << 16 | UInt32(p[10]) << 8 | UInt32(p[11])
            guard let stream = LoadPacket.stream(ssrc: ssrc), stream < streams else {
                result.foreign += 1
                return
            }
            do {
                try inbound[stream].unprotectRTP(packet, length: &length)
            } catch {
                result.srtpFailures += 1
                return
            }
        }
        switch LoadPacket.check(packet, length: Int(length), streams: streams) {
        case .valid(let stream, let sequence, let sent):
            result.received += 1
            if sequence &+ 1 > highestReceived[stream] {
                highestReceived[stream] = sequence &+ 1
            } else {
                result.reordered += 1
            }
            latency.record(nanoseconds: now &- sent)
        case .corrupt(let fault):
            result.corrupt += 1
            result.corruptFaults[fault, default: 0] += 1
        }
    }

    // MARK: Helpers

    public static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    private static func bindLoopback(bufferBytes: Int32) throws(SetupError) -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SetupError(description: "socket: \(String(cString: strerror(errno)))") }
        var size = bufferBytes
        for option in [SO_RCVBUF, SO_SNDBUF] {
            // The FORCE variants pass net.core.[rw]mem_max when privileged; else the capped request.
            let forced = option == SO_RCVBUF ? Int32(33) /* SO_RCVBUFFORCE */ : Int32(32) /* SO_SNDBUFFORCE */
            if setsockopt(fd, SOL_SOCKET, forced, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
                _ = setsockopt(fd, SOL_SOCKET, option, &size, socklen_t(MemoryLayout<Int32>.size))
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let text = String(cString: strerror(errno))
            close(fd)
            throw SetupError(description: "bind 127.0.0.1:0: \(text)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }
}
