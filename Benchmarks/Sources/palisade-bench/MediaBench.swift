import MediaControlProtocol
import MediaLoad
import SRTP
#if canImport(Glibc)
import Glibc
#endif

/// `palisade-bench media`: N sessions through palisade-media's control socket, one stream each,
/// packets A → B from real UDP sockets; prints `BENCH` lines. See Benchmarks/media.sh.
struct MediaBench {
    enum Profile: String { case rtp, srtp }
    enum Mode: String { case max, fixed }

    let socket: String
    let mediaPID: Int32
    let interface: String
    let profile: Profile
    let mode: Mode
    let streams: Int
    let fixedRate: Double
    let stepSeconds: Double
    let fixedSeconds: Double
    let startRate: Double
    let rateStep: Double
    let maxRate: Double
    let capSeconds: Double
    let mallocCounter: SharedMallocCounter?
    /// Packets per UDP GSO send (1: none).
    let segmentation: Int

    static let suite = "AES_CM_128_HMAC_SHA1_80"
    /// A step passes below this loss.
    static let lossLimit = 0.001

    init(_ options: Options) throws(UsageError) {
        socket = try options.required("socket")
        guard let pid = Int32(try options.required("media-pid")) else { throw UsageError("--media-pid: a number") }
        mediaPID = pid
        interface = options.string("interface", default: "bench")
        guard let profile = Profile(rawValue: options.string("profile", default: "rtp")),
              let mode = Mode(rawValue: options.string("mode", default: "fixed")) else {
            throw UsageError("--profile rtp|srtp, --mode max|fixed")
        }
        self.profile = profile
        self.mode = mode
        streams = options.int("streams", default: 10)
        fixedRate = options.double("rate", default: 50_000)
        stepSeconds = options.double("step-seconds", default: 2)
        fixedSeconds = options.double("fixed-seconds", default: 5)
        startRate = options.double("start-rate", default: 50_000)
        rateStep = options.double("rate-step", default: 50_000)
        maxRate = options.double("max-rate", default: 600_000)
        capSeconds = options.double("cap-seconds", default: 45)
        mallocCounter = options.optional("malloc-counter").flatMap { SharedMallocCounter(path: $0) }
        segmentation = min(max(options.int("gso", default: 1), 1), 64)
    }

    private var label: String {
        let base = mode == .fixed ? "media_\(profile.rawValue)_\(Int(fixedRate / 1000))k" : "media_\(profile.rawValue)_max"
        return segmentation > 1 ? "\(base)_gso\(segmentation)" : base
    }

