import DaemonSupport
import MediaControlProtocol
import MetricsExposition
import PosixSupport
import Signalling

/// One /metrics scrape: this process's figures, the link's, and palisade-media's when it answers.
struct Scrape: Sendable {
    let link: MediaPlaneLink
    let timeoutMilliseconds: Int

    func render() async -> String {
        var exposition = Exposition()
        let own = ProcessSnapshot.current()
        exposition.addProcess(.signal, version: PalisadeVersion.current, startTimeSeconds: own.startTimeSeconds,
                              cpuSecondsTotal: own.cpuSecondsTotal, residentMemoryBytes: own.residentMemoryBytes,
                              virtualMemoryBytes: own.virtualMemoryBytes,
                              openFileDescriptors: own.openFileDescriptors,
                              maxFileDescriptors: own.maxFileDescriptors)
        let state = link.state
        if state.isConnected,
           case .processMetrics(let media)? = try? await link.request(.processMetrics,
                                                                    timeoutMilliseconds: timeoutMilliseconds) {
            exposition.addProcess(.media, version: state.peer?.software ?? "unknown",
                                  startTimeSeconds: media.startTimeSeconds, cpuSecondsTotal: media.cpuSecondsTotal,
                                  residentMemoryBytes: media.residentMemoryBytes,
                                  virtualMemoryBytes: media.virtualMemoryBytes,
                                  openFileDescriptors: media.openFileDescriptors,
                                  maxFileDescriptors: media.maxFileDescriptors)
        }
        exposition.add(.mediaPlaneConnected, [], state.isConnected ? 1 : 0)
        exposition.add(.mediaPlaneConnections, [], Double(state.connections))
        return exposition.render()
    }
}
