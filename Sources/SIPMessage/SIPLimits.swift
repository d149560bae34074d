/// Bounds an edge device enforces on what it reads, so nothing is buffered without bound.
public struct SIPLimits: Sendable, Equatable {
    /// Largest message accepted, start line to end of body (default 64 KiB). Beyond it: 513.
    public var maxMessageSize: Int
    /// Most header fields (lines, not values) in one message.
    public var maxHeaderCount: Int
    /// Extensions Palisade accepts in Proxy-Require (RFC 3261 §16.3 item 4). Lowercase.
    public var supportedProxyExtensions: [String]

    public init(maxMessageSize: Int = 64 * 1024, maxHeaderCount: Int = 128, supportedProxyExtensions: [String] = []) {
        self.maxMessageSize = maxMessageSize
        self.maxHeaderCount = maxHeaderCount
        self.supportedProxyExtensions = supportedProxyExtensions
    }

    public static let `default` = SIPLimits()
}
