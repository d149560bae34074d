import CPalisadeShims
import MediaEngine
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A measurement, not a test: runs only with PALISADE_RELAY_BENCH=1, by hand, in release:
///
///     swift build -c release -Xswiftc -enable-testing --build-tests
///     PALISADE_RELAY_BENCH=1 LD_PRELOAD=/path/to/libmalloccount.so \
///       .build/release/PalisadePackageTests.xctest --testing-library swift-testing --filter RelayBenchmark
///
/// (A release build of the whole package compiles swift-nio; a scratch package whose targets are
/// symlinks to Sources/{CPalisadeShims,RTP,MediaEngine} and Tests/MediaEngineTests builds in ~1 min.)
/// Optional: PALISADE_BENCH_STREAMS (default 4), PALISADE_BENCH_SECONDS (default 3).
///
/// One worker pinned to CPU 0 relays plain RTP (172-byte packets) for `streams` streams; a
/// generator pthread pinned to CPU 1 keeps at most `window` packets in flight (closed loop, so
/// a full socket buffer cannot turn into loss) and prints `BENCH` lines. With an LD_PRELOAD
/// interposer exporting `palisade_malloc_count`, it also prints mallocs per relayed packet over
/// the steady-state window (the whole process: worker and generator).
@Suite("RelayBenchmark")
struct RelayBenchmark {
    @Test("plain RTP relay: packets per second and mallocs per packet, one worker",
          .enabled(if: getenv("PALISADE_RELAY_BENCH") != nil))
    func plainRelay() throws {
        let streams = Int(getenv("PALISADE_BENCH_STREAMS").map { String(cString: $0) } ?? "") ?? 4
        let seconds = Int(getenv("PALISADE_BENCH_SECONDS").map { String(cString: $0) } ?? "") ?? 3
        let engine = try MediaEngine(.init(
            interfaces: [.init(name: "lo", address: IPv4Endpoint.loopback, ports: 12000...12999)],
            workers: 1, maxStreamsPerWorker: 1024, batchSize: 64, pinWorkers: true,
            socketBufferBytes: 4 << 20))
        try engine.start()
        defer { engine.stop() }

        let generator = Generator(streams: streams, seconds: seconds, window: 64 * streams)
        for s in 0..<streams {
            let ports = try engine.addStream(StreamSpec(
                id: StreamID(UInt64(s)), a: LegSpec(interface: "lo"),
                b: LegSpec(interface: "lo", remote: generator.receivers[s].endpoint))).get()
            generator.targets[s] = ports.a.local
        }
        let before = engine.workerTotals()[0]
        generator.runOnPinnedThread(cpu: 1)
        let after = engine.workerTotals()[0]
        let r = generator.result
        let pps = Double(r.received) / r.seconds
        print("BENCH relay streams=\(streams) batch=64 packet=172B pps=\(Int(pps)) received=\(r.received) "
              + "sent=\(r.sent) window_s=\(r.seconds)")
        let workerCPU = r.processCPU - r.generatorCPU
        print("BENCH relay worker_cpu_us_per_packet=\(workerCPU / Double(max(r.received, 1)) * 1e6) "
              + "generator_cpu_us_per_packet=\(r.generatorCPU / Double(max(r.received, 1)) * 1e6) "
              + "worker_cpu_share=\(workerCPU / r.seconds) generator_cpu_share=\(r.generatorCPU / r.seconds)")
        print("BENCH relay worker_relayed=\(after.relayedPackets - before.relayedPackets) "
              + "drops=\(after.drops.total - before.drops.total) batches=\(after.receiveBatches - before.receiveBatches)")
        if let mallocs = r.mallocs {
            print("BENCH relay mallocs=\(mallocs) mallocs_per_packet=\(Double(mallocs) / Double(max(r.received, 1)))")
        } else {
            print("BENCH relay mallocs=unmeasured (run with LD_PRELOAD of a palisade_malloc_count interposer)")
        }
        if r.generatorCPU / r.seconds > 0.9 {
            print("BENCH relay note=generator-bound (its core was busy > 90 %): the relay may go faster")
        }
    }
}

private typealias MallocCounter = @convention(c) () -> UInt

private func mallocCounter() -> MallocCounter? {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "palisade_malloc_count") else { return nil }
    return unsafeBitCast(symbol, to: MallocCounter.self)
}

