@testable import DaemonSupport
import Logging
import Testing

@Suite("Log lines")
struct PalisadeLogHandlerTests {
    @Test("text: time, level, logger, message, then metadata sorted by key")
    func text() {
        let line = PalisadeLogHandler.textLine(time: "2026-11-22T11:00:00.000Z", level: .notice, label: "palisade-signal",
                                               message: "media plane connected",
                                               metadata: ["pid": "42", "path": "/run/palisade/media.sock"])
        #expect(line == "2026-11-22T11:00:00.000Z notice palisade-signal: media plane connected path=/run/palisade/media.sock pid=42")
    }

    @Test("JSON: one object per line, strings escaped, reserved keys never overwritten by metadata")
    func json() {
        let line = PalisadeLogHandler.jsonLine(time: "2026-11-22T11:00:00.000Z", level: .error, label: "palisade-media",
                                               message: "bad \"frame\"\n\u{1}", metadata: ["msg": "spoof", "fd": "7"])
        #expect(line == #"{"ts":"2026-11-22T11:00:00.000Z","level":"error","logger":"palisade-media","msg":"bad \"frame\"\n\u0001","fd":"7"}"#)
    }

    @Test("timestamps are RFC 3339 UTC with milliseconds")
    func timestamp() {
        let stamp = PalisadeLogHandler.timestamp()
        #expect(stamp.count == 24 && stamp.hasSuffix("Z") && stamp.dropFirst(10).first == "T")
    }
}
