import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP (`systemctl reload palisade-signal`) does what `palisadectl config reload` does; the
/// outcome is logged (ConfigurationReload).
struct HangupReload: Service {
    let reload: ConfigurationReload

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups { _ = await reload.reload() }
        }
    }
}
