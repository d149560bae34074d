#if canImport(Glibc)
import Glibc
#endif

/// Figures read from /proc for the benchmark's verdicts.
public enum ProcFigures {
    /// utime + stime of every thread of `pid`, in seconds (fields 14 and 15 of /proc/PID/stat).
    public static func cpuSeconds(pid: Int32) -> Double? {
        guard let text = read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After "pid (comm)": state is field 3, so utime (14) and stime (15) are at 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Datagrams the kernel dropped on full receive buffers, summed over the IPv4 UDP sockets
    /// bound to 127.0.0.1 on one of `ports` (the last column of /proc/net/udp).
    public static func udpDrops(ports: Set<UInt16>) -> UInt64 {
        guard let text = read("/proc/net/udp") else { return 0 }
        var drops: UInt64 = 0
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count >= 13 else { continue }
            let local = fields[1].split(separator: ":")
            guard local.count == 2, let port = UInt16(local[1], radix: 16), ports.contains(port) else { continue }
            drops += UInt64(fields[fields.count - 1]) ?? 0
        }
        return drops
    }

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            bytes.append(contentsOf: chunk[0..<n])
            guard bytes.count < 64 << 20 else { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The counter an LD_PRELOAD interposer (Benchmarks/media-malloc-count.c) keeps in a shared file:
/// malloc-family calls of the whole process it is loaded into.
public final class SharedMallocCounter {
    private let mapping: UnsafeMutableRawPointer

    public init?(path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let mapped = mmap(nil, 4096, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else { return nil }
        mapping = mapped
    }

    deinit { munmap(mapping, 4096) }

    /// Allocation calls counted so far; nil until the interposer has mapped the file.
    public var allocations: UInt64? {
        // Word 1 is the interposer's "mapped" marker; word 0 the count.
        let marker = mapping.load(fromByteOffset: 8, as: UInt64.self)
        guard marker == 0x5041_4C49_5341_4445 else { return nil }
        return mapping.load(as: UInt64.self)
    }
}
