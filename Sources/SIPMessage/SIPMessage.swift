/// One SIP request or response (RFC 3261 §7), held as the bytes it arrived as plus an index of
/// where each part lies. Nothing is decoded until asked for: typed values (`topVia`, `from`,
/// `cseq`, …) are parsed from their bytes on access, and anything never asked for is never
/// parsed. Unknown headers and bodies are never re-serialized: printing copies them verbatim.
///
/// Edits (`SIPMessage+Editing.swift`) are recorded as a list and applied only when the message
/// is printed; the accessors here always read the message as received.
public struct SIPMessage: Sendable {
    /// How the message was delimited (RFC 3261 §18.3).
    public enum Framing: Sendable {
        /// UDP: Content-Length is optional; bytes after it are discarded.
        case datagram
        /// TCP/TLS: Content-Length is mandatory.
        case stream
    }

    /// The message bytes as received.
    public let bytes: [UInt8]
    public let startLine: SIPStartLine
    /// Index just past the start line's line end.
    public let startLineEnd: Int
    /// Header fields in wire order, one per field line (folded lines are one field).
    public let fields: [SIPHeaderField]
    /// Index of the empty line that ends the header section.
    public let headerEnd: Int
    public let bodyRange: Range<Int>

    var edits: [SIPEdit] = []
    var replacementBody: [UInt8]?

    init(bytes: [UInt8], startLine: SIPStartLine, startLineEnd: Int, fields: [SIPHeaderField], headerEnd: Int, bodyRange: Range<Int>) {
        self.bytes = bytes
        self.startLine = startLine
        self.startLineEnd = startLineEnd
        self.fields = fields
        self.headerEnd = headerEnd
        self.bodyRange = bodyRange
    }

    public var isRequest: Bool {
        if case .request = startLine { return true }
        return false
    }

    /// The request method, or nil for a response.
    public var method: SIPMethod? {
        if case .request(let m, _) = startLine { return m }
        return nil
    }

    /// The status code, or nil for a request.
    public var statusCode: Int? {
        if case .response(let s, _) = startLine { return s }
        return nil
    }

    public var requestURIBytes: ArraySlice<UInt8>? {
        if case .request(_, let r) = startLine { return bytes[r] }
        return nil
    }

    public var requestURI: SIPURI? { requestURIBytes.flatMap { SIPURI($0) } }

    public var reasonPhrase: String? {
        if case .response(_, let r) = startLine { return ASCII.string(bytes[r]) }
        return nil
    }

    public var body: ArraySlice<UInt8> { bytes[bodyRange] }

    // MARK: Fields

    public func name(of field: SIPHeaderField) -> ArraySlice<UInt8> { bytes[field.lineStart..<field.nameEnd] }

    /// The field value without leading and trailing whitespace; folds stay inside.
    public func value(of field: SIPHeaderField) -> ArraySlice<UInt8> { bytes[field.valueStart..<field.valueEnd] }

    /// The first field of a known kind.
    public func field(_ name: SIPHeaderName) -> SIPHeaderField? {
        for f in fields where f.name == name { return f }
        return nil
    }

    /// The first field whose name matches `name` (case-insensitive, compact forms resolved).
    public func field(named name: String) -> SIPHeaderField? {
        let kind = SIPHeaderName(name)
        if kind != .other { return field(kind) }
        let lower = Array(name.utf8.map { ASCII.lowercased($0) })
        for f in fields where f.name == .other {
            let n = self.name(of: f)
            if n.count == lower.count, zip(n, lower).allSatisfy({ ASCII.lowercased($0) == $1 }) { return f }
        }
        return nil
    }

    /// The first value of a header as a String (compact forms and case resolved).
    public subscript(_ name: String) -> String? {
        field(named: name).map { ASCII.string(value(of: $0)) }
    }

    /// Every value of every field of a kind, split at commas where the grammar allows.
    public func values(_ name: SIPHeaderName) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        for f in fields where f.name == name {
            if name.allowsList {
                out.append(contentsOf: SIPHeaderValues(raw: value(of: f)))
            } else {
                out.append(value(of: f))
            }
        }
        return out
    }

    // MARK: Typed values, parsed on access

    public var callID: String? { field(.callID).map { ASCII.string(value(of: $0)) } }

    public var cseq: SIPCSeq? { field(.cseq).flatMap { try? SIPCSeq.parse(value(of: $0)).get() } }

    public var maxForwards: Int? {
        field(.maxForwards).flatMap { ASCII.decimal(value(of: $0), maxValue: 255) }.map(Int.init)
    }

    public var contentLength: Int? {
        field(.contentLength).flatMap { ASCII.decimal(value(of: $0), maxValue: UInt64(Int32.max)) }.map(Int.init)
    }

    public var contentType: String? { field(.contentType).map { ASCII.string(value(of: $0)) } }

    public var from: SIPNameAddress? { field(.from).flatMap { try? SIPNameAddress.parse(value(of: $0)).get() } }

    public var to: SIPNameAddress? { field(.to).flatMap { try? SIPNameAddress.parse(value(of: $0)).get() } }

    /// Via values top first (RFC 3261 §20.42); unparseable values are left out.
    public var vias: [SIPVia] { values(.via).compactMap { try? SIPVia.parse($0).get() } }

    public var topVia: SIPVia? {
        guard let f = field(.via) else { return nil }
        var it = SIPHeaderValues(raw: value(of: f)).makeIterator()
        return it.next().flatMap { try? SIPVia.parse($0).get() }
    }

    /// Contact values; a `*` (RFC 3261 §10.2.2) is not a name-addr and is left out.
    public var contacts: [SIPNameAddress] {
        values(.contact).compactMap { try? SIPNameAddress.parse($0).get() }
    }

    public var routes: [SIPNameAddress] { values(.route).compactMap { try? SIPNameAddress.parse($0).get() } }

    public var recordRoutes: [SIPNameAddress] {
        values(.recordRoute).compactMap { try? SIPNameAddress.parse($0).get() }
    }
}

/// The first line of a message (RFC 3261 §7.1, §7.2).
public enum SIPStartLine: Sendable {
    /// `Method SP Request-URI SP SIP-Version`; the range locates the Request-URI.
    case request(method: SIPMethod, uri: Range<Int>)
    /// `SIP-Version SP Status-Code SP Reason-Phrase`; the range locates the phrase.
    case response(status: Int, reason: Range<Int>)
}

/// Where one header field lies in the message bytes.
///
/// Offsets are stored as 32-bit values (24 bytes a field instead of 48): a message keeps its
/// field index for as long as a call or transaction keeps the message.
public struct SIPHeaderField: Sendable, Equatable {
    public let name: SIPHeaderName
    private let offsets: (UInt32, UInt32, UInt32, UInt32, UInt32)

    init(name: SIPHeaderName, lineStart: Int, nameEnd: Int, valueStart: Int, valueEnd: Int, lineEnd: Int) {
        self.name = name
        offsets = (UInt32(lineStart), UInt32(nameEnd), UInt32(valueStart), UInt32(valueEnd), UInt32(lineEnd))
    }

    /// First byte of the field name.
    public var lineStart: Int { Int(offsets.0) }
    public var nameEnd: Int { Int(offsets.1) }
    public var valueStart: Int { Int(offsets.2) }
    public var valueEnd: Int { Int(offsets.3) }
    /// Just past the line end (after any folded continuation lines).
    public var lineEnd: Int { Int(offsets.4) }

    public static func == (a: SIPHeaderField, b: SIPHeaderField) -> Bool {
        a.name == b.name && a.offsets == b.offsets
    }
}
