/// Cuts a TCP or TLS byte stream into SIP messages (RFC 3261 §18.3) and keepalives
/// (RFC 5626 §4.4.1). Bytes may arrive split anywhere or several messages per read.
///
/// Content-Length is mandatory on a stream. The framer holds at most one message of
/// `limits.maxMessageSize` bytes plus what one read appended: a header section that grows past
/// the limit, too many header lines, or a Content-Length beyond the limit ends the stream with
/// `.error`, after which the connection must be closed (there is no way to resynchronise).
public struct SIPStreamFramer: Sendable {
    public enum Frame: Sendable, Equatable {
        /// One complete message, start line to end of body.
        case message([UInt8])
        /// A CRLFCRLF ping (RFC 5626 §4.4.1): answer with a single CRLF.
        case ping
        /// A CRLF pong answering our ping.
        case pong
        /// The stream is unusable; close the connection (answer 513 / 400 first if possible).
        case error(SIPMessageError)
    }

    public let limits: SIPLimits
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the end of the header section resumes.
    private var scanned = 0
    /// Header lines seen so far in the current message.
    private var lines = 0
    private var contentLength: Int?
    private var headerEnd: Int?
    private var failed: SIPMessageError?
    private var awaitingPong = false

    public init(limits: SIPLimits = .default) {
        self.limits = limits
    }

    /// Tell the framer we sent a ping, so the next lone CRLF is taken as its pong at once.
    public mutating func pingSent() { awaitingPong = true }

    /// Bytes currently held.
    public var bufferedCount: Int { buffer.count - start }

    public mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        guard failed == nil else { return }
        if start > 0, start >= buffer.count / 2 {
            // Compact: the consumed prefix is dropped and offsets move with it.
            buffer.removeSubrange(0..<start)
            scanned -= start
            if let h = headerEnd { headerEnd = h - start }
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next frame, or nil when more bytes are needed.
    public mutating func next() -> Frame? {
        if let failed { return .error(failed) }
        // Between messages: CRLFs are keepalives (RFC 5626 §4.4.1) or stray line ends (RFC 3261 §7.5).
        if headerEnd == nil, scanned == start {
            while start < buffer.count, buffer[start] == ASCII.cr || buffer[start] == ASCII.lf {
                let remaining = buffer.count - start
                if remaining >= 4, buffer[start] == ASCII.cr, buffer[start + 1] == ASCII.lf,
                   buffer[start + 2] == ASCII.cr, buffer[start + 3] == ASCII.lf {
                    start += 4
                    scanned = start
                    return .ping
                }
                if remaining >= 2, buffer[start] == ASCII.cr, buffer[start + 1] == ASCII.lf {
                    if awaitingPong {
                        awaitingPong = false
                        start += 2
                        scanned = start
                        return .pong
                    }
                    // Wait: this may be the first half of a ping.
                    if remaining == 2 || (remaining == 3 && buffer[start + 2] == ASCII.cr) { return nil }
                    // CRLF then something else: a stray line end before a start line (RFC 3261 §7.5).
                    start += 2
                    scanned = start
                    continue
                }
                if remaining == 1, buffer[start] == ASCII.cr { return nil }
                // A bare LF: tolerated and skipped.
                start += 1
                scanned = start
            }
        }
        if headerEnd == nil {
            // Find the empty line, counting header lines and bounding the header section.
            var i = scanned
            while i < buffer.count {
                if buffer[i] == ASCII.lf {
                    let lineStart = lineStartBefore(i)
                    if lineStart == i || (lineStart == i - 1 && buffer[i - 1] == ASCII.cr) {
                        if i > start + 1 {
                            headerEnd = i + 1
                            break
                        }
                    } else {
                        lines += 1
                        if lines > limits.maxHeaderCount + 1 {
                            return fail(SIPMessageError(.tooManyHeaders, offset: i - start))
                        }
                    }
                }
                i += 1
            }
            scanned = i
            guard let end = headerEnd else {
                if buffer.count - start > limits.maxMessageSize {
                    return fail(SIPMessageError(.messageTooLarge, offset: limits.maxMessageSize))
                }
                return nil
            }
            switch findContentLength(start..<end) {
            case .success(let length):
                guard let length else {
                    return fail(SIPMessageError(.missingContentLength, header: "Content-Length", offset: end - start))
                }
                guard end - start + length <= limits.maxMessageSize else {
                    return fail(SIPMessageError(.messageTooLarge, header: "Content-Length", offset: end - start))
                }
                contentLength = length
            case .failure(let e):
                return fail(e)
            }
        }
        guard let end = headerEnd, let length = contentLength else { return nil }
        guard buffer.count - end >= length else { return nil }
        let message = Array(buffer[start..<(end + length)])
        start = end + length
        scanned = start
        headerEnd = nil
        contentLength = nil
        lines = 0
        return .message(message)
    }

    private mutating func fail(_ error: SIPMessageError) -> Frame {
        failed = error
        buffer = []
        start = 0
        scanned = 0
        return .error(error)
    }

    /// Index of the first byte of the line ending at the LF at `lf`.
    private func lineStartBefore(_ lf: Int) -> Int {
        var k = lf
        while k > start, buffer[k - 1] != ASCII.lf { k -= 1 }
        return k
    }

    /// Content-Length (or `l`) from the header section; nil when absent (RFC 3261 §20.14).
    private func findContentLength(_ range: Range<Int>) -> Result<Int?, SIPMessageError> {
        var i = range.lowerBound
        var found: Int?
        var first = true
        while i < range.upperBound {
            var lineEnd = i
            while lineEnd < range.upperBound, buffer[lineEnd] != ASCII.lf { lineEnd += 1 }
            defer { i = lineEnd + 1 }
            if first { first = false; continue }
            guard lineEnd > i, !ASCII.isWSP(buffer[i]) else { continue }
            var nameEnd = i
            while nameEnd < lineEnd, ASCII.isTokenChar(buffer[nameEnd]) { nameEnd += 1 }
            guard SIPHeaderName(buffer[i..<nameEnd]) == .contentLength else { continue }
            // A folded value continues on lines that start with SP or HT (RFC 3261 §7.3.1).
            while lineEnd + 1 < range.upperBound, ASCII.isWSP(buffer[lineEnd + 1]) {
                lineEnd += 1
                while lineEnd < range.upperBound, buffer[lineEnd] != ASCII.lf { lineEnd += 1 }
            }
            var v = nameEnd
            while v < lineEnd, ASCII.isWSP(buffer[v]) || buffer[v] == ASCII.colon { v += 1 }
            let value = ASCII.trimmed(buffer[v..<lineEnd])
            guard found == nil else {
                return .failure(SIPMessageError(.duplicateHeader, header: "Content-Length", offset: i - range.lowerBound))
            }
            guard let n = ASCII.decimal(value, maxValue: UInt64(Int32.max)) else {
                return .failure(SIPMessageError(.badScalar, header: "Content-Length", offset: v - range.lowerBound))
            }
            found = Int(n)
        }
        return .success(found)
    }
}
