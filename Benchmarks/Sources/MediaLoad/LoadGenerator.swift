import CLoadShims
import SRTP
#if canImport(Glibc)
import Glibc
#endif

/// One direction of N streams, from real UDP sockets: packets leave one socket towards each
/// stream's leg A and come back from the relay's leg B to another socket. Single-threaded.
///
/// So that the generator is not the limit, a step costs it almost nothing per packet while the
/// clock runs: every packet of the step is built (and SRTP-protected) into a preallocated store
/// before the window opens, the window only paces `sendmmsg` calls over that store (packets in
/// round-robin stream order, as before, so the relay sees no per-stream bursts) and `recvmmsg`
/// calls straight into a second store with one receive time per call; after the window every
/// received packet is decrypted and checked completely. Latency is receive time minus the time the
/// packet's `sendmmsg` call started, looked up by the serial number each packet carries.
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
        /// Packets of this step that came back intact (checked after the window).
        public var received: UInt64
        public var corrupt: UInt64
        public var corruptFaults: [LoadPacket.Fault: UInt64]
        /// Packets that came back with a sequence at or below one already seen on their stream.
        public var reordered: UInt64
        public var srtpFailures: UInt64
        public var foreign: UInt64
        /// Intact packets of an earlier step that arrived during this one (not counted as received).
        public var stale: UInt64
        public var latencyP50: Int?
        public var latencyP99: Int?
        /// The most the sender fell behind its schedule, in packets.
        public var maxLag: UInt64
        /// CPU time of the generator's thread over the sending window (building and checking excluded).
        public var generatorCPUSeconds: Double
        /// Time spent building and protecting the step's packets before the window.
        public var buildSeconds: Double
        /// Time spent decrypting and checking what came back, after the window.
        public var checkSeconds: Double
        /// sendmmsg and recvmmsg calls in the window.
        public var sendCalls: UInt64
        public var receiveCalls: UInt64

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
    /// Most datagrams per sendmmsg/recvmmsg call (at most 1024).
    public let batch: Int
    private let sendFD: Int32
    private let receiveFD: Int32
    public let sendEndpoint: (address: UInt32, port: UInt16)
    public let receiveEndpoint: (address: UInt32, port: UInt16)
    /// 172-byte packets + a 10-byte tag, rounded up.
    private static let sendSlotSize: UInt32 = 192
    /// Room for anything a broken relay might send back (longer ones arrive truncated: length 0).
    private static let receiveSlotSize: UInt32 = 256
    /// A send call waits for this many due packets, or `batchDelay` nanoseconds after the last one.
    static let minimumBatch = 32
    static let batchDelay: UInt64 = 100_000
    /// Received packets beyond this step's: stragglers of the previous one, duplicates.
    private static let receiveSlack = 65_536
    /// Grown (never shrunk) to the largest step so far, between steps only.
    private var sendStore: OpaquePointer?
    private var receiveStore: OpaquePointer?
    /// Per packet of the step: when its sendmmsg call started (0: never sent).
    private var sendTimes: UnsafeMutablePointer<UInt64>
    /// Per received slot: when its recvmmsg call returned.
    private var receiveTimes: UnsafeMutablePointer<UInt64>
    private var sendCapacity = 0
    private var receiveCapacity = 0
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
    /// Packets per sendmmsg message: 1 (default), or N for UDP GSO (UDP_SEGMENT) sends of N
    /// packets of one stream each — cheaper for the generator, but the relay then sees per-stream
    /// bursts of N instead of packets interleaved over the streams. Set between steps.
    public var segmentation = 1 {
        didSet { segmentation = min(max(segmentation, 1), 64) }
    }
    /// Serial number of the next packet built; unique over the generator's life.
    private var nextSerial: UInt64 = 1

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Binds two UDP sockets on 127.0.0.1 (ephemeral ports) with `socketBufferBytes` of buffer each.
    public init(streams: Int, batch: Int = 256, socketBufferBytes: Int32 = 8 << 20) throws(SetupError) {
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
        self.sendFD = sendFD
        self.receiveFD = receiveFD
        self.sendEndpoint = (0x7F00_0001, sendPort)
        self.receiveEndpoint = (0x7F00_0001, receivePort)
        func zeroed<T: FixedWidthInteger>(_ count: Int, _: T.Type) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        sendTimes = zeroed(1, UInt64.self)
        receiveTimes = zeroed(1, UInt64.self)
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
        load_datagrams_destroy(sendStore)
        load_datagrams_destroy(receiveStore)
        sendTimes.deallocate()
        receiveTimes.deallocate()
        targetAddresses.deallocate()
        targetPorts.deallocate()
        nextSequence.deallocate()
        highestReceived.deallocate()
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
    /// while, then keeps receiving for `drainSeconds`. Every packet received is decrypted and checked
    /// after that.
    public func run(rate: Double, seconds: Double, drainSeconds: Double = 0.3) -> StepResult {
        latency.reset()
        var result = StepResult(offeredRate: rate, plannedSeconds: seconds, seconds: seconds, sent: 0, sendRefused: 0,
                                received: 0, corrupt: 0, corruptFaults: [:], reordered: 0, srtpFailures: 0,
                                foreign: 0, stale: 0, latencyP50: nil, latencyP99: nil, maxLag: 0,
                                generatorCPUSeconds: 0, buildSeconds: 0, checkSeconds: 0, sendCalls: 0,
                                receiveCalls: 0)
        let total = Int(rate * seconds)
        guard reserve(packets: total) else {
            // Not a figure: nothing was sent, so the step reports the generator as its limit.
            result.seconds = 0
            return result
        }
        let sendStore = self.sendStore!, receiveStore = self.receiveStore!

        // 1. Build the whole step before the clock starts.
        let buildStart = Self.monotonicNanoseconds()
        let serialBase = nextSerial
        build(total, into: sendStore, serialBase: serialBase)
        nextSerial &+= UInt64(total)
        result.buildSeconds = Double(Self.monotonicNanoseconds() - buildStart) / 1e9

        // 2. The window: sendmmsg and recvmmsg over the stores, nothing else per packet.
        let start = Self.monotonicNanoseconds()
        let cpuStart = Self.threadCPUSeconds()
        let sendingEnds = start + UInt64(seconds * 1e9)
        var next = 0
        var stored = 0
        var now = start
        var lastSend = start
        // Until the window ends and all `total` are sent; a generator far behind stops 1 s late.
        while (now < sendingEnds || next < total) && now < sendingEnds + 1_000_000_000 {
            let due = now >= sendingEnds ? total : min(total, Int(Double(now - start) * rate / 1e9))
            var worked = false
            // Whole batches when the schedule allows: a call costs the kernel more than a datagram
            // in it, so waiting up to `batchDelay` for `minimumBatch` due packets halves the
            // generator's calls at high rates (a burst is still round robin over the streams).
            if due > next, due - next >= max(Self.minimumBatch, segmentation) || now >= lastSend + Self.batchDelay || due == total {
                lastSend = now
                result.maxLag = max(result.maxLag, UInt64(due - next))
                // At most four calls per turn, so receiving is never starved.
                // In messages of `unit` packets (1, or a GSO burst); a partial one only at the end.
                let unit = segmentation
                var turns = 0
                while next < due, turns < 4 {
                    turns += 1
                    let whole = due == total ? (total - next + unit - 1) / unit : (due - next) / unit
                    guard whole > 0 else { break }
                    let firstMessage = next / unit
                    let called = Self.monotonicNanoseconds()
                    let sent = load_datagrams_send(sendStore, sendFD, firstMessage, UInt32(min(batch, whole)))
                    result.sendCalls &+= 1
                    if sent > 0 {
                        let end = min(total, (firstMessage + Int(sent)) * unit)
                        for k in next..<end { sendTimes[k] = called }
                        result.sent &+= UInt64(end - next)
                        next = end
                    } else if sent == -EAGAIN || sent == -EWOULDBLOCK || sent == 0 {
                        break // its send buffer is full: the schedule slips, and maxLag shows it
                    } else {
                        // A message the kernel refused: skipped, not retried.
                        let end = min(total, (firstMessage + 1) * unit)
                        for k in next..<end { sendTimes[k] = 0 }
                        result.sendRefused &+= UInt64(end - next)
                        next = end
                    }
                }
                worked = true
            }
            if receive(into: receiveStore, stored: &stored, calls: &result.receiveCalls, maxCalls: 8) { worked = true }
            now = Self.monotonicNanoseconds()
            if !worked {
                var pause = timespec(tv_sec: 0, tv_nsec: 20_000)
                nanosleep(&pause, nil)
                now = Self.monotonicNanoseconds()
            }
        }
        result.seconds = Double(now - start) / 1e9
        result.generatorCPUSeconds = Self.threadCPUSeconds() - cpuStart
        for k in next..<total { sendTimes[k] = 0 }
        let drainEnds = now + UInt64(drainSeconds * 1e9)
        while now < drainEnds, UInt64(stored) < result.sent {
            if !receive(into: receiveStore, stored: &stored, calls: &result.receiveCalls, maxCalls: 64) {
                var pause = timespec(tv_sec: 0, tv_nsec: 200_000)
                nanosleep(&pause, nil)
            }
            now = Self.monotonicNanoseconds()
        }

        // 3. Decrypt and check every packet that came back, in arrival order.
        let checkStart = Self.monotonicNanoseconds()
        for i in 0..<stored {
            check(UnsafeMutableRawPointer(load_datagrams_slot(receiveStore, i)!),
                  length: load_datagrams_received_length(receiveStore, i), received: receiveTimes[i],
                  serialBase: serialBase, total: total, into: &result)
        }
        result.checkSeconds = Double(Self.monotonicNanoseconds() - checkStart) / 1e9
        result.latencyP50 = latency.percentile(0.50)
        result.latencyP99 = latency.percentile(0.99)
        return result
    }

    /// Grows the stores to hold a step of `packets`; false when memory is refused.
    private func reserve(packets: Int) -> Bool {
        if packets > sendCapacity {
            load_datagrams_destroy(sendStore)
            sendTimes.deallocate()
            sendStore = load_datagrams_create(packets, Self.sendSlotSize)
            sendTimes = .allocate(capacity: packets)
            sendTimes.initialize(repeating: 0, count: packets)
            sendCapacity = sendStore == nil ? 0 : packets
        }
        let receiving = packets + Self.receiveSlack
        if receiving > receiveCapacity {
            load_datagrams_destroy(receiveStore)
            receiveTimes.deallocate()
            receiveStore = load_datagrams_create(receiving, Self.receiveSlotSize)
            receiveTimes = .allocate(capacity: receiving)
            receiveTimes.initialize(repeating: 0, count: receiving)
            receiveCapacity = receiveStore == nil ? 0 : receiving
        }
        return sendStore != nil && receiveStore != nil
    }

    /// Writes `count` packets (round robin over streams) into the send store, protects them for
    /// SRTP and gives each its destination. Packet k carries serial `serialBase + k`.
    /// With `segmentation` > 1, packets go in bursts of that many per stream, each burst one message.
    private func build(_ count: Int, into store: OpaquePointer, serialBase: UInt64) {
        let unit = segmentation
        var stream = nextStream
        var segment: UInt16 = 0
        for k in 0..<count {
            if k % unit == 0 {
                stream = nextStream
                nextStream = stream + 1 == streams ? 0 : stream + 1
            }
            let buffer = UnsafeMutableRawPointer(load_datagrams_slot(store, k)!)
            var length = LoadPacket.write(into: buffer, stream: stream, sequence: nextSequence[stream],
                                          serial: serialBase &+ UInt64(k))
            nextSequence[stream] &+= 1
            if srtp {
                do {
                    try outbound[stream].protectRTP(buffer, length: &length, capacity: Int(Self.sendSlotSize))
                } catch {
                    // Cannot happen with room for the tag; a zero-length datagram fails its check.
                    length = 0
                }
            }
            load_datagrams_set_destination(store, k, UInt32(length), targetAddresses[stream], targetPorts[stream])
            if k == 0 { segment = UInt16(truncatingIfNeeded: length) }
        }
        guard unit > 1 else { return }
        // Every packet of a run has one length (one stream, one suite), so it is the segment size.
        for message in 0..<((count + unit - 1) / unit) {
            let first = message * unit
            load_datagrams_segment(store, message, first, UInt32(min(unit, count - first)), segment)
        }
    }

    /// Up to `maxCalls` recvmmsg calls into the store's next slots; true when anything arrived.
    /// Beyond the store's capacity packets are read into its last slot and not kept (a relay
    /// sending far more than it was given is caught as loss of the real ones).
    @inline(__always)
    private func receive(into store: OpaquePointer, stored: inout Int, calls: inout UInt64, maxCalls: Int) -> Bool {
        var any = false
        for _ in 0..<maxCalls {
            let first = min(stored, receiveCapacity - 1)
            let room = max(1, min(batch, receiveCapacity - first))
            let count = load_datagrams_receive(store, receiveFD, first, UInt32(room))
            calls &+= 1
            guard count > 0 else { break }
            any = true
            let now = Self.monotonicNanoseconds()
            for k in first..<(first + Int(count)) { receiveTimes[k] = now }
            stored = first + Int(count)
            if Int(count) < room { break }
        }
        return any
    }

    private func check(_ packet: UnsafeMutableRawPointer, length received: UInt32, received now: UInt64,
                       serialBase: UInt64, total: Int, into result: inout StepResult) {
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
        case .valid(let stream, let sequence, let serial):
            guard serial >= serialBase else { result.stale += 1; return }
            let index = serial - serialBase
            guard index < UInt64(total), sendTimes[Int(index)] != 0 else {
                // Intact but never sent in this step: a packet the relay made up or repeated.
                result.foreign += 1
                return
            }
            result.received += 1
            if sequence &+ 1 > highestReceived[stream] {
                highestReceived[stream] = sequence &+ 1
            } else {
                result.reordered += 1
            }
            latency.record(nanoseconds: now &- sendTimes[Int(index)])
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
