extension SIPMessage {
    /// Parses one message from `bytes` (RFC 3261 §7). Finds the start line, each header field
    /// (folded lines joined, RFC 3261 §7.3.1) and the body; decodes only the start line and
    /// Content-Length, which framing needs. `validate(limits:)` checks the rest.
    ///
    /// A datagram may omit Content-Length, and bytes past it are discarded (RFC 3261 §18.3).
    public init(parsing bytes: [UInt8], framing: Framing = .datagram, limits: SIPLimits = .default) throws(SIPMessageError) {
        try self.init(parsing: bytes, framing: framing, limits: limits, fieldCapacity: 16)
    }

    /// `fieldCapacity`: the room reserved for the field index, which stays with the message (most
    /// received messages have 8–16 fields; a builder knows its count).
    init(parsing bytes: [UInt8], framing: Framing, limits: SIPLimits, fieldCapacity: Int) throws(SIPMessageError) {
        guard bytes.count <= limits.maxMessageSize else {
            throw SIPMessageError(.messageTooLarge, offset: limits.maxMessageSize)
        }
        // Invariant: the scan reads only indices below `p.count`; `bytes` outlives the closure.
        let scanned = bytes.withUnsafeBufferPointer { p -> Result<(Layout, SIPStartLine), SIPMessageError> in
            switch SIPMessage.scan(p, limits: limits, fieldCapacity: fieldCapacity) {
            case .success(let layout):
                do throws(SIPMessageError) {
                    return .success((layout, try SIPMessage.parseStartLine(p, layout.startLine)))
                } catch {
                    return .failure(error)
                }
            case .failure(let e):
                return .failure(e)
            }
        }
        let layout: Layout
        let startLine: SIPStartLine
        switch scanned {
        case .success(let s): (layout, startLine) = s
        case .failure(let e): throw e
        }
        let available = bytes.count - layout.bodyStart
        let bodyRange: Range<Int>
        if let length = layout.contentLength {
            guard length <= available else {
                throw SIPMessageError(.contentLengthMismatch, header: "Content-Length", offset: layout.contentLengthOffset)
            }
            bodyRange = layout.bodyStart..<(layout.bodyStart + length)
        } else {
            guard framing == .datagram else {
                throw SIPMessageError(.missingContentLength, header: "Content-Length", offset: layout.headerEnd)
            }
            bodyRange = layout.bodyStart..<bytes.count
        }
        self.init(bytes: bytes, startLine: startLine, startLineEnd: layout.startLineEnd, fields: layout.fields,
                  headerEnd: layout.headerEnd, bodyRange: bodyRange)
    }

    struct Layout {
        var startLine: Range<Int>
        var startLineEnd: Int
        var fields: [SIPHeaderField]
        var headerEnd: Int
        var bodyStart: Int
        var contentLength: Int?
        var contentLengthOffset: Int?
    }

