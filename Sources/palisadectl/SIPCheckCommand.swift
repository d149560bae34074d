import FoundationEssentials
import SIPMessage
#if canImport(Glibc)
import Glibc
#endif

/// `palisadectl sip check FILE...`: the signalling's verdict on captured messages, offline.
enum SIPCheckCommand {
    struct Report: Encodable {
        var file: String
        /// accept, reject, drop, or unreadable.
        var verdict: String
        var status: Int?
        var reason: String?
        var code: String?
        var header: String?
        var offset: Int?
        var message: String?
    }

    /// Prints one line (or one JSON array) and returns the exit code: 0 when every file is
    /// accepted, 1 when any is rejected, dropped or unreadable.
    static func run(files: [String], json: Bool) -> Int32 {
        let reports = files.map(check)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: (try? encoder.encode(reports)) ?? Data(), as: UTF8.self))
        } else {
            for report in reports { print(line(report)) }
        }
        return reports.allSatisfy { $0.verdict == "accept" } ? 0 : 1
    }

    static func check(_ file: String) -> Report {
        guard let bytes = readFile(file) else {
            return Report(file: file, verdict: "unreadable", reason: String(cString: strerror(errno)))
        }
        switch checkSIPMessage(bytes) {
        case .accept(let isRequest, let method, let status):
            return Report(file: file, verdict: "accept", status: status,
                          message: isRequest ? "request \(method ?? "")" : "response \(status ?? 0)")
        case .reject(let status, let reason, let code, let header, let offset):
            return Report(file: file, verdict: "reject", status: status, reason: reason, code: code.rawValue,
                          header: header, offset: offset)
        case .drop(let reason, let code, let header, let offset):
            return Report(file: file, verdict: "drop", reason: reason, code: code.rawValue, header: header,
                          offset: offset)
        }
    }

    static func line(_ report: Report) -> String {
        var text = "\(report.file): \(report.verdict)"
        switch report.verdict {
        case "accept": text += " (\(report.message ?? ""))"
        case "reject": text += " \(report.status ?? 0) \(report.reason ?? "")"
        default: text += " \(report.reason ?? "")"
        }
        var place: [String] = []
        if let header = report.header { place.append("header \(header)") }
        if let offset = report.offset { place.append("byte \(offset)") }
        if !place.isEmpty { text += " [" + place.joined(separator: ", ") + "]" }
        return text
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }
}
