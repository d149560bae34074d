import MediaControlProtocol
import MediaControlServer
import MediaEngine
import MediaSessions
import NFTables
import NFTRules
import PalisadeConfig
import PosixSupport
#if canImport(Glibc)
import Glibc
#endif

/// The relay engine and its session table, built from the configuration: one engine interface
/// per realm's `[realm.media]`, named by the realm.
struct MediaPlane {
    let engine: MediaEngine
    let sessions: SessionTable
    /// The rules of the nftables table of pinholes, when `media.firewall` is on (the session
    /// table owns the firewall itself, on the control thread).
    let firewallRules: NFTRules?

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    static func start(_ settings: PalisadeConfiguration) throws(StartError) -> MediaPlane {
        var interfaces: [MediaEngine.Interface] = []
        var advertised: [SessionTable.Interface] = []
        for realm in settings.realms {
            let media = realm.media
            guard let address = IPv4Endpoint(media.address, port: 0)?.address else {
                throw StartError(description: "realm \(realm.name): media address \(media.address) is not IPv4; "
                    + "the relay engine is IPv4 only for now")
            }
            guard let low = UInt16(exactly: media.portRange.lowerBound),
                  let high = UInt16(exactly: media.portRange.upperBound), low <= high else {
                throw StartError(description: "realm \(realm.name): media port range \(media.portRange) is invalid")
            }
            interfaces.append(MediaEngine.Interface(name: realm.name, address: address, ports: low...high))
            advertised.append(SessionTable.Interface(name: realm.name, advertise: media.advertise ?? media.address))
        }
        let engine: MediaEngine
        do {
            let media = settings.media
            engine = try MediaEngine(.init(interfaces: interfaces, workers: media.workers == 0 ? nil : media.workers,
                                           pinWorkers: media.pinWorkers,
                                           socketBufferBytes: media.socketBufferBytes == 0 ? nil
                                               : Int32(clamping: media.socketBufferBytes)))
            try engine.start()
        } catch {
            throw StartError(description: "media engine: \(error)")
        }
        let firewall: NFTMediaFirewall?
        do {
            firewall = try settings.media.firewall ? openFirewall(interfaces) : nil
        } catch {
            engine.stop()
            throw StartError(description: "nftables (media.firewall): \(error)")
        }
        let timeouts = TimeoutPolicy(active: .seconds(settings.media.timeoutSeconds),
                                     onHold: .seconds(settings.media.holdTimeoutSeconds))
        let sessions = SessionTable(engine: engine, interfaces: advertised, timeouts: timeouts, firewall: firewall) {
            var spec = timespec()
            clock_gettime(CLOCK_MONOTONIC, &spec)
            return SessionTable.Now(wall: WallClock.now(),
                                    monotonicNanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
        }
        return MediaPlane(engine: engine, sessions: sessions, firewallRules: firewall?.rules)
    }

    /// Creates (or replaces, after a crash) table `inet palisade` with no pinholes: every media
    /// port of every realm is closed until a session opens it. One range covers all realms.
    private static func openFirewall(_ interfaces: [MediaEngine.Interface]) throws(NFTError) -> NFTMediaFirewall {
        let low = interfaces.map(\.ports.lowerBound).min() ?? 0
        let high = interfaces.map(\.ports.upperBound).max() ?? 0
        let firewall = NFTMediaFirewall(rules: NFTRules(mediaPorts: low...high), connection: try NFTablesConnection())
        try firewall.setUp()
        return firewall
    }

    /// On a clean stop no pinhole outlives its session: the table is put back to all media ports
    /// closed (the control thread has stopped, so nothing else uses the connection).
    static func closeFirewall(_ rules: NFTRules) throws(NFTError) {
        try NFTMediaFirewall(rules: rules, connection: try NFTablesConnection()).setUp()
    }

    /// Each worker's totals as last published, every drop reason named (zeros included, so a
    /// rate can be taken from the first scrape on). Plain per-worker integers, summed here.
    func relayFigures() -> [RelayWorkerFigures] {
        engine.workerTotals().map { totals in
            RelayWorkerFigures(worker: totals.worker, streams: totals.streams, receivedPackets: totals.receivedPackets,
                               relayedPackets: totals.relayedPackets, drops: SessionTable.dropCounts(totals.drops),
                               receivedBytes: totals.receivedBytes, relayedBytes: totals.relayedBytes)
        }
    }

    func portPoolFigures() -> [PortPoolFigures] {
        engine.portPoolUsage().map { PortPoolFigures(interface: $0.interface, pairsInUse: $0.inUse, pairsTotal: $0.total) }
    }

    var watch: ControlWatch {
        let sessions = sessions
        return ControlWatch(fd: engine.notificationFD) { sessions.engineReadable() }
    }
}
