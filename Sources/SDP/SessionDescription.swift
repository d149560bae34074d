/// A session description (RFC 8866): the session-level lines and one section per `m=` line.
///
/// Every line is kept as written, in order, with its line end: an untouched description prints
/// byte-identical, and an edit changes only the lines it names. Typed values (`origin`,
/// `connection`, `attributes()`, `cryptos()`) are parsed from the lines on access.
public struct SessionDescription: Sendable, Equatable {
    /// Lines before the first `m=`, starting with `v=`.
    public var sessionLines: [SDPLine]
    public var media: [MediaSection]

    public init(sessionLines: [SDPLine], media: [MediaSection]) {
        self.sessionLines = sessionLines
        self.media = media
    }

    /// Splits `bytes` into lines and sections. Checks line syntax and `v=0` first (RFC 8866 §5);
    /// typed lines are checked when read (`validate()` reads them all).
    public init(parsing bytes: [UInt8]) throws(SDPError) {
        var session: [SDPLine] = []
        var media: [MediaSection] = []
        var i = 0
        var lineNumber = 0
        let n = bytes.count
        while i < n {
            lineNumber += 1
            let start = i
            while i < n, bytes[i] != 0x0A { i += 1 }
            var end = i
            let ending: SDPLine.Ending
            if i < n {
                if end > start, bytes[end - 1] == 0x0D { end -= 1; ending = .crlf } else { ending = .lf }
                i += 1
            } else {
                ending = .none
            }
            guard end - start >= 2, bytes[start + 1] == UInt8(ascii: "="),
                  bytes[start] >= UInt8(ascii: "a"), bytes[start] <= UInt8(ascii: "z") else {
                throw SDPError(.badLine, line: lineNumber, offset: start)
            }
            let line = SDPLine(type: bytes[start], value: bytes[(start + 2)..<end], ending: ending, offset: start)
            if lineNumber == 1 {
                guard line.type == UInt8(ascii: "v"), line.value.elementsEqual("0".utf8) else {
                    throw SDPError(.badVersion, line: 1, offset: start)
                }
            }
            if line.type == UInt8(ascii: "m") {
                guard let parsed = try? SDPMedia(line.value) else { throw SDPError(.badMedia, line: lineNumber, offset: start) }
                media.append(MediaSection(mediaLine: line, parsed: parsed))
            } else if media.isEmpty {
                session.append(line)
            } else {
                media[media.count - 1].append(line)
            }
        }
        guard !session.isEmpty else { throw SDPError(.badVersion, line: 1, offset: 0) }
        self.init(sessionLines: session, media: media)
    }

    public init(parsing string: String) throws(SDPError) {
        try self.init(parsing: Array(string.utf8))
    }

    public func print(into out: inout [UInt8]) {
        for line in sessionLines { line.print(into: &out) }
        for section in media {
            for line in section.lines { line.print(into: &out) }
        }
    }

    public var printed: [UInt8] {
        var out: [UInt8] = []
        // Sized once: appended line by line, the array grew through a dozen reallocations.
        var size = 0
        for line in sessionLines { size += line.value.count + 4 }
        for section in media { for line in section.lines { size += line.value.count + 4 } }
        out.reserveCapacity(size)
        print(into: &out)
        return out
    }

    public var origin: SDPOrigin? {
        sessionLines.first { $0.type == UInt8(ascii: "o") }.flatMap { try? SDPOrigin($0.value) }
    }

    /// The session-level c= line (RFC 8866 §5.7).
    public var connection: SDPConnection? {
        sessionLines.first { $0.type == UInt8(ascii: "c") }.flatMap { try? SDPConnection($0.value) }
    }

    /// Session-level attributes in order.
    public func attributes() throws(SDPError) -> [SDPAttribute] {
        try SDPAttribute.parseAll(sessionLines)
    }

    /// Parses every typed line; the first fault is thrown with its line number.
    public func validate() throws(SDPError) {
        for line in sessionLines { try SessionDescription.check(line) }
        for section in media { for line in section.lines { try SessionDescription.check(line) } }
    }

    static func check(_ line: SDPLine) throws(SDPError) {
        switch line.type {
        case UInt8(ascii: "o"):
            do { _ = try SDPOrigin(line.value) } catch { throw SDPError(.badOrigin, offset: line.offset) }
        case UInt8(ascii: "c"):
            do { _ = try SDPConnection(line.value) } catch { throw SDPError(.badConnection, offset: line.offset) }
        case UInt8(ascii: "m"):
            do { _ = try SDPMedia(line.value) } catch { throw SDPError(.badMedia, offset: line.offset) }
        case UInt8(ascii: "a"):
            do { _ = try SDPAttribute(line.value) } catch { throw SDPError(error.code, offset: line.offset) }
        default:
            break
        }
    }

