/// One pending change: replace `range` of the original bytes with `replacement`.
/// An insertion has an empty range. Kamailio calls these lumps.
struct SIPEdit: Sendable {
    var range: Range<Int>
    var replacement: [UInt8]
}

/// Editing records changes; printing applies them in byte order and copies every byte in
/// between verbatim (STYLE 13: never re-serialize bytes you don't own).
///
/// Edits never overlap in effect: when two edits touch the same bytes, the one recorded first
/// wins and the later one is ignored at print time. Accessors keep reading the original message;
/// parse the printed bytes to see an edited message as a peer will.
extension SIPMessage {
    mutating func record(_ edit: SIPEdit) {
        // Keep the list ordered by position, stable among equal positions, so printing needs no sort.
        var k = edits.endIndex
        while k > edits.startIndex, edits[k - 1].range.lowerBound > edit.range.lowerBound { k -= 1 }
        edits.insert(edit, at: k)
    }

    static func headerLine(_ name: String, _ value: String) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(name.utf8.count + value.utf8.count + 4)
        appendHeaderLine(name, value, to: &line)
        return line
    }

    static func appendHeaderLine(_ name: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(ASCII.colon)
        out.append(ASCII.space)
        out.append(contentsOf: value.utf8)
        out.append(ASCII.cr)
        out.append(ASCII.lf)
    }

    /// Inserts a header line before every other header (use for a new top Via, RFC 3261 §16.6 item 8).
    public mutating func prependHeader(_ name: String, _ value: String) {
        let at = fields.first?.lineStart ?? headerEnd
        record(SIPEdit(range: at..<at, replacement: SIPMessage.headerLine(name, value)))
    }

    /// Inserts a header line after every other header.
    public mutating func appendHeader(_ name: String, _ value: String) {
        record(SIPEdit(range: headerEnd..<headerEnd, replacement: SIPMessage.headerLine(name, value)))
    }

    /// Inserts a header line just before `field`.
    public mutating func insertHeader(_ name: String, _ value: String, before field: SIPHeaderField) {
        record(SIPEdit(range: field.lineStart..<field.lineStart, replacement: SIPMessage.headerLine(name, value)))
    }

    /// Removes a field line, folds included.
    public mutating func removeField(_ field: SIPHeaderField) {
        record(SIPEdit(range: field.lineStart..<field.lineEnd, replacement: []))
    }

    /// Removes every field of a kind.
    public mutating func removeFields(_ name: SIPHeaderName) {
        for f in fields where f.name == name { removeField(f) }
    }

    /// Replaces a field's value; its name, spelling and line end stay as received.
    public mutating func replaceValue(of field: SIPHeaderField, with value: String) {
        record(SIPEdit(range: field.valueStart..<field.valueEnd, replacement: Array(value.utf8)))
    }

    /// A copy with `field`'s value replaced and the change already in its bytes (accessors see
    /// it), indexed by shifting what follows the value instead of parsing the message again. Nil
    /// when this message has recorded edits, or for a value the parser would index otherwise:
    /// empty, with a line break, or with whitespace at either end.
    public func replacingValue(of field: SIPHeaderField, with value: [UInt8]) -> SIPMessage? {
        func isBlank(_ byte: UInt8?) -> Bool { byte == ASCII.space || byte == ASCII.tab }
        guard edits.isEmpty, replacementBody == nil, !value.isEmpty, !isBlank(value.first), !isBlank(value.last),
              !value.contains(ASCII.cr), !value.contains(ASCII.lf) else {
            return nil
        }
        let delta = value.count - (field.valueEnd - field.valueStart)
        var replaced: [UInt8] = []
        replaced.reserveCapacity(bytes.count + delta)
        replaced += bytes[..<field.valueStart]
        replaced += value
        replaced += bytes[field.valueEnd...]
        // The start line and the fields before this one lie before its value; everything from
        // its value's end on moves by `delta`.
        func moved(_ index: Int) -> Int { index >= field.valueEnd ? index + delta : index }
        let shifted = fields.map {
            $0 == field
                ? SIPHeaderField(name: $0.name, lineStart: $0.lineStart, nameEnd: $0.nameEnd, valueStart: $0.valueStart,
                                 valueEnd: $0.valueStart + value.count, lineEnd: moved($0.lineEnd))
                : SIPHeaderField(name: $0.name, lineStart: moved($0.lineStart), nameEnd: moved($0.nameEnd),
                                 valueStart: moved($0.valueStart), valueEnd: moved($0.valueEnd), lineEnd: moved($0.lineEnd))
        }
        return SIPMessage(bytes: replaced, startLine: startLine, startLineEnd: startLineEnd, fields: shifted,
                          headerEnd: moved(headerEnd), bodyRange: moved(bodyRange.lowerBound)..<moved(bodyRange.upperBound))
    }

    /// Sets a single value for a header: the first field of its kind gets the new value, any
    /// further fields of the kind are removed; if there is none, the header is appended.
    public mutating func setHeader(_ name: SIPHeaderName, _ value: String) {
        var first = true
        for f in fields where f.name == name {
            if first { replaceValue(of: f, with: value) } else { removeField(f) }
            first = false
        }
        if first { appendHeader(name.canonicalName, value) }
    }

    /// Replaces the Request-URI of a request.
    public mutating func setRequestURI(_ uri: String) {
        guard case .request(_, let range) = startLine else { return }
        record(SIPEdit(range: range, replacement: Array(uri.utf8)))
    }

    /// Replaces the body; Content-Length is rewritten at print time to match.
    /// With `contentType`, Content-Type is set too (removed when the body is empty and nil given).
    public mutating func setBody(_ body: [UInt8], contentType: String? = nil) {
        replacementBody = body
        if let contentType {
            setHeader(.contentType, contentType)
        } else if body.isEmpty {
            removeFields(.contentType)
        }
    }

    /// True when printing would copy the received bytes unchanged.
    public var isEdited: Bool { !edits.isEmpty || replacementBody != nil }

    /// Prints the message with its edits applied, appending to `out` (caller-owned, reusable).
    public func print(into out: inout [UInt8]) {
        let bodyStart = bodyRange.lowerBound
        let body: ArraySlice<UInt8> = replacementBody.map { $0[...] } ?? bytes[bodyRange]
        // An upper bound, so that one allocation holds it: edits only replace ranges, and the
        // Content-Length fix writes at most its name, 20 digits and CRLF.
        let growth = edits.reduce(0) { $0 + $1.replacement.count } + (replacementBody == nil ? 0 : 38)
        out.reserveCapacity(out.count + bodyStart + growth + body.count)
        // The Content-Length fix is an edit like any other, taken at its position in the order.
        var lengthEdit: SIPEdit?
        if replacementBody != nil {
            if let cl = field(.contentLength) {
                lengthEdit = SIPEdit(range: cl.valueStart..<cl.valueEnd, replacement: [])
            } else {
                lengthEdit = SIPEdit(range: headerEnd..<headerEnd, replacement: [])
            }
        }
        var cursor = 0
        var pendingLength = lengthEdit
        func apply(_ e: SIPEdit, lengthFix: Bool) {
            guard e.range.lowerBound >= cursor else { return }
            out.append(contentsOf: bytes[cursor..<e.range.lowerBound])
            if lengthFix {
                if e.range.isEmpty { out.append(contentsOf: "Content-Length: ".utf8) }
                SIPMessage.appendDecimal(body.count, to: &out)
                if e.range.isEmpty { out.append(ASCII.cr); out.append(ASCII.lf) }
            } else {
                out.append(contentsOf: e.replacement)
            }
            cursor = e.range.upperBound
        }
        for e in edits {
            if let l = pendingLength, l.range.lowerBound < e.range.lowerBound || (l.range.lowerBound == e.range.lowerBound && !l.range.isEmpty) {
                apply(l, lengthFix: true)
                pendingLength = nil
            }
            apply(e, lengthFix: false)
        }
        if let l = pendingLength { apply(l, lengthFix: true) }
        if cursor < bodyStart { out.append(contentsOf: bytes[cursor..<bodyStart]) }
        out.append(contentsOf: body)
    }

    /// The printed message as a new array.
    public var printed: [UInt8] {
        // Unedited and exactly one message: its bytes as they are, shared rather than copied
        // (every message sent is printed).
        if edits.isEmpty, replacementBody == nil, bodyRange.upperBound == bytes.count {
            return bytes
        }
        var out: [UInt8] = []
        print(into: &out)
        return out
    }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &out) }
        out.append(ASCII.zero + UInt8(value % 10))
    }
}

