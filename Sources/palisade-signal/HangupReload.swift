import Logging
import ServiceLifecycle
import SIPTransport
import UnixSignals

/// SIGHUP (`systemctl reload palisade-signal`): TLS certificates are read from disk again. New
/// handshakes use the new files; established connections keep theirs; a bad file keeps the old
/// certificate and is logged. (Reloading the rest of the configuration arrives with issue 7.)
struct HangupReload: Service {
    let transport: TransportLayer
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                do {
                    try transport.reloadCertificates()
                    logger.notice("SIGHUP: TLS certificates reloaded")
                } catch {
                    logger.error("SIGHUP: TLS certificates not reloaded; the running ones stay",
                                 metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