    /// Replaces the session-level o= line's version (RFC 3264 §8: +1 on every changed offer).
    public mutating func setOrigin(_ origin: SDPOrigin) {
        replaceOrAppend(&sessionLines, type: "o", value: origin.description)
    }

    /// Sets the session-level c= line.
    public mutating func setConnection(_ connection: SDPConnection) {
        replaceOrAppend(&sessionLines, type: "c", value: connection.description)
    }
}

func replaceOrAppend(_ lines: inout [SDPLine], type: Character, value: String) {
    let t = type.asciiValue ?? 0
    if let k = lines.firstIndex(where: { $0.type == t }) {
        lines[k].value = ArraySlice(value.utf8)
        lines[k].offset = nil
    } else {
        let ending = lines.last?.ending == .lf ? SDPLine.Ending.lf : .crlf
        lines.append(SDPLine(type: type, value: value, ending: ending))
    }
}

/// One media description: its `m=` line and the lines up to the next `m=` (RFC 8866 §5.14).
public struct MediaSection: Sendable, Equatable {
    /// `lines[0]` is the m= line. Changed only through the mutating methods, which keep `media`
    /// in step with it.
    public private(set) var lines: [SDPLine]
    /// The m= line, parsed once (offer/answer reads it many times per description).
    public private(set) var media: SDPMedia

    public init(lines: [SDPLine]) {
        self.lines = lines
        media = (try? SDPMedia(lines[0].value)) ?? SDPMedia(type: "", port: 0, portCount: nil, proto: "", formats: [])
    }

    init(mediaLine: SDPLine, parsed: SDPMedia) {
        lines = [mediaLine]
        media = parsed
    }

    mutating func append(_ line: SDPLine) { lines.append(line) }

    public static func == (lhs: MediaSection, rhs: MediaSection) -> Bool { lhs.lines == rhs.lines }

    public var connection: SDPConnection? {
        lines.first { $0.type == UInt8(ascii: "c") }.flatMap { try? SDPConnection($0.value) }
    }

    public func attributes() throws(SDPError) -> [SDPAttribute] {
        try SDPAttribute.parseAll(lines)
    }

    /// The a=crypto lines of this section in order (RFC 4568 §9.1).
    public func cryptos() throws(SDPError) -> [SDPCrypto] {
        try attributes().compactMap { if case .crypto(let c) = $0 { c } else { nil } }
    }

    /// The direction attribute, sendrecv when none is given (RFC 8866 §6.7).
    public var direction: SDPDirection {
        for line in lines where line.type == UInt8(ascii: "a") {
            if let d = SDPDirection(rawValue: String(decoding: line.value, as: UTF8.self)) { return d }
        }
        return .sendrecv
    }

    public mutating func setMedia(_ media: SDPMedia) {
        lines[0].value = ArraySlice(media.description.utf8)
        lines[0].offset = nil
        self.media = media
    }

    public mutating func setPort(_ port: Int) {
        var m = media
        m.port = port
        setMedia(m)
    }

    public mutating func setConnection(_ connection: SDPConnection) {
        let t = UInt8(ascii: "c")
        if let k = lines.firstIndex(where: { $0.type == t }) {
            lines[k].value = ArraySlice(connection.description.utf8)
            lines[k].offset = nil
        } else {
            // c= comes after i= and before b=, k= and a= (RFC 8866 §5 order).
            let k = lines.firstIndex { [UInt8(ascii: "b"), UInt8(ascii: "k"), UInt8(ascii: "a")].contains($0.type) } ?? lines.count
            lines.insert(SDPLine(type: "c", value: connection.description, ending: lines[0].ending), at: k)
        }
    }

    /// Removes every a= line with this attribute name (e.g. "crypto", "candidate").
    public mutating func removeAttributes(named name: String) {
        lines.removeAll { $0.type == UInt8(ascii: "a") && $0.attributeName.elementsEqual(name.utf8) }
    }

    /// Appends an a= line after the section's other lines.
    public mutating func appendAttribute(_ attribute: SDPAttribute) {
        let ending = lines.last?.ending == .lf ? SDPLine.Ending.lf : .crlf
        if lines.last?.ending == SDPLine.Ending.none { lines[lines.count - 1].ending = .crlf }
        lines.append(SDPLine(type: "a", value: attribute.description, ending: ending))
    }
}