    func run() throws(BenchError) {
        let control: MediaControlClient
        do {
            control = try MediaControlClient(socket: socket)
        } catch {
            throw BenchError("\(error)")
        }
        let generator: LoadGenerator
        do {
            generator = try LoadGenerator(streams: streams)
        } catch {
            throw BenchError("generator: \(error)")
        }
        if profile == .srtp {
            print("# \(label): libsrtp2 in palisade-bench (the generator): \(SRTPLibrary.buildDescription); "
                + "\(Self.suite), a different key on each leg")
        }
        var keys: [LoadGenerator.StreamKeys] = []
        var created: [String] = []
        defer {
            for session in created { _ = try? control.request(.deleteSession(SessionReference(session: session))) }
        }
        var mediaPorts: Set<UInt16> = []
        for index in 0..<streams {
            let session = "bench-\(profile.rawValue)-\(getpid())-\(index)"
            let sendKey = SRTPMasterKey.random(for: .aesCM128HmacSHA1_80)
            let a: LegProfile = profile == .rtp ? .rtp
                : .srtp(suite: Self.suite, localKey: nil, remoteKey: sendKey.sdesInlineKeySalt)
            let b: LegProfile = profile == .rtp ? .rtp
                : .srtp(suite: Self.suite, localKey: nil,
                        remoteKey: SRTPMasterKey.random(for: .aesCM128HmacSHA1_80).sdesInlineKeySalt)
            let spec = SessionSpec(session: session, streams: [StreamSpec(
                index: 0,
                a: LegSpec(interface: interface, rtcpMux: true,
                           remote: Endpoint(address: "127.0.0.1", port: Int(generator.sendEndpoint.port)), profile: a),
                b: LegSpec(interface: interface, rtcpMux: true,
                           remote: Endpoint(address: "127.0.0.1", port: Int(generator.receiveEndpoint.port)),
                           profile: b))])
            let reply: Result<ControlReply.Body, ControlFailure>
            do {
                reply = try control.request(.createSession(spec))
            } catch {
                throw BenchError("\(error)")
            }
            switch reply {
            case .success(.created(let allocation)):
                created.append(session)
                guard let legs = allocation.streams.first, let address = Self.ipv4(legs.a.address),
                      let port = UInt16(exactly: legs.a.rtpPort) else {
                    throw BenchError("create-session \(session): unusable allocation \(allocation)")
                }
                generator.setTarget(stream: index, address: address, port: port)
                mediaPorts.insert(port)
                if let port = UInt16(exactly: legs.b.rtpPort) { mediaPorts.insert(port) }
                if profile == .srtp {
                    guard let text = legs.b.localKey,
                          let receiveKey = try? SRTPMasterKey(suite: .aesCM128HmacSHA1_80, sdesInlineKeySalt: text) else {
                        throw BenchError("create-session \(session): leg b has no usable SRTP key in \(legs.b)")
                    }
                    keys.append(.init(send: sendKey, receive: receiveKey))
                }
            case .success(let other):
                throw BenchError("create-session answered with \(other.command.rawValue)")
            case .failure(let failure):
                if profile == .srtp && index == 0 {
                    // Not a figure: palisade-media does not relay SRTP legs (yet). Say so, with its reason.
                    print("BENCH \(label) skipped - palisade-media refused an SRTP session: \(failure)")
                    return
                }
                throw BenchError("create-session \(session) refused: \(failure)")
            }
        }
        if profile == .srtp {
            do {
                try generator.useSRTP(keys)
            } catch {
                throw BenchError("generator SRTP contexts: \(error)")
            }
        }
        print("# \(label): \(streams) sessions, one stream each, \(LoadPacket.length)-byte RTP packets A -> B, "
            + "palisade-media pid \(mediaPID); the generator builds (and protects) each step's packets before "
            + "its window, sends them with paced sendmmsg from one unconnected socket, "
            + (segmentation > 1
                ? "IN UDP GSO BURSTS OF \(segmentation) PACKETS OF ONE STREAM (--gso \(segmentation): the relay sees "
                    + "per-stream bursts, not packets interleaved over the streams; figures not comparable with --gso 1), "
                : "round robin over the streams (no GSO), ")
            + "stores what comes back and decrypts and checks every packet after the window")
        generator.segmentation = segmentation

        // Warm-up: latches leg A, fills caches; its figures are not kept. Every packet must come back.
        let warm = generator.run(rate: min(20_000, fixedRate), seconds: 0.5, drainSeconds: 0.5)
        guard warm.received > 0, warm.corrupt == 0, warm.srtpFailures == 0 else {
            throw BenchError("warm-up: \(warm.received) of \(warm.sent) packets came back, \(warm.corrupt) corrupt, "
                + "\(warm.srtpFailures) failed SRTP authentication: the relay path does not work")
        }
        switch mode {
        case .fixed: fixed(generator, mediaPorts: mediaPorts)
        case .max: maximum(generator, mediaPorts: mediaPorts)
        }
    }

    /// A measured step with the relay's CPU, socket drops and allocations around it.
    struct Measured {
        var step: LoadGenerator.StepResult
        var mediaCPUSeconds: Double
        var mediaSocketDrops: UInt64
        var generatorSocketDrops: UInt64
        var allocations: UInt64?

