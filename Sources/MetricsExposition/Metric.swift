/// Every metric family Palisade exports: the single source of truth for names, types, help
/// text, labels and docs/METRICS.md (a test compares the two).
///
/// Names follow Prometheus conventions: prefix `palisade_`, base units, `_total` on counters.
/// Metrics of both daemons share one endpoint and are told apart by the `process` label.
public enum Metric: String, CaseIterable, Sendable {
    case buildInfo = "palisade_build_info"
    case processStartTime = "palisade_process_start_time_seconds"
    case processCPUSeconds = "palisade_process_cpu_seconds_total"
    case processResidentMemory = "palisade_process_resident_memory_bytes"
    case processVirtualMemory = "palisade_process_virtual_memory_bytes"
    case processOpenFileDescriptors = "palisade_process_open_fds"
    case processMaxFileDescriptors = "palisade_process_max_fds"
    case mediaPlaneConnected = "palisade_media_plane_connected"
    case mediaPlaneConnections = "palisade_media_plane_connections_total"

    public enum Kind: String, Sendable { case counter, gauge }

    public var kind: Kind {
        switch self {
        case .processCPUSeconds, .mediaPlaneConnections: .counter
        case .buildInfo, .processStartTime, .processResidentMemory, .processVirtualMemory,
             .processOpenFileDescriptors, .processMaxFileDescriptors, .mediaPlaneConnected: .gauge
        }
    }

    /// Label names, in the order they are printed.
    public var labels: [String] {
        switch self {
        case .buildInfo: ["process", "version"]
        case .processStartTime, .processCPUSeconds, .processResidentMemory, .processVirtualMemory,
             .processOpenFileDescriptors, .processMaxFileDescriptors: ["process"]
        case .mediaPlaneConnected, .mediaPlaneConnections: []
        }
    }

    public var help: String {
        switch self {
        case .buildInfo: "Always 1; labels carry the software version of each daemon."
        case .processStartTime: "Start time of the daemon since the Unix epoch, in seconds."
        case .processCPUSeconds: "User and system CPU time spent by the daemon, in seconds."
        case .processResidentMemory: "Resident memory of the daemon, in bytes."
        case .processVirtualMemory: "Virtual memory size of the daemon, in bytes."
        case .processOpenFileDescriptors: "Open file descriptors of the daemon."
        case .processMaxFileDescriptors: "Limit on open file descriptors of the daemon (RLIMIT_NOFILE soft limit)."
        case .mediaPlaneConnected: "1 while palisade-signal holds a working control connection to palisade-media, else 0."
        case .mediaPlaneConnections: "Control connections to palisade-media completed (handshake done) since palisade-signal started."
        }
    }
}

/// The `process` label's values.
public enum DaemonLabel: String, Sendable, CaseIterable {
    case signal
    case media
}