private func cpuSeconds(_ clock: clockid_t) -> Double {
    var spec = timespec()
    clock_gettime(clock, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Sends on the A legs and receives on the B legs from one pthread, all buffers preallocated.
private final class Generator: @unchecked Sendable {
    struct Result {
        var sent = 0
        var received = 0
        var seconds = 0.0
        var processCPU = 0.0
        var generatorCPU = 0.0
        var mallocs: UInt?
    }

    let streams: Int
    let seconds: Int
    let window: Int
    let senders: [LoopbackPeer]
    let receivers: [LoopbackPeer]
    var targets: [IPv4Endpoint]
    var result = Result()
    var cpu: Int32 = 1

    init(streams: Int, seconds: Int, window: Int) {
        self.streams = streams
        self.seconds = seconds
        self.window = window
        senders = (0..<streams).map { _ in try! LoopbackPeer() }
        receivers = (0..<streams).map { _ in try! LoopbackPeer() }
        // The closed loop must not lose packets in its own receive buffers (capped by rmem_max).
        for receiver in receivers {
            var size: Int32 = 4 << 20
            _ = setsockopt(receiver.fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        targets = Array(repeating: IPv4Endpoint(address: 0, port: 0), count: streams)
    }

    func runOnPinnedThread(cpu: Int32) {
        self.cpu = cpu
        var handle = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&handle, nil, { raw in
            let generator = Unmanaged<Generator>.fromOpaque(raw!).takeRetainedValue()
            generator.run()
            return nil
        }, context)
        precondition(created == 0, "pthread_create failed")
        pthread_join(handle, nil)
    }

    private func run() {
        _ = palisade_pin_current_thread(cpu)
        let batch = 32
        let packetSize = 172
        let memory = UnsafeMutablePointer<UInt8>.allocate(capacity: 64 * 2048)
        memory.initialize(repeating: 0, count: 64 * 2048)
        let buffers = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: 64)
        for i in 0..<64 { (buffers + i).initialize(to: memory + i * 2048) }
        let lengths = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
        lengths.initialize(repeating: UInt32(packetSize), count: 64)
        let addresses = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
        addresses.initialize(repeating: IPv4Endpoint.loopback, count: 64)
        let ports = UnsafeMutablePointer<UInt16>.allocate(capacity: 64)
        ports.initialize(repeating: 0, count: 64)
        let sendBatch = palisade_mmsg_batch_create(64)!
        let receiveBatch = palisade_mmsg_batch_create(64)!
        defer {
            memory.deallocate()
            buffers.deallocate()
            lengths.deallocate()
            addresses.deallocate()
            ports.deallocate()
            palisade_mmsg_batch_destroy(sendBatch)
            palisade_mmsg_batch_destroy(receiveBatch)
        }
        let senderFDs = senders.map(\.fd)
        let receiverFDs = receivers.map(\.fd)
        let targetPorts = targets.map(\.port)
        var sequences = Array(repeating: UInt16(0), count: streams)
        let counter = mallocCounter()

        var sent = 0
        var received = 0
        let start = MonotonicNanoseconds.now()
        let warmupEnd = start + 500_000_000
        let end = warmupEnd + UInt64(seconds) * 1_000_000_000
        var measuring = false
        var mark = (received: 0, sent: 0, time: UInt64(0), process: 0.0, thread: 0.0, mallocs: UInt(0))
        var turn = 0
        var idleSince: UInt64 = 0
        var writtenOff = 0
        while true {
            turn &+= 1
            let now = turn % 64 == 0 || !measuring ? MonotonicNanoseconds.now() : 0
            if now != 0 {
                if !measuring, now >= warmupEnd {
                    measuring = true
                    mark = (received, sent, now, cpuSeconds(CLOCK_PROCESS_CPUTIME_ID),
                            cpuSeconds(CLOCK_THREAD_CPUTIME_ID), counter?() ?? 0)
                }
                if now >= end { break }
            }
            for s in 0..<streams where sent - received - writtenOff < window {
                // RTP header of each packet: V=2, PT 0, sequence, timestamp, SSRC.
                for k in 0..<batch {
                    let p = buffers[k]!
                    let sequence = sequences[s] &+ UInt16(k)
                    let timestamp = UInt32(sequence) &* 160
                    p[0] = 0x80
                    p[1] = 0
                    p[2] = UInt8(sequence >> 8)
                    p[3] = UInt8(sequence & 0xFF)
                    p[4] = UInt8(timestamp >> 24)
                    p[5] = UInt8(timestamp >> 16 & 0xFF)
                    p[6] = UInt8(timestamp >> 8 & 0xFF)
                    p[7] = UInt8(timestamp & 0xFF)
                    p[8] = UInt8(s)
                    ports[k] = targetPorts[s]
                }
                let n = Int(palisade_send_batch(sendBatch, senderFDs[s], buffers, lengths, addresses, ports,
                                                UInt32(batch)))
                sequences[s] &+= UInt16(n)
                sent += n
            }
            var got = 0
            for s in 0..<streams {
                while true {
                    let n = Int(palisade_recv_batch(receiveBatch, receiverFDs[s], buffers + 32, 2048, 32,
                                                    lengths + 32, addresses + 32, ports + 32))
                    if n <= 0 { break }
                    got += n
                }
            }
            received += got
            // Packets lost in the kernel would stall the closed loop: after 20 ms of silence,
            // write them off.
            if got == 0 {
                let t = MonotonicNanoseconds.now()
                if idleSince == 0 { idleSince = t } else if t - idleSince > 20_000_000 {
                    writtenOff = sent - received
                    idleSince = 0
                }
            } else {
                idleSince = 0
            }
        }
        let stop = MonotonicNanoseconds.now()
        let mallocsEnd = counter?() ?? 0
        result = Result(sent: sent - mark.sent, received: received - mark.received,
                        seconds: Double(stop - mark.time) / 1e9,
                        processCPU: cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - mark.process,
                        generatorCPU: cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - mark.thread,
                        mallocs: counter == nil ? nil : mallocsEnd - mark.mallocs)
    }
}

private enum MonotonicNanoseconds {
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