    /// One pass over the header section. Pure index arithmetic over `p`.
    static func scan(_ p: UnsafeBufferPointer<UInt8>, limits: SIPLimits, fieldCapacity: Int) -> Result<Layout, SIPMessageError> {
        let n = p.count
        var i = 0
        // RFC 3261 §7.5: CRLFs before the start line are ignored.
        while i < n, p[i] == ASCII.cr || p[i] == ASCII.lf { i += 1 }
        let lineStart = i
        i = firstLineFeed(p, from: i)
        guard i < n else { return .failure(SIPMessageError(.truncated, offset: n)) }
        let startLine = lineStart..<((i > lineStart && p[i - 1] == ASCII.cr) ? i - 1 : i)
        i += 1
        let startLineEnd = i
        var fields: [SIPHeaderField] = []
        fields.reserveCapacity(fieldCapacity)
        var contentLength: Int?
        var contentLengthOffset: Int?
        while true {
            guard i < n else { return .failure(SIPMessageError(.truncated, offset: n)) }
            let b = p[i]
            if b == ASCII.lf {
                return .success(Layout(startLine: startLine, startLineEnd: startLineEnd, fields: fields, headerEnd: i,
                                       bodyStart: i + 1, contentLength: contentLength, contentLengthOffset: contentLengthOffset))
            }
            if b == ASCII.cr {
                guard i + 1 < n else { return .failure(SIPMessageError(.truncated, offset: n)) }
                guard p[i + 1] == ASCII.lf else { return .failure(SIPMessageError(.badHeaderLine, offset: i)) }
                return .success(Layout(startLine: startLine, startLineEnd: startLineEnd, fields: fields, headerEnd: i,
                                       bodyStart: i + 2, contentLength: contentLength, contentLengthOffset: contentLengthOffset))
            }
            let fieldStart = i
            i = tokenEnd(p, from: i)
            let nameEnd = i
            guard nameEnd > fieldStart else { return .failure(SIPMessageError(.badHeaderLine, offset: fieldStart)) }
            // HCOLON = *( SP / HTAB ) ":" SWS
            while i < n, ASCII.isWSP(p[i]) { i += 1 }
            guard i < n else { return .failure(SIPMessageError(.truncated, offset: n)) }
            guard p[i] == ASCII.colon else { return .failure(SIPMessageError(.badHeaderLine, offset: i)) }
            i += 1
            let afterColon = i
            // The field ends at a line end not followed by SP/HT (a fold continues it).
            var lineFeed: Int
            while true {
                i = firstLineFeed(p, from: i)
                guard i + 1 < n else { return .failure(SIPMessageError(.truncated, offset: n)) }
                lineFeed = i
                i += 1
                if !ASCII.isWSP(p[i]) { break }
            }
            var valueEnd = lineFeed
            var valueStart = afterColon
            while valueEnd > valueStart, ASCII.isLWS(p[valueEnd - 1]) { valueEnd -= 1 }
            while valueStart < valueEnd, ASCII.isLWS(p[valueStart]) { valueStart += 1 }
            let name = SIPHeaderName.lookup(tokenBytes: p, fieldStart, nameEnd)
            if name == .contentLength {
                guard contentLength == nil else {
                    return .failure(SIPMessageError(.duplicateHeader, header: "Content-Length", offset: fieldStart))
                }
                guard let v = decimal(p, valueStart..<valueEnd, maxValue: UInt64(limits.maxMessageSize)) else {
                    let tooLarge = valueEnd > valueStart && (valueStart..<valueEnd).allSatisfy { ASCII.isDigit(p[$0]) }
                    return .failure(SIPMessageError(tooLarge ? .messageTooLarge : .badScalar, header: "Content-Length", offset: valueStart))
                }
                contentLength = Int(v)
                contentLengthOffset = valueStart
            }
            fields.append(SIPHeaderField(name: name, lineStart: fieldStart, nameEnd: nameEnd, valueStart: valueStart,
                                         valueEnd: valueEnd, lineEnd: i))
            guard fields.count <= limits.maxHeaderCount else {
                return .failure(SIPMessageError(.tooManyHeaders, offset: fieldStart))
            }
        }
    }

    /// Index of the first LF at or after `start`, or `p.count`. Eight bytes at a time: a byte
    /// equal to LF becomes zero after the XOR, and the classic has-zero-byte test finds it.
    @inline(__always)
    static func firstLineFeed(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        let n = p.count
        if let base = p.baseAddress {
            // Invariant: each 8-byte load lies within [0, n).
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A
                let found = (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
                if found != 0 { return i + (found.trailingZeroBitCount >> 3) }
                i += 8
            }
        }
        while i < n, p[i] != ASCII.lf { i += 1 }
        return i
    }

