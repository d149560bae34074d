extension Exposition {
    /// The process families of one daemon.
    public mutating func addProcess(_ daemon: DaemonLabel, version: String, startTimeSeconds: Double,
                                    cpuSecondsTotal: Double, residentMemoryBytes: Int, virtualMemoryBytes: Int,
                                    openFileDescriptors: Int, maxFileDescriptors: Int) {
        let process = [daemon.rawValue]
        add(.buildInfo, [daemon.rawValue, version], 1)
        add(.processStartTime, process, startTimeSeconds)
        add(.processCPUSeconds, process, cpuSecondsTotal)
        add(.processResidentMemory, process, Double(residentMemoryBytes))
        add(.processVirtualMemory, process, Double(virtualMemoryBytes))
        add(.processOpenFileDescriptors, process, Double(openFileDescriptors))
        add(.processMaxFileDescriptors, process, Double(maxFileDescriptors))
    }
}