        var cpuMicrosecondsPerPacket: Double { step.received == 0 ? 0 : mediaCPUSeconds / Double(step.received) * 1e6 }
        var passed: Bool {
            step.lossFraction < MediaBench.lossLimit && step.corrupt == 0 && step.srtpFailures == 0
        }
        /// Why the generator, not the relay, was the limit; nil when it kept up.
        var generatorLimit: String? {
            if let limit = step.generatorLimit { return limit }
            if generatorSocketDrops > 0, Double(generatorSocketDrops) >= Double(step.lost) * 0.5, step.lost > 0 {
                return "the generator's receive socket overflowed (\(generatorSocketDrops) dropped there)"
            }
            return nil
        }
    }

    private func measure(_ generator: LoadGenerator, rate: Double, seconds: Double, mediaPorts: Set<UInt16>) -> Measured {
        let generatorPorts: Set<UInt16> = [generator.receiveEndpoint.port]
        let cpuBefore = ProcFigures.cpuSeconds(pid: mediaPID) ?? 0
        let mediaDropsBefore = ProcFigures.udpDrops(ports: mediaPorts)
        let generatorDropsBefore = ProcFigures.udpDrops(ports: generatorPorts)
        let allocationsBefore = mallocCounter?.allocations
        let step = generator.run(rate: rate, seconds: seconds)
        let allocationsAfter = mallocCounter?.allocations
        let cpuAfter = ProcFigures.cpuSeconds(pid: mediaPID) ?? 0
        var allocations: UInt64? = nil
        if let allocationsBefore, let allocationsAfter { allocations = allocationsAfter - allocationsBefore }
        return Measured(step: step, mediaCPUSeconds: cpuAfter - cpuBefore,
                        mediaSocketDrops: ProcFigures.udpDrops(ports: mediaPorts) - mediaDropsBefore,
                        generatorSocketDrops: ProcFigures.udpDrops(ports: generatorPorts) - generatorDropsBefore,
                        allocations: allocations)
    }

    private func describe(_ m: Measured) -> String {
        let s = m.step
        return "offered \(Int(s.offeredRate))/s for \(format(s.seconds, 2)) s: sent \(s.sent) (refused \(s.sendRefused)), "
            + "received \(s.received), loss \(format(s.lossFraction * 100, 3)) %, corrupt \(s.corrupt), "
            + "srtp failures \(s.srtpFailures), reordered \(s.reordered), stale \(s.stale), foreign \(s.foreign), "
            + "drops on relay sockets \(m.mediaSocketDrops), "
            + "on generator socket \(m.generatorSocketDrops), relay CPU \(format(m.cpuMicrosecondsPerPacket, 2)) us/packet, "
            + "generator core \(Int(s.generatorBusy * 100)) % busy (\(s.sendCalls) sendmmsg, \(s.receiveCalls) recvmmsg; "
            + "built \(format(s.buildSeconds, 2)) s before, checked \(format(s.checkSeconds, 2)) s after the window)"
    }

    private func fixed(_ generator: LoadGenerator, mediaPorts: Set<UInt16>) {
        let m = measure(generator, rate: fixedRate, seconds: fixedSeconds, mediaPorts: mediaPorts)
        print("# \(label): \(describe(m))")
        report(m, label: label)
        if let allocations = m.allocations {
            let name = profile == .rtp ? "media_allocs_per_packet" : "media_srtp_allocs_per_packet"
            print("# \(label): palisade-media made \(allocations) malloc-family calls while relaying "
                + "\(m.step.received) packets (whole process, steady state, \(format(m.step.seconds, 2)) s; "
                + "the counter works: \(mallocCounter?.allocations ?? 0) calls since palisade-media started)")
            print("BENCH \(name) \(format(Double(allocations) / Double(max(m.step.received, 1)), 4)) count")
        }
    }