    /// Index of the first byte at or after `start` that is not a token byte (RFC 3261 §25.1),
    /// or `p.count`. Header names are mostly letters and "-": eight bytes at a time are tested
    /// for just those (exactly, per byte, without carries between bytes), and the byte-wise
    /// token test takes over at the first other byte.
    @inline(__always)
    static func tokenEnd(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        let n = p.count
        if let base = p.baseAddress {
            // Invariant: each 8-byte load lies within [0, n).
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                // A letter: bit 5 set and the high bit cleared, the byte lies in 0x61...0x7A.
                let folded = (w | 0x2020_2020_2020_2020) & 0x7F7F_7F7F_7F7F_7F7F
                let letter = (folded &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(folded &+ 0x0505_0505_0505_0505)
                // A hyphen: the byte XOR "-" is zero (the exact zero-byte test).
                let h = w ^ 0x2D2D_2D2D_2D2D_2D2D
                let hyphen = ~(((h & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | h | 0x7F7F_7F7F_7F7F_7F7F)
                let other = ~((letter | hyphen) & ~w) & 0x8080_8080_8080_8080
                if other != 0 {
                    i += other.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
        }
        while i < n, ASCII.isTokenChar(p[i]) { i += 1 }
        return i
    }

    static func decimal(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, maxValue: UInt64) -> UInt64? {
        guard !r.isEmpty, r.count <= 19 else { return nil }
        var v: UInt64 = 0
        for k in r {
            guard ASCII.isDigit(p[k]) else { return nil }
            v = v * 10 + UInt64(p[k] &- ASCII.zero)
        }
        return v <= maxValue ? v : nil
    }

    /// RFC 3261 §7.1 Request-Line and §7.2 Status-Line; single SP separators (§25.1).
    static func parseStartLine(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(SIPMessageError) -> SIPStartLine {
        let text = bytes[line]
        if text.count >= 4, ASCII.equalsLowercase(text.prefix(4), "sip/") {
            var i = line.lowerBound
            while i < line.upperBound, bytes[i] != ASCII.space { i += 1 }
            try checkVersion(bytes[line.lowerBound..<i], offset: line.lowerBound)
            guard i + 4 <= line.upperBound else { throw SIPMessageError(.badStartLine, offset: i) }
            let code = bytes[(i + 1)..<(i + 4)]
            guard let status = ASCII.decimal(code, maxValue: 699), status >= 100 else {
                throw SIPMessageError(.badStartLine, offset: i + 1)
            }
            let after = i + 4
            guard after == line.upperBound || bytes[after] == ASCII.space else {
                throw SIPMessageError(.badStartLine, offset: after)
            }
            let reason = after == line.upperBound ? after..<after : (after + 1)..<line.upperBound
            return .response(status: Int(status), reason: reason)
        }
        var i = line.lowerBound
        while i < line.upperBound, ASCII.isTokenChar(bytes[i]) { i += 1 }
        guard i > line.lowerBound, i < line.upperBound, bytes[i] == ASCII.space else {
            throw SIPMessageError(.badStartLine, offset: i)
        }
        let method = SIPMethod(bytes[line.lowerBound..<i])
        let uriStart = i + 1
        let j = SIPGrammar.firstIndex(bytes, uriStart, line.upperBound, ASCII.space)
        guard j > uriStart, j < line.upperBound else { throw SIPMessageError(.badStartLine, offset: j) }
        let version = bytes[(j + 1)..<line.upperBound]
        for k in (j + 1)..<line.upperBound where ASCII.isLWS(bytes[k]) { throw SIPMessageError(.badStartLine, offset: k) }
        try checkVersion(version, offset: j + 1)
        return .request(method: method, uri: uriStart..<j)
    }

    /// SIP-Version is case-insensitive (RFC 3261 §7.1); anything but 2.0 is answered 505 (§21.5.6).
    static func checkVersion(_ v: Slice<UnsafeBufferPointer<UInt8>>, offset: Int) throws(SIPMessageError) {
        if ASCII.equalsLowercase(v, "sip/2.0") { return }
        guard v.count > 4, ASCII.equalsLowercase(v.prefix(4), "sip/") else {
            throw SIPMessageError(.badStartLine, offset: offset)
        }
        let number = v.dropFirst(4)
        guard number.allSatisfy({ ASCII.isDigit($0) || $0 == ASCII.dot }), number.contains(ASCII.dot) else {
            throw SIPMessageError(.badStartLine, offset: offset)
        }
        throw SIPMessageError(.unsupportedVersion, offset: offset)
    }
}
