#if canImport(Glibc)
import Glibc
#endif

/// What the kernel says about this process right now, read from /proc/self.
public struct ProcessSnapshot: Sendable, Equatable {
    public var pid: Int32
    /// Unix seconds.
    public var startTimeSeconds: Double
    public var cpuSecondsTotal: Double
    public var residentMemoryBytes: Int
    public var virtualMemoryBytes: Int
    public var openFileDescriptors: Int
    public var maxFileDescriptors: Int

    /// Reads /proc/self/stat, /proc/stat (boot time), /proc/self/fd and RLIMIT_NOFILE.
    public static func current() -> ProcessSnapshot {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        let stat = ProcessStat(text: readSmallFile("/proc/self/stat") ?? "")
        let bootTime = Self.bootTimeSeconds()
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        return ProcessSnapshot(
            pid: getpid(),
            startTimeSeconds: bootTime + Double(stat.startTimeTicks) / ticks,
            cpuSecondsTotal: Double(stat.userTicks + stat.systemTicks) / ticks,
            residentMemoryBytes: stat.residentPages * pageSize,
            virtualMemoryBytes: stat.virtualBytes,
            openFileDescriptors: countDirectoryEntries("/proc/self/fd"),
            maxFileDescriptors: Int(clamping: limit.rlim_cur))
    }

    static func bootTimeSeconds() -> Double {
        guard let text = readSmallFile("/proc/stat") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingSpaces()) ?? 0
        }
        return 0
    }
}

/// The fields of /proc/PID/stat that matter here (proc(5)). The command name sits in
/// parentheses and may itself contain spaces or parentheses, so fields are counted from the
/// last ')'.
struct ProcessStat: Equatable {
    var userTicks = 0
    var systemTicks = 0
    var startTimeTicks = 0
    var virtualBytes = 0
    var residentPages = 0

    init(text: String) {
        guard let close = text.lastIndex(of: ")") else { return }
        // After ')': field 3 (state) onwards; utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
        let fields = text[text.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Int { fields.count > number - 3 ? Int(fields[number - 3]) ?? 0 : 0 }
        userTicks = field(14)
        systemTicks = field(15)
        startTimeTicks = field(22)
        virtualBytes = field(23)
        residentPages = field(24)
    }
}

/// Reads a file of /proc (whose size stat reports as 0) into a String; nil if it cannot be opened.
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

func countDirectoryEntries(_ path: String) -> Int {
    guard let dir = opendir(path) else { return 0 }
    defer { closedir(dir) }
    var count = 0
    while let entry = readdir(dir) {
        let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
            name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
        }
        if !isDot { count += 1 }
    }
    // The directory stream itself holds one descriptor while counting.
    return max(0, count - 1)
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" || s.last == "\r" { s.removeLast() }
        return s
    }
}

/// The open-file limit (RLIMIT_NOFILE).
public enum DescriptorLimit {
    /// Raises the soft limit to the hard one and returns the soft limit now in force. A daemon
    /// started from a shell or a service manager often gets a soft limit of 1,024, and the media
    /// plane holds four sockets per call: the hard limit is the operator's real ceiling
    /// (the systemd units set it with LimitNOFILE).
    @discardableResult
    public static func raiseToHard() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
