/// A request method (RFC 3261 §7.1, §27.4 and extensions). Methods are case-sensitive.
public enum SIPMethod: Sendable, Hashable, CustomStringConvertible {
    case invite, ack, bye, cancel, register, options, prack, update, info, message, notify, subscribe, refer, publish
    /// An extension method token (RFC 3261 §25.1 extension-method).
    case `extension`(String)

    public init(_ bytes: ArraySlice<UInt8>) {
        switch bytes.count {
        case 3:
            if bytes.elementsEqual("ACK".utf8) { self = .ack; return }
            if bytes.elementsEqual("BYE".utf8) { self = .bye; return }
        case 4:
            if bytes.elementsEqual("INFO".utf8) { self = .info; return }
        case 5:
            if bytes.elementsEqual("PRACK".utf8) { self = .prack; return }
            if bytes.elementsEqual("REFER".utf8) { self = .refer; return }
        case 6:
            if bytes.elementsEqual("INVITE".utf8) { self = .invite; return }
            if bytes.elementsEqual("CANCEL".utf8) { self = .cancel; return }
            if bytes.elementsEqual("UPDATE".utf8) { self = .update; return }
            if bytes.elementsEqual("NOTIFY".utf8) { self = .notify; return }
        case 7:
            if bytes.elementsEqual("OPTIONS".utf8) { self = .options; return }
            if bytes.elementsEqual("MESSAGE".utf8) { self = .message; return }
            if bytes.elementsEqual("PUBLISH".utf8) { self = .publish; return }
        case 8:
            if bytes.elementsEqual("REGISTER".utf8) { self = .register; return }
        case 9:
            if bytes.elementsEqual("SUBSCRIBE".utf8) { self = .subscribe; return }
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
