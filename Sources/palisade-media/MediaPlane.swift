import MediaControlProtocol
import MediaControlServer
import MediaEngine
import MediaSessions
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
            engine = try MediaEngine(.init(interfaces: interfaces,
                                           workers: settings.media.workers == 0 ? nil : settings.media.workers))
            try engine.start()
        } catch {
            throw StartError(description: "media engine: \(error)")
        }
        let timeouts = TimeoutPolicy(active: .seconds(settings.media.timeoutSeconds),
                                     onHold: .seconds(settings.media.holdTimeoutSeconds))
        let sessions = SessionTable(engine: engine, interfaces: advertised, timeouts: timeouts) {
            var spec = timespec()
            clock_gettime(CLOCK_MONOTONIC, &spec)
            return SessionTable.Now(wall: WallClock.now(),
                                    monotonicNanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
        }
        return MediaPlane(engine: engine, sessions: sessions)
    }

    /// Each worker's totals as last published, every drop reason named (zeros included, so a
    /// rate can be taken from the first scrape on). Plain per-worker integers, summed here.
    func relayFigures() -> [RelayWorkerFigures] {
        engine.workerTotals().map { totals in
            RelayWorkerFigures(worker: totals.worker, streams: totals.streams, receivedPackets: totals.receivedPackets,
                               relayedPackets: totals.relayedPackets, drops: SessionTable.dropCounts(totals.drops))
        }
    }

    var watch: ControlWatch {
        let sessions = sessions
        return ControlWatch(fd: engine.notificationFD) { sessions.engineReadable() }
    }
}
