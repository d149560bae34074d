import Foundation
import Logging
import Signalling

/// `signal.call_records`: one JSON line per finished call, appended to a file that is opened for
/// each record (O_APPEND, so logrotate can move it and concurrent appends stay whole lines). A
/// record that cannot be written is logged, never retried: the call is over either way.
struct CallRecordFile: CallRecordSink {
    let path: String
    let logger: Logger

    func record(_ call: CallDetailRecord) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(call) else { return }
        line.append(UInt8(ascii: "\n"))
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            logger.warning("cannot open the call-record file",
                           metadata: ["file": "\(path)", "error": "\(String(cString: strerror(errno)))"])
            return
        }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written != line.count {
            logger.warning("a call record was not written whole",
                           metadata: ["file": "\(path)", "call": "\(call.id)", "written": "\(written)"])
        }
    }
}
