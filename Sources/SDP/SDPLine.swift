/// One `<type>=<value>` line (RFC 8866 §5) with the line end it was written with, so an
/// untouched description prints byte-identical.
public struct SDPLine: Sendable, Equatable {
    public enum Ending: Sendable, Equatable { case crlf, lf, none }

    /// The type letter, e.g. `UInt8(ascii: "a")`.
    public var type: UInt8
    public var value: ArraySlice<UInt8>
    public var ending: Ending
    /// Byte offset in the parsed description (nil for a line added by an edit).
    public var offset: Int?

    public init(type: Character, value: String, ending: Ending = .crlf) {
        self.type = type.asciiValue ?? 0
        self.value = ArraySlice(value.utf8)
        self.ending = ending
        self.offset = nil
    }

    init(type: UInt8, value: ArraySlice<UInt8>, ending: Ending, offset: Int?) {
        self.type = type
        self.value = value
        self.ending = ending
        self.offset = offset
    }

    public var typeCharacter: Character { Character(Unicode.Scalar(type)) }
    public var valueString: String { String(decoding: value, as: UTF8.self) }

    public static func == (lhs: SDPLine, rhs: SDPLine) -> Bool {
        lhs.type == rhs.type && lhs.value.elementsEqual(rhs.value) && lhs.ending == rhs.ending
    }

    func print(into out: inout [UInt8]) {
        out.append(type)
        out.append(UInt8(ascii: "="))
        out.append(contentsOf: value)
        switch ending {
        case .crlf: out.append(0x0D); out.append(0x0A)
        case .lf: out.append(0x0A)
        case .none: break
        }
    }

    /// Whether this is an `a=` line of the attribute `name` (byte for byte, as SDPAttribute
    /// matches names), without parsing its value.
    public func isAttribute(_ name: StaticString) -> Bool {
        guard type == UInt8(ascii: "a") else { return false }
        let written = attributeName
        return name.withUTF8Buffer { written.elementsEqual($0) }
    }

    /// The attribute name of an `a=` line, up to the first colon.
    var attributeName: ArraySlice<UInt8> {
        if let colon = value.firstIndex(of: UInt8(ascii: ":")) { return value[value.startIndex..<colon] }
        return value
    }
}