    private func maximum(_ generator: LoadGenerator, mediaPorts: Set<UInt16>) {
        let started = LoadGenerator.monotonicNanoseconds()
        func elapsed() -> Double { Double(LoadGenerator.monotonicNanoseconds() - started) / 1e9 }
        var best: Measured? = nil
        var failedAt: Double? = nil
        var limit = "no step failed up to --max-rate \(Int(maxRate))/s"
        var generatorBound = false
        var rate = startRate
        var refinements = 0
        // Bounded: at most 16 steps and capSeconds of wall time.
        for _ in 0..<16 {
            guard elapsed() + stepSeconds <= capSeconds else { limit = "time cap of \(Int(capSeconds)) s reached"; break }
            let m = measure(generator, rate: rate, seconds: stepSeconds, mediaPorts: mediaPorts)
            let generatorLimit = m.generatorLimit
            let ok = m.passed && generatorLimit == nil
            print("# \(label): \(ok ? "pass" : "FAIL"): \(describe(m))")
            if ok {
                if best.map({ m.step.deliveredRate > $0.step.deliveredRate }) ?? true { best = m }
            } else {
                failedAt = min(failedAt ?? rate, rate)
                if let generatorLimit {
                    limit = "generator: \(generatorLimit)"
                        + (m.mediaSocketDrops > 0 ? "; the relay's sockets also dropped \(m.mediaSocketDrops)" : "")
                    generatorBound = true
                } else {
                    limit = "relay: loss \(format(m.step.lossFraction * 100, 3)) % at \(Int(rate))/s offered"
                        + (m.mediaSocketDrops > 0 ? " (\(m.mediaSocketDrops) dropped on palisade-media's sockets)" : "")
                    generatorBound = false
                }
            }
            // Rising by rateStep until a failure, then two bisections between the last pass and it.
            if let failedAt {
                let low = best?.step.offeredRate ?? 0
                guard refinements < 2, failedAt - low > rateStep / 8 else { break }
                refinements += 1
                rate = (low + failedAt) / 2
            } else {
                rate += rateStep
                guard rate <= maxRate else { break }
            }
        }
        print("# \(label): limit: \(limit)")
        guard let best else {
            print("BENCH \(label)_pps 0 pps")
            print("BENCH \(label)_generator_bound \(generatorBound ? 1 : 0) bool")
            return
        }
        print("BENCH \(label)_pps \(Int(best.step.deliveredRate)) pps")
        report(best, label: label, skipRate: true)
        print("BENCH \(label)_generator_bound \(generatorBound ? 1 : 0) bool")
    }

    private func report(_ m: Measured, label: String, skipRate: Bool = false) {
        if !skipRate { print("BENCH \(label)_delivered_pps \(Int(m.step.deliveredRate)) pps") }
        print("BENCH \(label)_loss_pct \(format(m.step.lossFraction * 100, 4)) %")
        print("BENCH \(label)_latency_p50_us \(m.step.latencyP50 ?? -1) us")
        print("BENCH \(label)_latency_p99_us \(m.step.latencyP99 ?? -1) us")
        print("BENCH \(label)_media_cpu_s_per_mpkt \(format(m.cpuMicrosecondsPerPacket, 3)) cpu_seconds_per_million_packets")
        print("BENCH \(label)_media_cpu_us_per_packet \(format(m.cpuMicrosecondsPerPacket, 3)) us")
        if let limit = m.generatorLimit {
            print("# \(label): the GENERATOR was the limit of this figure, not the relay: \(limit)")
        }
        if m.step.corrupt > 0 || m.step.srtpFailures > 0 {
            print("# \(label): ERROR: \(m.step.corrupt) corrupt packets \(m.step.corruptFaults), "
                + "\(m.step.srtpFailures) failed SRTP authentication")
        }
    }

    static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard parts.count == 4, text.split(separator: ".", omittingEmptySubsequences: false).count == 4 else { return nil }
        return parts.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}

func format(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if text.hasSuffix(".0") && decimals == 0 { text.removeLast(2) }
    return text
}