extension SIPMessage {
    /// Builds a request in canonical form: `Name: value` lines in the given order, CRLF line ends,
    /// and Content-Length computed from the body (RFC 3261 §7, §20.14).
    public static func request(_ method: SIPMethod, uri: String, headers: [(String, String)], body: [UInt8] = []) -> SIPMessage {
        build(startLine: "\(method) \(uri) SIP/2.0", headers: headers, body: body)
    }

    /// Builds a response in canonical form (RFC 3261 §7.2).
    public static func response(_ status: Int, reason: String, headers: [(String, String)], body: [UInt8] = []) -> SIPMessage {
        build(startLine: "SIP/2.0 \(status) \(reason)", headers: headers, body: body)
    }

    static func build(startLine: String, headers: [(String, String)], body: [UInt8]) -> SIPMessage {
        // One allocation, of the message's size give or take the Content-Length digits (room for
        // 20): a built message may be kept for a whole call.
        let contentLength = "Content-Length: "
        var size = startLine.utf8.count + 2 + contentLength.utf8.count + 20 + 4 + body.count
        for (name, value) in headers { size += name.utf8.count + value.utf8.count + 4 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        bytes.append(contentsOf: startLine.utf8)
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
        for (name, value) in headers where SIPHeaderName(name) != .contentLength {
            appendHeaderLine(name, value, to: &bytes)
        }
        bytes.append(contentsOf: contentLength.utf8)
        appendDecimal(body.count, to: &bytes)
        bytes.append(contentsOf: [ASCII.cr, ASCII.lf, ASCII.cr, ASCII.lf])
        bytes.append(contentsOf: body)
        var limits = SIPLimits.default
        limits.maxMessageSize = Int.max
        limits.maxHeaderCount = Int.max
        // A builder's input is the caller's own; a line it cannot parse is a programming error.
        // Its field index at its size too: the given fields and Content-Length (an ACK kept for a
        // whole call used 8 of 16 slots).
        guard let message = try? SIPMessage(parsing: bytes, framing: .stream, limits: limits,
                                            fieldCapacity: headers.count + 1) else {
            preconditionFailure("SIPMessage builder produced an unparseable message")
        }
        return message
    }
}
