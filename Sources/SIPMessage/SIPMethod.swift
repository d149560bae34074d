/// A request method (RFC 3261 §7.1, §27.4 and extensions). Methods are case-sensitive.
public enum SIPMethod: Sendable, Hashable, CustomStringConvertible {
    case invite, ack, bye, cancel, register, options, prack, update, info, message, notify, subscribe, refer, publish
    /// An extension method token (RFC 3261 §25.1 extension-method).
    case `extension`(String)

    public init<Bytes: SIPByteView>(_ bytes: Bytes) {
        switch bytes.count {
        case 3:
            if bytes.equalsExact("ACK") { self = .ack; return }
            if bytes.equalsExact("BYE") { self = .bye; return }
        case 4:
            if bytes.equalsExact("INFO") { self = .info; return }
        case 5:
            if bytes.equalsExact("PRACK") { self = .prack; return }
            if bytes.equalsExact("REFER") { self = .refer; return }
        case 6:
            if bytes.equalsExact("INVITE") { self = .invite; return }
            if bytes.equalsExact("CANCEL") { self = .cancel; return }
            if bytes.equalsExact("UPDATE") { self = .update; return }
            if bytes.equalsExact("NOTIFY") { self = .notify; return }
        case 7:
            if bytes.equalsExact("OPTIONS") { self = .options; return }
            if bytes.equalsExact("MESSAGE") { self = .message; return }
            if bytes.equalsExact("PUBLISH") { self = .publish; return }
        case 8:
            if bytes.equalsExact("REGISTER") { self = .register; return }
        case 9:
            if bytes.equalsExact("SUBSCRIBE") { self = .subscribe; return }
        default:
            break
        }
        self = .extension(String(decoding: bytes, as: UTF8.self))
    }

    public init(_ string: String) { self.init(ArraySlice(string.utf8)) }

    public var description: String {
        switch self {
        case .invite: "INVITE"
        case .ack: "ACK"
        case .bye: "BYE"
        case .cancel: "CANCEL"
        case .register: "REGISTER"
        case .options: "OPTIONS"
        case .prack: "PRACK"
        case .update: "UPDATE"
        case .info: "INFO"
        case .message: "MESSAGE"
        case .notify: "NOTIFY"
        case .subscribe: "SUBSCRIBE"
        case .refer: "REFER"
        case .publish: "PUBLISH"
        case .extension(let name): name
        }
    }
}

extension SIPByteView {
    /// Case-sensitive comparison with an ASCII literal of any length.
    @inline(__always) func equalsExact(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        var k = 0
        for b in self {
            if b != p[k] { return false }
            k += 1
        }
        return true
    }
}
